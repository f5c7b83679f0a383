"""Read scaling on a real streaming replica (DATABASE_READ_URL, api/read_routing.py).

A PostGIS cluster of the test's own (the project's kind, core/localdb.py) and a hot standby made
from it with `pg_basebackup -R` (core.localdb.LocalReplica: its own folder, socket and port).
To tell which server answered, the test pauses the replica's WAL replay: what is written after
that exists on the primary only, so a public read that does not find it came from the replica,
and one that finds it came from the primary.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from accounts.service import create_account
from api.read_routing import READ_PRIMARY_COOKIE
from core.config import Settings
from core.localdb import LocalCluster, LocalReplica
from core.migrate import upgrade
from tests.factories import exporter_api_key, join_and_login, login, report_body
from tests.faults.server import ApiProcess


@pytest.fixture
def primary_and_replica(tmp_path: Path) -> Iterator[tuple[LocalCluster, LocalReplica]]:
    settings = Settings(local_db_dir=tmp_path / "pg", local_db_port=54393)
    primary = LocalCluster(settings)
    primary.ensure_running()
    upgrade(primary.url())
    replica = LocalReplica(settings)
    try:
        replica.ensure_running()
        yield primary, replica
    finally:
        replica.remove()
        primary.stop()
        shutil.rmtree(primary.base, ignore_errors=True)


def replay(replica: LocalReplica, *, paused: bool) -> None:
    with psycopg.connect(replica.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def seed_staff(url: str) -> str:
    """A moderator, and an exporter with an API key; returns the key."""
    engine = create_engine(url)
    with Session(engine) as db:
        create_account(db, username="replica-mod", password="moderator pass", role="moderator",
                       username_field="username")
        key = exporter_api_key(db, prefix="replica")
    engine.dispose()
    return key


def feature_ids(r: httpx.Response) -> set[str]:
    assert r.status_code == 200, r.text
    return {f["id"] for f in r.json()["features"]}


def export_seq(http: httpx.Client, key: str, **params) -> int:
    r = http.get("/api/v1/exports/toilets.geojson", params={"profile": "geojson", **params},
                 headers={"X-API-Key": key})
    assert r.status_code == 200, r.text
    return int(r.headers["X-Reachable-Seq"])


def test_public_reads_from_the_replica_writes_and_own_reads_on_the_primary(primary_and_replica, tmp_path):
    primary, replica = primary_and_replica
    key = seed_staff(primary.url())
    api = ApiProcess(database_url=primary.url(), photo_dir=tmp_path / "photos", snapshot_dir=tmp_path / "snap",
                     log=tmp_path / "server.log", workers=1, extra_env={"DATABASE_READ_URL": replica.url()})
    api.start()
    try:
        volunteer, moderator, public, exporter = (httpx.Client(base_url=api.base, timeout=30) for _ in range(4))
        vol_headers = join_and_login(volunteer)
        replica.catch_up()
        replay(replica, paused=True)  # from here on, the replica shows the past

        r = volunteer.post("/api/v1/reports", json=report_body(**{"access_route.path": None,
                                                                   "access_route.obstacles": []}),
                           headers=vol_headers)
        assert r.status_code == 201, r.text  # the write went to the primary
        report_id = r.json()["id"]
        with psycopg.connect(replica.conninfo()) as conn:  # … and is not on the replica yet
            assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
        mine = volunteer.get("/api/v1/reports", headers=vol_headers)
        assert [item["id"] for item in mine.json()["items"]] == [report_id]  # own reports: the primary

        mod_headers = login(moderator, "replica-mod", "moderator pass")
        claimed = moderator.post("/api/v1/moderation/claims", json={"count": 1}, headers=mod_headers)
        assert [item["id"] for item in claimed.json()["items"]] == [report_id]
        decided = moderator.post(f"/api/v1/moderation/reports/{report_id}/decision", json={"action": "approve"},
                                 headers=mod_headers)
        assert decided.status_code == 200 and decided.json()["published"], decided.text
        toilet = decided.json()["toilet_id"]
        assert moderator.cookies.get(READ_PRIMARY_COOKIE) == "1"  # the write marked this browser

        # Anonymous public reads come from the (paused) replica: the new toilet is not there yet.
        assert public.get(f"/api/v1/toilets/{toilet}").status_code == 404
        assert toilet not in feature_ids(public.get("/api/v1/toilets"))
        assert toilet not in feature_ids(public.get("/api/v1/toilets/nearby",
                                                    params={"lon": 126.9779, "lat": 37.5663}))
        # Read-your-writes: with credentials, or with the cookie of a recent write, the primary.
        assert moderator.get(f"/api/v1/toilets/{toilet}", headers=mod_headers).status_code == 200
        marked = httpx.Client(base_url=api.base, cookies={READ_PRIMARY_COOKIE: "1"})
        assert marked.get(f"/api/v1/toilets/{toilet}").status_code == 200
        assert public.get(f"/api/v1/toilets/{toilet}").status_code == 404  # no cookie, no credentials
        # Tiles too: their ETag is the layer's high-water mark where they were read.
        stale_tile = public.get("/tiles/toilets/0/0/0.mvt")
        fresh_tile = moderator.get("/tiles/toilets/0/0/0.mvt", headers=mod_headers)
        assert stale_tile.status_code == fresh_tile.status_code == 200
        assert stale_tile.headers["ETag"] != fresh_tile.headers["ETag"]

        # Exports: the exporter reads the replica (its high-water mark is the past's), unless its
        # cursor is ahead of the replica, then the primary.
        with psycopg.connect(primary.conninfo()) as conn:
            head = conn.execute("SELECT max(seq) FROM change_log").fetchone()[0]
        assert head >= 1
        assert export_seq(exporter, key) == 0
        assert export_seq(exporter, key, since=head) == head

        replay(replica, paused=False)
        replica.catch_up()
        assert public.get(f"/api/v1/toilets/{toilet}").status_code == 200
        assert public.get("/tiles/toilets/0/0/0.mvt").headers["ETag"] == fresh_tile.headers["ETag"]
        assert export_seq(exporter, key) == head
        with psycopg.connect(replica.conninfo()) as conn:  # the app's read pool is connected there
            readers = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = 'reachable' "
                                   "AND backend_type = 'client backend' AND pid <> pg_backend_pid()").fetchone()[0]
        assert readers >= 1
    finally:
        api.stop()


def test_the_replica_refuses_writes_and_a_write_sent_there_is_a_503(primary_and_replica, tmp_path):
    primary, replica = primary_and_replica
    with psycopg.connect(replica.conninfo()) as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("INSERT INTO change_log (entity, entity_id, op, version) "
                     "VALUES ('toilet', gen_random_uuid(), 'create', 1)")

    # DATABASE_URL naming a standby (a failover under way, or a mistake): writes are answered 503
    # database_unavailable with Retry-After, never 500; reads still work. Once with the abuse
    # counters off (the request's own INSERT is refused) and once on (the counter's is).
    for limits in ("false", "true"):
        api = ApiProcess(database_url=replica.url(), photo_dir=tmp_path / "photos", snapshot_dir=tmp_path / "snap",
                         log=tmp_path / f"server-{limits}.log", workers=1, extra_env={"RATE_LIMITS_ENABLED": limits})
        api.start()
        try:
            with httpx.Client(base_url=api.base, timeout=30) as http:
                r = http.post("/api/v1/volunteers", json={"nickname": f"standby-{limits}", "password": "correct horse",
                                                          "age_band": "30s"})
                assert r.status_code == 503, r.text
                assert r.json()["code"] == "database_unavailable" and r.headers["Retry-After"].isdigit()
                assert http.get("/api/v1/toilets").status_code == 200
        finally:
            api.stop()
    with psycopg.connect(primary.conninfo()) as conn:
        assert conn.execute("SELECT count(*) FROM accounts").fetchone()[0] == 0  # nothing got through
