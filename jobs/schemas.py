"""The job as `GET /api/v1/jobs/{id}` (and every 202 that made one) returns it."""

from __future__ import annotations

from typing import Any, Literal

from core.schemas import ResponseModel, Timestamp


class JobProgress(ResponseModel):
    phase: str | None
    done: int
    total: int | None


class JobErrorField(ResponseModel):
    path: str
    message_ko: str
    message_en: str


class JobError(ResponseModel):
    """Why the job was refused: the error a synchronous request would have answered."""
    code: str
    message_ko: str
    message_en: str
    fields: list[JobErrorField]


class JobView(ResponseModel):
    id: str
    kind: Literal["photo", "snapshot", "reference_import"]
    status: Literal["queued", "running", "succeeded", "failed"]
    url: str
    progress: JobProgress
    attempts: int
    result: dict[str, Any] | None
    result_url: str | None
    error: JobError | None
    error_status: int | None
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
