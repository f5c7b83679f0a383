"""A real server streaming a layer larger than the socket buffers: a consumer that hangs up
mid-download frees the database at once, and the next pull is whole."""

from __future__ import annotations

import socket
import time

import httpx
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.export import generate
from exports.profiles.smart_seoul_map import COMPLETE
from tests.factories import make_account

ROWS = 4000  # about 11 MB of smart-seoul-map GeoJSON


def _running_copies(engine) -> list[str]:
    with engine.connect() as conn:
        return conn.execute(text("SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND pid <> pg_backend_pid() AND query LIKE 'COPY (%' AND state <> 'idle'")
                            ).scalars().all()


def test_a_consumer_hanging_up_mid_export_frees_the_database(live_server, committed_engine):
    raw = committed_engine.raw_connection()
    try:
        generate(raw.driver_connection, ROWS)
    finally:
        raw.close()
    with Session(committed_engine) as db:
        name = make_account(db, "exporter")
    token = httpx.post(f"{live_server}/api/v1/auth/token",
                       data={"username": name, "password": "correct horse"}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{live_server}/api/v1/exports/toilets.geojson?profile=smart-seoul-map"

    # A small receive window (set before connecting, so the kernel does not grow it): otherwise
    # loopback socket buffers can hold most of the 11 MB and the COPY may finish before we look.
    small_window = httpx.HTTPTransport(socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)])
    # the full geojson profile: the Smart Seoul Map one now leaves incomplete toilets out, so it is
    # smaller and can finish before we look
    held = f"{live_server}/api/v1/exports/toilets.geojson?profile=geojson"
    with httpx.Client(timeout=30, transport=small_window) as client, client.stream("GET", held, headers=headers) as r:
        assert r.status_code == 200
        first = next(r.iter_raw(64 * 1024))
        assert first.startswith(b'{"type": "FeatureCollection"')
        deadline = time.monotonic() + 5
        while not _running_copies(committed_engine) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _running_copies(committed_engine), "the export should still be running while we hold it"
    # hung up after the first chunk: the server stops its COPY rather than finishing it
    deadline = time.monotonic() + 10
    while _running_copies(committed_engine) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _running_copies(committed_engine) == []

    whole = httpx.get(url, headers=headers, timeout=60)
    # every toilet the layer's consumer keeps (one bench template has no lot-number address)
    with committed_engine.connect() as conn:
        complete = conn.execute(text(f"SELECT count(*) FROM toilets t WHERE {COMPLETE}"),
                                {"photo_prefix": "/p"}).scalar_one()
    assert 0 < complete < ROWS
    assert whole.status_code == 200 and len(whole.json()["features"]) == complete
