"""Partner moderation over HTTP: the queue, claims, decisions, second review, retirement, histories.

Thin: parse, authorise (the dependency in each signature), call one service function, shape."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from accounts.models import Account
from api.deps import (BigId, CurrentAccount, ModeratorAccount, ReadSessionDep, RegistryDep, SessionDep,
                      SettingsDep, check_role, get_current_account, oauth2_scheme)
from api.frame_tickets import TICKET_SECONDS, issue_ticket, read_ticket
from api.security_headers import html_with_inline_scripts
from core.errors import fail
from core.text import MultilineText, Text
from moderation import queue, service
from moderation.console_map import report_map_html
from moderation.models import ACTION_LABELS, CHANGE_REQUESTS, REJECT_REASONS
from moderation.representation import moderation_report_view, moderation_report_views, report_history, reviews_view
from moderation.schemas import (
    ClaimResult,
    DecisionResult,
    HeldClaims,
    MergePreview,
    ModerationReportView,
    ModerationVocabulary,
    PendingReviews,
    QueueStats,
    ReasonCode,
    Released,
    ReportHistory,
)
from reference.models import FLAG_LABELS, MATCH_METHOD_LABELS, MATCH_STATUS_LABELS
from reports.duplicate_evidence import EVIDENCE_LABELS
from reports.models import REPORT_STATUS_LABELS
from reports.service import get_report_for
from toilets.public import toilet_history
from toilets.schemas import ToiletHistory
from toilets.verdict import CONFIRMABLE_LABELS

router = APIRouter(tags=["moderation"])
PREFIX = "/api/v1/moderation"


class ClaimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int = Field(default=1, ge=1, le=200)


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["approve", "merge", "request_changes", "reject", "retire"]
    edits: dict[str, Any] | None = Field(default=None, description="dotted path → new value, e.g. "
                                         '{"toilet.door_clear_width_cm": 92, "location": {"lon": …, "lat": …}}')
    confirmed: list[str] | None = Field(default=None, description="criteria the moderator confirmed by eye")
    merge_into: Text | None = Field(default=None, description="published toilet id (merge)")
    toilet_id: Text | None = Field(default=None, description="published toilet id (retire)")
    reason_code: Text | None = Field(default=None, description="reject: one of GET /moderation/reason-codes; "
                                     "request_changes: one of the vocabulary's change_requests (optional)")
    comment: MultilineText | None = Field(default=None, max_length=4000)
    message: MultilineText | None = Field(default=None, max_length=4000, description="request_changes: to the volunteer")
    public_layer_only: bool | None = Field(default=None, description="approve / merge: publish to the public layer "
                                           "only, not to Smart Seoul Map (null: a merged toilet keeps its choice)")
    field_choices: dict[Text, Literal["published", "report"]] | None = Field(
        default=None, max_length=200, description="merge: field path → keep the 'published' value or take the "
        "'report's (default: the report's where it knows one, else the published one)")
    reference_management_no: Text | None = Field(
        default=None, max_length=64, description="approve / merge: the management number of the city's public "
        "toilet record the report checks (the report view's `reference`); publishing matches the record to the "
        "toilet as this decision's (match_method 'person'). A mission's record is tied without it.")


class SecondReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["confirm", "overturn"]
    comment: MultilineText | None = Field(default=None, max_length=4000)


class RetireRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: MultilineText = Field(max_length=2000)


def _decision_out(db, decision: service.Decision, moderator) -> dict[str, Any]:
    return {"review": reviews_view(db, [decision.review], known=moderator)[0],
            "report_status": decision.report.status if decision.report else None,
            "published": decision.published,
            "toilet_id": str(decision.toilet.id) if decision.toilet and decision.published else None,
            "toilet_version": decision.toilet.version if decision.toilet and decision.published else None}


@router.post(f"{PREFIX}/claims", response_model=ClaimResult)
def claim(body: ClaimRequest, db: SessionDep, moderator: ModeratorAccount, settings: SettingsDep) -> dict[str, Any]:
    """Claim up to `count` reports (highest priority first) under one lease."""
    result = queue.claim_reports(db, moderator=moderator, count=body.count, settings=settings)
    radius = settings.reference_match_radius_m
    return {"items": moderation_report_views(db, result.reports, reference_radius_m=radius),
            "lease_expires_at": result.lease_expires_at.isoformat() if result.lease_expires_at else None}


@router.get(f"{PREFIX}/claims", response_model=HeldClaims)
def my_claims(db: SessionDep, moderator: ModeratorAccount) -> dict[str, Any]:
    rows = queue.my_claims(db, moderator=moderator)
    return {"items": [{"id": r.id, "name": r.name, "district_code": r.district_code, "status": r.status,
                       "lease_expires_at": r.lease_expires_at.isoformat()} for r in rows]}


@router.post(f"{PREFIX}/reports/{{report_id}}/release", response_model=Released)
def release(report_id: BigId, db: SessionDep, moderator: ModeratorAccount) -> dict[str, Any]:
    report = queue.release_report(db, report_id=report_id, moderator=moderator)
    return {"id": report.id, "status": report.status}


@router.get(f"{PREFIX}/reports/{{report_id}}", response_model=ModerationReportView)
def moderation_report(report_id: BigId, db: SessionDep, moderator: ModeratorAccount,
                      settings: SettingsDep) -> dict[str, Any]:
    return moderation_report_view(db, get_report_for(db, report_id=report_id, account=moderator),
                                  reference_radius_m=settings.reference_match_radius_m)


class MapTicket(BaseModel):
    url: str = Field(description="the map's URL with a ticket, for a sandboxed frame")
    expires_in_seconds: int


@router.post(f"{PREFIX}/reports/{{report_id}}/map-ticket", response_model=MapTicket)
def report_map_ticket(report_id: BigId, db: SessionDep, moderator: ModeratorAccount,
                      settings: SettingsDep) -> MapTicket:
    """A one-minute ticket to open the report's map in a sandboxed frame (which cannot send the
    login token): the console's map frame has an opaque origin and never sees the token."""
    get_report_for(db, report_id=report_id, account=moderator)
    ticket = issue_ticket(account_id=moderator.id, report_id=report_id, secret=settings.secret_key)
    return MapTicket(url=f"{PREFIX}/reports/{report_id}/map?ticket={ticket}", expires_in_seconds=TICKET_SECONDS)


@router.get(f"{PREFIX}/reports/{{report_id}}/map", response_class=HTMLResponse)
def report_map(report_id: BigId, request: Request, db: SessionDep, settings: SettingsDep,
               token: Annotated[str | None, Depends(oauth2_scheme)] = None,
               ticket: Annotated[str | None, Query(max_length=2000, description="from map-ticket")] = None,
               ) -> HTMLResponse:
    """The folium map of the report, its route, nearby published toilets and pending reports.
    Sent with a policy of its own: its inline scripts by hash, and sandboxed (opaque origin)."""
    if ticket is not None:
        account_id = read_ticket(ticket, report_id=report_id, secret=settings.secret_key)
        account = db.get(Account, account_id) if account_id is not None else None
        if account is None or not account.is_active:
            raise fail("invalid_token")
    else:
        account = get_current_account(db, settings, token)
    moderator = check_role(account, "moderator", "admin")
    report = get_report_for(db, report_id=report_id, account=moderator)
    return html_with_inline_scripts(request, report_map_html(db, report=report), sandbox=True,
                                    headers={"Cache-Control": "no-store"})


@router.post(f"{PREFIX}/reports/{{report_id}}/decision", response_model=DecisionResult)
def decide(report_id: BigId, body: DecisionRequest, db: SessionDep, moderator: ModeratorAccount,
           registry: RegistryDep, settings: SettingsDep) -> dict[str, Any]:
    decision = service.decide(db, report_id=report_id, moderator=moderator, registry=registry, settings=settings,
                              given=service.DecisionInput(**body.model_dump()))
    return _decision_out(db, decision, moderator)


@router.get(f"{PREFIX}/reports/{{report_id}}/merge-preview", response_model=MergePreview)
def merge_preview(report_id: BigId, db: SessionDep, moderator: ModeratorAccount,
                  toilet_id: Annotated[str | None, Query(max_length=64, description="default: the toilet the report names")]
                  = None) -> dict[str, Any]:
    """Merging this report into a published toilet, field by field: before (with the version
    and date it came from) and after, the default choice, and the verdict before and after."""
    report = get_report_for(db, report_id=report_id, account=moderator)
    return service.merge_preview(db, report=report, toilet_id=toilet_id)


@router.get(f"{PREFIX}/queue", response_model=QueueStats)
def queue_overview(db: SessionDep, _: ModeratorAccount, settings: SettingsDep) -> dict[str, Any]:
    return queue.queue_stats(db, settings=settings)


def _labelled(labels: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    return [{"code": code, "label_ko": ko, "label_en": en} for code, (ko, en) in labels.items()]


@router.get(f"{PREFIX}/reason-codes", response_model=list[ReasonCode])
def reason_codes() -> list[dict[str, str]]:
    return _labelled(REJECT_REASONS)


@router.get(f"{PREFIX}/vocabulary", response_model=ModerationVocabulary)
def vocabulary() -> dict[str, list[dict[str, str]]]:
    """Decision actions, report statuses and the criteria a moderator may confirm by eye, in
    the order the console lists them, with their Korean and English labels."""
    return {"actions": _labelled(ACTION_LABELS), "report_statuses": _labelled(REPORT_STATUS_LABELS),
            "confirmable": _labelled(CONFIRMABLE_LABELS), "change_requests": _labelled(CHANGE_REQUESTS),
            "duplicate_evidence": _labelled(EVIDENCE_LABELS), "reference_flags": _labelled(FLAG_LABELS),
            "reference_match_statuses": _labelled(MATCH_STATUS_LABELS),
            "reference_match_methods": _labelled(MATCH_METHOD_LABELS)}


@router.get(f"{PREFIX}/reviews", response_model=PendingReviews)
def pending_second_reviews(db: SessionDep, _: ModeratorAccount) -> dict[str, Any]:
    """Decisions waiting for a second moderator."""
    return {"items": reviews_view(db, service.pending_reviews(db))}


@router.post(f"{PREFIX}/reviews/{{review_id}}/second-review", response_model=DecisionResult)
def second_review(review_id: BigId, body: SecondReviewRequest, db: SessionDep, moderator: ModeratorAccount,
                  settings: SettingsDep) -> dict[str, Any]:
    decision = service.second_review(db, review_id=review_id, moderator=moderator, outcome=body.outcome,
                                     comment=body.comment, settings=settings)
    return _decision_out(db, decision, moderator)


@router.post(f"{PREFIX}/toilets/{{toilet_id}}/retire", response_model=DecisionResult)
def retire(toilet_id: uuid.UUID, body: Annotated[RetireRequest, Body()], db: SessionDep,
           moderator: ModeratorAccount, settings: SettingsDep) -> dict[str, Any]:
    """Retire a published toilet (closed, removed) with a reason; waits for a second review by default."""
    decision = service.request_retirement(db, toilet_id=str(toilet_id), moderator=moderator, reason=body.reason,
                                          settings=settings)
    return _decision_out(db, decision, moderator)


@router.get("/api/v1/reports/{report_id}/history", tags=["reports"], response_model=ReportHistory,
            response_model_exclude_unset=True)  # a volunteer's copy has no moderator names, not null ones
def history_of_report(report_id: BigId, db: SessionDep, account: CurrentAccount) -> dict[str, Any]:
    """Moderators and admins see who did what; the volunteer who sent it sees what happened."""
    report = get_report_for(db, report_id=report_id, account=account)
    return report_history(db, report=report, show_actors=account.role in ("moderator", "admin"))


@router.get("/api/v1/toilets/{toilet_id}/history", tags=["toilets"], response_model=ToiletHistory)
def history_of_toilet(toilet_id: uuid.UUID, db: ReadSessionDep) -> dict[str, Any]:
    """Public: versions, change-log entries and audited actions (no names)."""
    return toilet_history(db, toilet_id)
