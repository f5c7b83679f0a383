"""SIGKILL the API (a real uvicorn, two workers) while reports, photo uploads and moderation
decisions are in flight, twice, with clients that retry; after the restarts nothing is lost. A job
worker process (`reachable worker`) processes the photos meanwhile."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from accounts.service import create_account
from core.config import Settings
from reports.photos import recover_photo_files
from tests.faults.server import ApiProcess
from tests.faults.workload import Workload, assert_nothing_lost, photo_keys, stored_files
from tests.workers import WorkerProcess, wait_for

MODERATORS = [("fault-mod-1", "moderator pass 1"), ("fault-mod-2", "moderator pass 2")]


def make_moderators(engine) -> None:
    with Session(engine) as db:
        for username, password in MODERATORS:
            create_account(db, username=username, password=password, role="moderator", username_field="username")
        db.commit()


def test_sigkill_mid_flight_loses_nothing(committed_engine, database_url, tmp_path: Path):
    make_moderators(committed_engine)
    photo_dir = tmp_path / "photos"
    api = ApiProcess(database_url=database_url, photo_dir=photo_dir, snapshot_dir=tmp_path / "snapshots",
                     log=tmp_path / "server.log")
    api.start()
    worker = WorkerProcess(database_url, Settings(photo_dir=photo_dir, snapshot_dir=tmp_path / "snapshots"),
                           tmp_path)
    work = Workload(api.base, volunteers=4, reports_each=8, moderators=MODERATORS)
    try:
        work.start()
        for reports, decisions in ((6, 2), (18, 8)):
            work.wait_for(reports=reports, decisions=decisions)  # kill with work under way
            api.kill()
            api.start()  # start-up recovery renames photo files whose commit came before the kill
        work.join()
        wait_for(lambda: _open_jobs(committed_engine) == 0, timeout_s=120, what="the photo jobs to finish")
        work.assert_clean()
        assert work.rec.transport_errors > 0  # the clients really were cut off
        with committed_engine.connect() as conn:
            assert_nothing_lost(conn, work.rec)
            final, _ = stored_files(photo_dir)
            assert photo_keys(conn) <= final  # no row without its files, with the server up
    finally:
        api.stop()
        worker.stop()
    # Nothing runs now, so every temporary file without a row is an orphan of a killed upload.
    settings = Settings(photo_dir=photo_dir)
    with Session(committed_engine) as db:
        recover_photo_files(db, settings, grace_s=0)
        final, parts = stored_files(photo_dir)
        assert parts == set()
        assert final == photo_keys(db.connection())  # no file without its row either


def _open_jobs(engine) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")).scalar_one()
