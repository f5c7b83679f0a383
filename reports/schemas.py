"""The shapes a report takes outside the database (built in `reports.representation`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from core.schemas import Paged, ResponseModel, Timestamp


class DistrictRef(ResponseModel):
    code: str
    name_ko: str
    name_en: str


class DuplicateCandidate(ResponseModel):
    """A published toilet or a pending report near this one (nearest first): a likely duplicate
    on evidence (`evidence`: same_toilet_named, same_reference, similar_name_close), or only nearby."""
    type: Literal["toilet", "report"]
    id: str
    name: str
    distance_m: float
    name_similarity: float
    same_floor: bool | None
    likely_duplicate: bool = False
    evidence: list[str] = []


class FieldWarning(ResponseModel):
    """Not an error: something for the moderator to check (e.g. the address names another district)."""
    path: str
    message_ko: str
    message_en: str


class PhotoView(ResponseModel):
    id: str
    kind: str
    content_type: str
    width_px: int
    height_px: int
    byte_size: int
    url: str
    thumb_url: str
    uploaded_at: Timestamp


class ReportView(ResponseModel):
    """One report as its volunteer (and a moderator) reads it."""
    id: int
    client_submission_id: str
    status: str
    revision: int
    schema_version: int
    submitted_at: Timestamp
    updated_at: Timestamp
    district: DistrictRef
    district_mismatch: bool
    moderator_message: str | None
    payload: dict[str, Any] = Field(description="the report as upgraded to the latest form version")
    duplicate_candidates: list[DuplicateCandidate]
    warnings: list[FieldWarning]
    photos: list[PhotoView]


class ReportSummary(ResponseModel):
    id: int
    client_submission_id: str
    status: str
    name: str
    district_code: str
    floor: str | None
    submitted_at: Timestamp
    moderator_message: str | None


class ReportList(Paged):
    items: list[ReportSummary]
