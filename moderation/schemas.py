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
    field_choices: dict[str, str] = {}  # a merge's choices field by field ("published" | "report")
    second_review_reasons: list[str] | None
    public_layer_only: bool | None = None
    second_reviewer: str | None = None
    second_comment: str | None
    second_decided_at: Timestamp | None
    created_at: Timestamp | None


class SmartSeoulMapFinding(ResponseModel):
    """One thing the Smart Seoul Map layer's known consumer would do with this toilet's row."""
    code: str  # exports.consumer_check codes: blank_image, blank_road_address, blank_lot_address, …
    field: str  # the form's field it is about (place.road_address, photos, verdict, …)
    severity: str  # dropped (left out of the smart-seoul-map export) | clipped | misread
    severity_ko: str
    severity_en: str
    message_ko: str
    message_en: str
    change_request: str | None  # the request-changes code that asks the volunteer for it


class SmartSeoulMapCheck(ResponseModel):
    """What the Smart Seoul Map layer needs and the report lacks (the consumer's own rules)."""
    complete: bool  # nothing the consumer would drop the row for
    findings: list[SmartSeoulMapFinding]
    # form path → value from the matched reference record, for addresses the report lacks
    fill: dict[str, str]


class SuggestedToilet(ResponseModel):
    id: str
    name: str
    status: str
    verdict: str
    version: int
    floor: str | None


class SuggestedDecision(ResponseModel):
    """What the report asks for itself (form v2 `place.existing_toilet_id`): `merge` into that
    toilet, or `retire` it with the volunteer's reason; `action` null when it was retired meanwhile."""
    action: str | None
    toilet_id: str
    reason_ko: str | None
    reason_en: str | None
    toilet: SuggestedToilet


class ModerationReportView(ReportView):
    """The report beside its volunteer's nickname, the claim and the reviews so far."""
    volunteer: str | None
    claimed_by_id: int | None
    lease_expires_at: Timestamp | None
    reviews: list[ReviewView]
    # The nearest reference record (national public toilet data) within the match radius, or null.
    reference: ReferenceBlock | None = None
    smart_seoul_map: SmartSeoulMapCheck
    # The report names the published toilet it is about (form v2): the console pre-selects this.
    suggested_decision: SuggestedDecision | None = None


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


class FieldSource(ResponseModel):
    """The published version a value came from, and when it was published."""
    version: int | None
    at: Timestamp | None


class MergeField(ResponseModel):
    """One field of a merge: published (with its source) and reported values; which one the
    merge takes by default and with the choices given (`chosen`), and the value it ends with."""
    path: str
    published: Any = None
    published_source: FieldSource | None
    report: Any = None
    same: bool
    default: str
    chosen: str
    result: Any = None


class MergePreview(ResponseModel):
    toilet_id: str
    toilet_version: int
    toilet_name: str
    toilet_status: str
    verdict_before: str
    verdict_after: str
    confirmed_kept: list[str]
    fields: list[MergeField]


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
    change_requests: list[CodeLabel]  # request_changes reason codes; the label is the default message
    duplicate_evidence: list[CodeLabel] = []  # why a candidate is a likely duplicate
    # the city's public toilet list (the report view's `reference`): its flags and match words
    reference_flags: list[CodeLabel] = []
    reference_match_statuses: list[CodeLabel] = []
    reference_match_methods: list[CodeLabel] = []


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
