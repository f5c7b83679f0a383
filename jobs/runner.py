"""One run of one job, so that a job run twice (a worker killed mid-job, its job retried on
another) has one result.

Each handler does its work and records the job's success in one transaction (`JobRun.transaction`)
that holds an advisory lock on the job and first checks that the job is not finished: a second run
waits for a first one still alive, then finds the job done and does nothing; a run whose worker
died never committed, so the next one starts clean. Handlers also write idempotently (an upsert,
a photo recognised by its bytes), so even work committed outside that transaction is not doubled.

Outcomes: the work committed → succeeded; a domain error (the input breaks a rule) → failed with
that error, not retried; anything else (database, disk) → queued again and re-raised, so the
queue retries it with backoff; on the last attempt → failed with `job_failed`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import unit_of_work
from core.errors import DomainError, fail
from jobs import service
from jobs.models import Job

log = logging.getLogger("reachable.jobs")
JOB_LOCK_NAMESPACE = 727_003  # pg_advisory_xact_lock(namespace, hashtext(job id)); 727_001/2 are taken
PROGRESS_EVERY_S = 0.5


class AlreadyDone(Exception):
    """Another run of this job committed its result first."""


@dataclass
class JobRun:
    job_id: uuid.UUID
    kind: str
    params: dict[str, Any]
    owner_id: int | None
    settings: Settings
    session_factory: sessionmaker[Session]
    # Progress goes through short transactions of its own; None: not recorded (jobs run in-process
    # inside a test's transaction, which no other connection can see).
    progress_factory: sessionmaker[Session] | None = None
    _last_progress: float = field(default=0.0)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """The job's one transaction: locked against other runs of it, and only if still open."""
        with unit_of_work(self.session_factory) as db:
            db.execute(text("SELECT pg_advisory_xact_lock(:ns, hashtext(:id))"),
                       {"ns": JOB_LOCK_NAMESPACE, "id": str(self.job_id)})
            if service.is_finished(db, self.job_id):
                raise AlreadyDone
            yield db

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        if self.progress_factory is None:
            return
        now = time.monotonic()
        if now - self._last_progress < PROGRESS_EVERY_S and done != total:
            return
        self._last_progress = now
        try:
            with unit_of_work(self.progress_factory) as db:
                service.set_progress(db, self.job_id, phase=phase, done=done, total=total)
        except Exception as exc:  # progress is a courtesy: never fail the work for it
            log.warning("job %s: progress not recorded: %s", self.job_id, exc)

    def succeed(self, db: Session, result: dict[str, Any], result_url: str | None = None) -> None:
        service.succeed(db, self.job_id, result=result, result_url=result_url)


Handler = Callable[[JobRun], None]


def run_job(job_id: uuid.UUID, *, handlers: dict[str, Handler], settings: Settings,
            session_factory: sessionmaker[Session], progress_factory: sessionmaker[Session] | None,
            attempt: int, final: bool) -> str:
    """Run the job once; the outcome ('succeeded', 'failed', 'done already', 'no such job')."""
    with unit_of_work(session_factory) as db:
        job = db.get(Job, job_id)
        if job is None:
            return "no such job"
        if not service.mark_running(db, job_id, attempt=attempt):
            return "done already"
        run = JobRun(job_id=job_id, kind=job.kind, params=dict(job.params), owner_id=job.owner_id,
                     settings=settings, session_factory=session_factory, progress_factory=progress_factory)
    try:
        handlers[run.kind](run)
    except AlreadyDone:
        return "done already"
    except DomainError as exc:
        with unit_of_work(session_factory) as db:
            service.record_failure(db, job_id, exc)
        log.info("job %s (%s) refused: %s", job_id, run.kind, exc)
        return "failed"
    except Exception:
        with unit_of_work(session_factory) as db:
            if final:
                service.record_failure(db, job_id, fail("job_failed"))
            else:
                service.back_to_queue(db, job_id)
        log.exception("job %s (%s) attempt %d broke%s", job_id, run.kind, attempt,
                      "; giving up" if final else "; it will be retried")
        raise
    return "succeeded"
