"""Jobs as their owners see them: made (with the bytes they work on) in the caller's
transaction, read back with authorisation, and moved through their states by the runner."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.errors import DomainError, fail
from jobs import queue
from jobs.models import OPEN_PREDICATE, OPEN_STATUSES, Job, JobUpload

# Roles that may follow anyone's job (the programme office and the partner's moderators).
STAFF_ROLES = ("moderator", "admin")
FINAL_STATUSES = ("succeeded", "failed")


def create_job(db: Session, *, kind: str, owner_id: int | None, params: dict[str, Any],
               subject: str | None = None, idempotency_key: str | None = None,
               upload: tuple[str, bytes] | None = None, enqueue: bool = True) -> tuple[Job, bool]:
    """A job row, its upload and its queue entry, in the caller's transaction: (job, created).
    With the `idempotency_key` of a job still open, that job is returned (created False).
    `enqueue=False`: no queue entry (the caller runs the job itself, e.g. `--here` on the CLI)."""
    job_id = uuid.uuid4()
    while True:
        made = db.scalar(insert(Job).values(id=job_id, kind=kind, owner_id=owner_id, params=params,
                                            subject=subject, idempotency_key=idempotency_key)
                         .on_conflict_do_nothing(index_elements=[Job.idempotency_key],
                                                 index_where=text(OPEN_PREDICATE)).returning(Job.id))
        if made is not None:
            break
        same = open_job_with_key(db, idempotency_key)
        if same is not None:
            return same, False  # else it finished in between: its key is free now
    if upload is not None:
        name, data = upload
        db.add(JobUpload(job_id=job_id, file_name=name, byte_size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(), data=data))
        db.flush()
    if enqueue:
        queue_id = queue.defer(db, kind, job_id=job_id)
        db.execute(update(Job).where(Job.id == job_id).values(queue_job_id=queue_id))
    return db.get(Job, job_id, populate_existing=True), True


def count_open(db: Session, *, kind: str, subject: str) -> int:
    """Jobs of `kind` about `subject` not finished yet (they count against the subject's limits)."""
    return db.scalar(select(func.count()).where(Job.kind == kind, Job.subject == subject,
                                                Job.status.in_(OPEN_STATUSES))) or 0


def open_job_with_key(db: Session, key: str) -> Job | None:
    return db.scalars(select(Job).where(Job.idempotency_key == key, Job.status.in_(OPEN_STATUSES))).first()


def job_for(db: Session, *, job_id: uuid.UUID, account_id: int, role: str) -> Job:
    """The job, for its owner or staff; 404 when there is none, 403 when it is another's."""
    job = db.get(Job, job_id)
    if job is None:
        raise fail("job_not_found")
    if job.owner_id != account_id and role not in STAFF_ROLES:
        raise fail("job_not_yours")
    return job


def job_url(job_id: uuid.UUID | str) -> str:
    return f"/api/v1/jobs/{job_id}"


def job_view(job: Job) -> dict[str, Any]:
    def stamp(value):
        return value.isoformat() if value is not None else None

    return {"id": str(job.id), "kind": job.kind, "status": job.status, "url": job_url(job.id),
            "progress": {"phase": job.progress_phase, "done": job.progress_done, "total": job.progress_total},
            "attempts": job.attempts, "result": job.result, "result_url": job.result_url,
            "error": job.error, "error_status": job.error_status,
            "created_at": stamp(job.created_at), "started_at": stamp(job.started_at),
            "finished_at": stamp(job.finished_at)}


def upload_of(db: Session, job_id: uuid.UUID) -> JobUpload | None:
    return db.get(JobUpload, job_id)


def error_json(exc: DomainError) -> dict[str, Any]:
    return {"code": exc.code, "message_ko": exc.message_ko, "message_en": exc.message_en,
            "fields": [f.as_dict() for f in exc.fields]}


# -- states (the runner's) --------------------------------------------------------------------

def mark_running(db: Session, job_id: uuid.UUID, *, attempt: int) -> bool:
    """queued → running (attempt counted); False when the job is already finished (a re-run)."""
    done = db.execute(update(Job).where(Job.id == job_id, Job.status.in_(OPEN_STATUSES))
                      .values(status="running", attempts=attempt, started_at=func.coalesce(Job.started_at, func.now()))
                      .returning(Job.id)).first()
    return done is not None


def is_finished(db: Session, job_id: uuid.UUID) -> bool:
    return db.scalar(select(Job.status).where(Job.id == job_id)) in FINAL_STATUSES


def succeed(db: Session, job_id: uuid.UUID, *, result: dict[str, Any], result_url: str | None) -> None:
    """In the transaction that did the work: the result, and the upload's bytes are let go."""
    db.execute(update(Job).where(Job.id == job_id).values(
        status="succeeded", result=result, result_url=result_url, error=None, error_status=None,
        progress_phase="done", finished_at=func.now()))
    db.execute(delete(JobUpload).where(JobUpload.job_id == job_id))


def record_failure(db: Session, job_id: uuid.UUID, exc: DomainError) -> None:
    """A definite refusal (the input breaks a rule): failed with the error; the upload is kept."""
    db.execute(update(Job).where(Job.id == job_id).values(
        status="failed", error=error_json(exc), error_status=exc.status, finished_at=func.now()))


def back_to_queue(db: Session, job_id: uuid.UUID) -> None:
    """An attempt broke for a passing reason (database, disk): queued again, to be retried."""
    db.execute(update(Job).where(Job.id == job_id, Job.status.in_(OPEN_STATUSES)).values(status="queued"))


def set_progress(db: Session, job_id: uuid.UUID, *, phase: str, done: int, total: int | None) -> None:
    db.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(
        progress_phase=phase, progress_done=done, progress_total=total))
