"""A job as its owner sees it, and the bytes it works on.

procrastinate's own tables (`procrastinate_jobs`, …) hold the queue: what to run, where, how often
it was tried. `jobs` holds what a person follows: who asked, progress, the result or the error.
`job_uploads` holds what was sent (a volunteer's original photo, a reference file) until the job
has turned it into its result, so nothing sent is lost if a worker dies meanwhile.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, sql_in

JOB_KINDS = ("photo", "snapshot", "reference_import")
JOB_STATUSES = ("queued", "running", "succeeded", "failed")
OPEN_STATUSES = ("queued", "running")
OPEN_PREDICATE = "status IN ('queued', 'running')"


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(sql_in("kind", JOB_KINDS), name="kind"),
        CheckConstraint(sql_in("status", JOB_STATUSES), name="status"),
        Index("ix_jobs_subject_open", "subject", postgresql_where=OPEN_PREDICATE),
        # A repeat of a request finds the job still open; once it is done the key is free again,
        # so a repeat after that makes a new job, which the handler's own idempotency answers.
        Index("uq_jobs_open_idempotency_key", "idempotency_key", unique=True, postgresql_where=OPEN_PREDICATE),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(32))
    # None: asked for from the command line (no account).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    # What the job is about (e.g. "report:12"), so pending work counts against the subject's limits.
    subject: Mapped[str | None] = mapped_column(String(100))
    # The same request twice (a phone retrying an upload) finds the job already made.
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    progress_phase: Mapped[str | None] = mapped_column(String(32))
    progress_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_total: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    result_url: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error_status: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # procrastinate's job id (its table is procrastinate's, outside our metadata: no foreign key).
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JobUpload(Base):
    """The bytes a job works on, kept until the job succeeds (then deleted with its result's
    commit: a photo's original carries EXIF, which is personal)."""

    __tablename__ = "job_uploads"

    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(300))
    byte_size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
