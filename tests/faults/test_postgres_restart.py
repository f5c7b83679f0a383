"""PostgreSQL stopped and started again under load, on a cluster of the test's own (the
project's kind, core/localdb.py): clients get 503 + Retry-After in the uniform shape, never a
500, and once it is back, nothing they sent is lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from core.config import Settings
from core.localdb import LocalCluster
from core.migrate import upgrade
from reports.photos import recover_photo_files
from tests.faults.server import ApiProcess
from tests.faults.test_api_killed import MODERATORS, _open_jobs, make_moderators
from tests.faults.workload import Workload, assert_nothing_lost, photo_keys, stored_files
from tests.workers import WorkerProcess, wait_for


@pytest.fixture
def own_cluster(tmp_path: Path):
    """A PostGIS cluster only this test uses, so restarting it disturbs no other test."""
    cluster = LocalCluster(Settings(local_db_dir=tmp_path / "pg", local_db_port=54391))
    cluster.ensure_running()
    upgrade(cluster.url())
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.base, ignore_errors=True)


def test_postgres_restart_under_load_is_503_then_nothing_lost(own_cluster: LocalCluster, tmp_path: Path):
    engine = create_engine(own_cluster.url(), pool_pre_ping=True)
    make_moderators(engine)
    photo_dir = tmp_path / "photos"
    api = ApiProcess(database_url=own_cluster.url(), photo_dir=photo_dir, snapshot_dir=tmp_path / "snapshots",
                     log=tmp_path / "server.log", workers=1)
    api.start()
    work = Workload(api.base, volunteers=3, reports_each=8, moderators=MODERATORS)
    worker = None
    try:
        work.start()
        work.wait_for(reports=4, decisions=1)  # most of the work still to come
        own_cluster.stop()  # fast shutdown: open transactions are cut off
        before = work.rec.unavailable
        while work.rec.unavailable < before + 5:  # the clients are being told to come back later
            assert own_cluster.is_running() is False
            work.check_alive()
        own_cluster.start()
        work.join()
        work.assert_clean()  # no 500 and every 503 with Retry-After, in the uniform shape
        assert work.rec.statuses[503] >= 5
        engine.dispose()  # its connections died with the server
        # The photos' originals outlived the restart in the database: a worker started now makes them.
        worker = WorkerProcess(own_cluster.url(), Settings(photo_dir=photo_dir, snapshot_dir=tmp_path / "snapshots"),
                               tmp_path)
        wait_for(lambda: _open_jobs(engine) == 0, timeout_s=120, what="the photo jobs to finish")
        with engine.connect() as conn:
            assert_nothing_lost(conn, work.rec)
            final, _ = stored_files(photo_dir)
            assert photo_keys(conn) <= final
    finally:
        api.stop()
        if worker is not None:
            worker.stop()
    with Session(engine) as db:
        recover_photo_files(db, Settings(photo_dir=photo_dir), grace_s=0)  # nothing runs: orphans are orphans
        final, parts = stored_files(photo_dir)
        assert parts == set() and final == photo_keys(db.connection())
    engine.dispose()
