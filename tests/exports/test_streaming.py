"""A real server streaming a layer larger than the socket buffers: a consumer that hangs up
mid-download frees the database at once, and the next pull is whole."""

from __future__ import annotations

import gc
import socket
import time

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.export import generate
from exports.profiles.smart_seoul_map import COMPLETE
from tests.browser import serve
from tests.factories import make_account

ROWS = 4000  # about 25 MB of full GeoJSON, 16 MB of smart-seoul-map


def _running_copies(engine) -> list[str]:
    with engine.connect() as conn:
        return conn.execute(text("SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND pid <> pg_backend_pid() AND query LIKE 'COPY (%' AND state <> 'idle'")
                            ).scalars().all()


def _activity(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pid, state, wait_event_type, wait_event, left(query, 80) "
                                 "FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND pid <> pg_backend_pid()")).all()


@pytest.fixture
def live_server(committed_app):
    """The live server with a small kernel send buffer per connection: the held export must not
    fit in the socket buffers on a machine whose tcp_wmem lets them grow to tens of MB."""
    with serve(committed_app, send_buffer=64 * 1024) as url:
        yield url


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
    # loopback socket buffers can hold megabytes of the export.
    small_window = httpx.HTTPTransport(socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)])
    # the full geojson profile: the Smart Seoul Map one now leaves incomplete toilets out, so it is
    # smaller and can finish before we look
    held = f"{live_server}/api/v1/exports/toilets.geojson?profile=geojson"
    with httpx.Client(timeout=30, transport=small_window) as client, client.stream("GET", held, headers=headers) as r:
        assert r.status_code == 200
        # The iterator is kept: httpx's is in a reference cycle, so a dropped one is closed whenever the
        # garbage collector runs, and closing it hangs up (in a long suite that happened while we held
        # the export, and the COPY was gone). The collection here checks that the hold survives one.
        chunks = r.iter_raw(64 * 1024)
        first = next(chunks)
        gc.collect()
        assert first.startswith(b'{"type": "FeatureCollection"')
        deadline = time.monotonic() + 15
        while not _running_copies(committed_engine) and time.monotonic() < deadline:
            time.sleep(0.05)
        # 25 MB cannot fit in the socket buffers, so the COPY must still be there; if it is not,
        # say what the database's backends were doing
        assert _running_copies(committed_engine), f"the export should still be running while we hold it: " \
                                                  f"{_activity(committed_engine)}"
    # hung up after the first chunk: the server stops its COPY rather than finishing it
    deadline = time.monotonic() + 10
    while _running_copies(committed_engine) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _running_copies(committed_engine) == []

    whole = httpx.get(url, headers=headers, timeout=60)
    # every toilet the layer's consumer keeps: bench/export makes them all complete for it
    with committed_engine.connect() as conn:
        complete = conn.execute(text(f"SELECT count(*) FROM toilets t WHERE {COMPLETE}"),
                                {"photo_prefix": "/p"}).scalar_one()
    assert complete == ROWS
    assert whole.status_code == 200 and len(whole.json()["features"]) == ROWS
