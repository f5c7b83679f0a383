"""Real worker processes (`reachable worker`) against the test database, and jobs run in-process
for tests that are about something else (the job runs exactly as a worker runs it, inside the
test's transaction, which no worker process could see)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import sessionmaker

from core.config import PROJECT_ROOT, Settings

# A fast heartbeat and sweep, so that a killed worker's job is retried within seconds.
FAST_RECOVERY = {"JOB_HEARTBEAT_S": "0.5", "JOB_STALLED_AFTER_S": "3", "JOB_STALLED_SWEEP_CRON": "* * * * * */1"}


class WorkerProcess:
    """`python -m cli.main worker` with the test's database and file directories."""

    def __init__(self, database_url: str, settings: Settings, log_dir: Path, *, name: str | None = None,
                 concurrency: int = 1):
        self.name = name or f"test-worker-{uuid.uuid4().hex[:6]}"
        self.log_path = log_dir / f"{self.name}.log"
        env = {**os.environ, **FAST_RECOVERY, "DATABASE_URL": database_url, "PHOTO_DIR": str(settings.photo_dir),
               "SNAPSHOT_DIR": str(settings.snapshot_dir), "PHOTO_ORPHAN_GRACE_S": str(settings.photo_orphan_grace_s)}
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "worker", "--name", self.name, "--concurrency", str(concurrency)],
            cwd=PROJECT_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, the job in hand left as procrastinate's 'doing'."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def wait_for(predicate, *, timeout_s: float = 60.0, poll_s: float = 0.1, what: str = "a condition"):
    """Poll until `predicate()` is truthy (its value), or fail after `timeout_s` (a bound, not a
    timing assertion: the machine is shared and slow runs are fine)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout_s} s")
        time.sleep(poll_s)


def job_status(engine: Engine, job_id) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT status FROM jobs WHERE id = :id"), {"id": str(job_id)}).scalar()


def wait_until_finished(engine: Engine, job_id, *, timeout_s: float = 90.0) -> str:
    return wait_for(lambda: (s := job_status(engine, job_id)) in ("succeeded", "failed") and s,
                    timeout_s=timeout_s, what=f"job {job_id} to finish")


def run_queued_jobs(connection: Connection, settings: Settings) -> int:
    """Run every queued job in the test's own transaction, as a worker would (jobs.runner), and
    take them off procrastinate's queue; how many ran."""
    from jobs.runner import run_job
    from jobs.tasks import HANDLERS

    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    queued = connection.execute(text(
        "SELECT q.id, j.id FROM procrastinate_jobs q JOIN jobs j ON j.queue_job_id = q.id "
        "WHERE q.status = 'todo' ORDER BY q.id")).all()
    for queue_id, job_id in queued:
        run_job(job_id, handlers=HANDLERS, settings=settings, session_factory=factory, progress_factory=None,
                attempt=1, final=True)
        connection.execute(text("DELETE FROM procrastinate_jobs WHERE id = :id"), {"id": queue_id})
    return len(queued)


def follow(client, response, *, headers=None, connection: Connection | None = None,
           settings: Settings | None = None) -> dict:
    """A 202's job, run in-process if `connection` is given, then read back at its URL."""
    assert response.status_code in (200, 202), response.text
    if connection is not None:
        run_queued_jobs(connection, settings)
    got = client.get(response.headers["Location"], headers=headers)
    assert got.status_code == 200, got.text
    return got.json()


def snapshot_via_api(client, headers, body, *, connection: Connection, settings: Settings) -> tuple[dict, dict | None]:
    """POST a snapshot and run its job in-process: (the job, the snapshot, or None if the job failed)."""
    r = client.post("/api/v1/exports/snapshots", json=body, headers=headers)
    assert r.status_code == 202, r.text
    job = follow(client, r, headers=headers, connection=connection, settings=settings)
    if job["status"] != "succeeded":
        return job, None
    snap = client.get(job["result_url"], headers=headers)
    assert snap.status_code == 200, snap.text
    return job, snap.json()


def finished_job(http, url: str, headers: dict, *, timeout_s: float = 90.0) -> dict:
    """Poll a job's URL over HTTP (a live server, a worker process) until it is done."""
    def done():
        job = http.get(url, headers=headers).json()
        return job if job["status"] in ("succeeded", "failed") else None

    return wait_for(done, timeout_s=timeout_s, poll_s=0.2, what=f"job {url}")
