"""`reachable worker`: a procrastinate worker over the project's database.

Run as many as you like, on as many machines as can reach the database (and share PHOTO_DIR and
SNAPSHOT_DIR with the API): each takes jobs with `SELECT … FOR UPDATE SKIP LOCKED`, sends a
heartbeat every JOB_HEARTBEAT_S, and a periodic task puts back in the queue the jobs of a worker
whose heartbeat is older than JOB_STALLED_AFTER_S.
"""

from __future__ import annotations

import logging

import procrastinate

from core.config import Settings
from core.db import make_engine, make_session_factory, unit_of_work
from jobs import queue

log = logging.getLogger("reachable.jobs")


def recover_photos(session_factory, settings: Settings) -> None:
    """Photo files a crash left half-named (reports/photos.py), as the API does at start."""
    from reports.photos import recover_photo_files

    with unit_of_work(session_factory) as db:
        done = recover_photo_files(db, settings, grace_s=settings.photo_orphan_grace_s)
    if done.finalized or done.removed:
        log.warning("photo recovery: %d renamed after commit, %d orphans removed", len(done.finalized),
                    len(done.removed))


def run_worker(settings: Settings, url: str, *, concurrency: int | None = None, name: str | None = None) -> None:
    """Run until SIGINT/SIGTERM (the jobs in hand are finished first; a second signal stops at once)."""
    from jobs import tasks

    concurrency = concurrency or settings.job_worker_concurrency
    engine = make_engine(settings, url)
    session_factory = make_session_factory(engine)
    tasks.configure(settings=settings, session_factory=session_factory)
    recover_photos(session_factory, settings)
    connector = procrastinate.PsycopgConnector(conninfo=queue.conninfo(url), min_size=1, max_size=concurrency + 2)
    try:
        with queue.app.replace_connector(connector) as app:
            app.run_worker(queues=[queue.QUEUE], concurrency=concurrency, name=name,
                           update_heartbeat_interval=settings.job_heartbeat_s,
                           stalled_worker_timeout=settings.job_stalled_after_s,
                           delete_jobs="successful")
    finally:
        engine.dispose()
