"""A worker killed (SIGKILL) in the middle of a job: procrastinate's heartbeat shows it dead, the
stalled-job sweep puts the job back in the queue, another worker completes it, and the result
exists once."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

import all_models  # noqa: F401  every table's metadata (the jobs row's foreign key to accounts)
from jobs import service as jobs
from tests.reference.helpers import csv_bytes, row
from tests.workers import job_status, wait_for, wait_until_finished


def _blocked_on(engine, table: str) -> bool:
    """A backend (the worker's) waits for a lock on `table`."""
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = CAST(:t AS regclass)"),
            {"t": table}).scalar_one())


def test_a_job_whose_worker_is_killed_completes_once_on_another(committed_engine, start_worker):
    rows = [row(n) for n in range(1, 41)]
    with Session(committed_engine) as db:
        job, _ = jobs.create_job(db, kind="reference_import", owner_id=None, params={"match": True},
                                 upload=("공중화장실.csv", csv_bytes(rows)))
        db.commit()
        job_id, queue_id = job.id, job.queue_job_id

    # Hold the table so the first worker stops mid-job, inside its transaction, holding the job.
    holder = committed_engine.connect()
    holder.execute(text("LOCK TABLE reference_toilets IN SHARE MODE"))
    first = start_worker(name="first")
    try:
        wait_for(lambda: _blocked_on(committed_engine, "reference_toilets"), what="the first worker mid-job")
        with committed_engine.connect() as conn:
            doing = conn.execute(text("SELECT status, worker_id FROM procrastinate_jobs WHERE id = :id"),
                                 {"id": queue_id}).one()
        assert doing.status == "doing" and doing.worker_id is not None
        assert job_status(committed_engine, job_id) == "running"
        first.kill()
    finally:
        holder.rollback()
        holder.close()

    second = start_worker(name="second")
    assert wait_until_finished(committed_engine, job_id) == "succeeded", second.log()
    with committed_engine.connect() as conn:
        result, attempts = conn.execute(text("SELECT result, attempts FROM jobs WHERE id = :id"),
                                        {"id": str(job_id)}).one()
        assert result["inserted"] == 40 and result["updated"] == 0  # the killed run committed nothing
        assert attempts == 2
        assert conn.execute(text("SELECT count(*) FROM reference_toilets")).scalar_one() == 40
        # Once: one import in the audit log, the queue entry finished and gone, the upload let go.
        assert conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'reference.import'")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE id = :id"),
                            {"id": queue_id}).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM job_uploads")).scalar_one() == 0
    assert "stalled" in second.log()

