"""The shapes of the moderation API (built in `moderation.representation` and the routes)."""

from __future__ import annotations

from typing import Any

from core.schemas import ResponseModel, Timestamp
from reference.schemas import ReferenceBlock
from reports.schemas import ReportView


class ReviewView(ResponseModel):
    id: int
    report_id: int | None
    report_revision: int | None
    toilet_id: str | None
    action: str
    status: str
    moderator: str | None = None  # absent where the reader may not see who decided
    moderator_id: int | None = None
    reason_code: str | None
    reason_label: list[str] | None
    comment: str | None
    message: str | None
    edits: list[dict[str, Any]] | None
    confirmed: list[str] | None
    second_review_reasons: list[str] | None
    second_reviewer: str | None = None
    second_comment: str | None
    second_decided_at: Timestamp | None
    created_at: Timestamp | None


class ModerationReportView(ReportView):
    """The report beside its volunteer's nickname, the claim and the reviews so far."""
    volunteer: str | None
    claimed_by_id: int | None
    lease_expires_at: Timestamp | None
    reviews: list[ReviewView]
    # The nearest reference record (national public toilet data) within the match radius, or null.
    reference: ReferenceBlock | None = None


class ClaimResult(ResponseModel):
    items: list[ModerationReportView]
    lease_expires_at: Timestamp | None


class HeldClaim(ResponseModel):
    id: int
    name: str
    district_code: str
    status: str
    lease_expires_at: Timestamp


class HeldClaims(ResponseModel):
    items: list[HeldClaim]


class Released(ResponseModel):
    id: int
    status: str


class DecisionResult(ResponseModel):
    review: ReviewView
    report_status: str | None
    published: bool
    toilet_id: str | None
    toilet_version: int | None


class CodeLabel(ResponseModel):
    """A code the API uses, with the Korean and English words the console shows for it."""
    code: str
    label_ko: str
    label_en: str


class ReasonCode(CodeLabel):
    """A reason a moderator may give for a rejection."""


class ModerationVocabulary(ResponseModel):
    """The codes the moderator console shows, each defined once on the server (reject reasons
    are at /reason-codes; a report's field choices are in the form schema, /mobile-schema)."""
    actions: list[CodeLabel]
    report_statuses: list[CodeLabel]
    confirmable: list[CodeLabel]


class PendingReviews(ResponseModel):
    items: list[ReviewView]


class DistrictQueue(ResponseModel):
    code: str
    name_ko: str
    name_en: str
    queued: int
    in_review: int
    published: int


class QueueStats(ResponseModel):
    depth: int
    oldest_age_seconds: float | None
    by_state: dict[str, int]
    pending_second_reviews: int
    by_district: list[DistrictQueue]
    lease_minutes: int


class HistoryEvent(ResponseModel):
    at: Timestamp
    action: str
    reason: str | None
    detail: dict[str, Any] | None
    actor_role: str | None
    actor: str | None = None  # moderators and admins only


class ReportHistory(ResponseModel):
    report_id: int
    status: str
    events: list[HistoryEvent]
    reviews: list[ReviewView]
