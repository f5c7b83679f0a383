"""Decisions on reports, second review and retirement: the rules of 검수 (checking) and 정제 (cleaning).

Every function here only flushes. The caller's one transaction holds the report's state change,
the review row, the toilet's new version, its change-log entries and the audit rows, so either
all of them happen or none (DESIGN.md "Rules that hold everywhere").

Transitions of a report (anything else is 409 `invalid_transition`):

    queued --claim--> in_review --approve--> approved            (or pending_second_review)
                                --merge----> merged              (or pending_second_review)
                                --retire---> merged              (or pending_second_review)
                                --request_changes--> changes_requested --revision--> queued
                                --reject---> rejected
                                --release / lease expiry--> queued
    pending_second_review --confirm--> approved | merged
                          --overturn-> queued
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from accounts.models import Account
from core.audit import record_audit, record_audits
from missions.service import report_published
from core.config import Settings
from core.errors import fail, field_error
from mobile_schema.registry import SchemaRegistry
from moderation.edits import apply_edits, touches_geometry
from moderation.models import CHANGE_REQUESTS, REJECT_REASONS, Review
from moderation.queue import clear_claim, lock_report, lock_report_at, require_claim
from moderation.suggestions import GONE_REASONS, named_toilet
from moderation.rules import SecondReviewPolicy, second_review_reasons
from reference.person import FIELD as REFERENCE_FIELD
from reference.person import match_by_person, record_id_of
from reports.models import Report
from reports.service import check_geometry
from toilets.models import Toilet
from toilets.merge import check_choices
from toilets.changelog import change_log_last
from toilets.service import create_toilet, merge_plan, merged_result, published_data, retire_toilet, update_toilet
from toilets.verdict import CONFIRMABLE, toilet_verdict

DECISION_ACTIONS = ("approve", "merge", "request_changes", "reject", "retire")


@dataclass
class Decision:
    review: Review
    report: Report | None
    toilet: Toilet | None
    published: bool


def _now(db: Session) -> datetime:
    return db.execute(text("SELECT now()")).scalar_one()


def lock_toilet(db: Session, toilet_id: uuid.UUID | str | None, *, path: str = "merge_into") -> Toilet:
    if toilet_id is None or toilet_id == "":
        raise fail("invalid_decision", field_error(path, "대상 화장실을 골라 주세요.", "Choose the published toilet."))
    try:
        tid = toilet_id if isinstance(toilet_id, uuid.UUID) else uuid.UUID(str(toilet_id))
    except ValueError:
        raise fail("invalid_decision", field_error(
            path, "화장실 번호 형식이 올바르지 않습니다.", "Not a toilet id (UUID).")) from None
    toilet = db.execute(select(Toilet).where(Toilet.id == tid).with_for_update()
                        .execution_options(populate_existing=True)).scalar_one_or_none()
    if toilet is None:
        raise fail("toilet_not_found", field_error(path, "없는 화장실입니다.", "No such toilet."))
    if toilet.status != "active":
        raise fail("toilet_retired", field_error(path, "폐쇄된 화장실입니다.", "This toilet is retired."))
    return toilet


def _check_confirmed(confirmed: list[str] | None) -> list[str]:
    confirmed = sorted(set(confirmed or []))
    unknown = [c for c in confirmed if c not in CONFIRMABLE]
    if unknown:
        raise fail("invalid_decision", field_error("confirmed", f"확인할 수 있는 항목: {', '.join(CONFIRMABLE)}",
                        f"Unknown criteria {unknown}; confirmable: {', '.join(CONFIRMABLE)}"))
    return confirmed


@dataclass(frozen=True)
class DecisionInput:
    """What a moderator sends with a decision; which fields count depends on `action`."""
    action: str
    edits: dict[str, Any] | None = None
    confirmed: list[str] | None = None
    merge_into: str | None = None
    toilet_id: str | None = None
    reason_code: str | None = None
    comment: str | None = None
    message: str | None = None
    # approve / merge: True publishes to the public layer only (not Smart Seoul Map), False to
    # both; None leaves a merged toilet's choice as it was (a new toilet: both).
    public_layer_only: bool | None = None
    # merge: field path → "published" | "report" where the moderator overrides the default
    field_choices: dict[str, str] | None = None
    # approve / merge: the management number of the city's record the report checks (accepted in
    # the console); publishing matches it to the toilet. A mission's record needs no naming.
    reference_management_no: str | None = None


@dataclass(frozen=True)
class _Context:
    db: Session
    registry: SchemaRegistry
    settings: Settings
    # audit rows of the decision, written together at its end (one statement)
    audits: list[dict[str, Any]] = field(default_factory=list)

    @property
    def policy(self) -> SecondReviewPolicy:
        return SecondReviewPolicy.from_settings(self.settings)


def _prepare_publication(ctx: _Context, review: Review, report: Report, given: DecisionInput) -> list[str]:
    """approve / merge: the edited payload, its checks, and whether a second moderator must look.
    A merge without `merge_into` goes into the toilet the report names (form v2)."""
    review.confirmed = _check_confirmed(given.confirmed)
    payload, diff = apply_edits(report.payload, given.edits or {})
    if diff:
        ctx.registry.validate(payload)
        if touches_geometry(diff):
            check_geometry(ctx.db, payload, ctx.settings)
    review.edits = diff
    review.proposed_payload = payload
    review.public_layer_only = given.public_layer_only
    review.reference_toilet_id = _tied_reference(ctx.db, report, given)
    if given.action != "merge":
        if given.field_choices:
            raise fail("invalid_decision", field_error("field_choices", "필드별 선택은 병합에만 씁니다.",
                                                       "field_choices are for a merge only."))
        new_verdict = toilet_verdict(published_data(payload), frozenset(review.confirmed))
        return second_review_reasons(action=given.action, policy=ctx.policy, published_verdict=None,
                                     new_verdict=new_verdict)
    target = lock_toilet(ctx.db, given.merge_into or named_toilet(report))
    review.toilet_id = target.id
    problems = check_choices(given.field_choices, {f.path for f in merge_plan(target, payload)})
    if problems:
        raise fail("invalid_decision", *[field_error(path, ko, en) for path, ko, en in problems])
    review.field_choices = dict(given.field_choices or {})
    # the verdict the toilet would have: merged field by field, with the confirmations it keeps
    data, _, confirmed = merged_result(target, payload, choices=review.field_choices,
                                       confirmed=frozenset(review.confirmed))
    return second_review_reasons(action="merge", policy=ctx.policy, published_verdict=target.verdict,
                                 new_verdict=toilet_verdict(data, confirmed))


def _tied_reference(db: Session, report: Report, given: DecisionInput) -> int | None:
    """The reference record publishing the report ties to the toilet (reference.person): the one
    the moderator names, else the one a mission sent the volunteer to check (or none)."""
    if not given.reference_management_no:
        return report.reference_record_id
    record = record_id_of(db, given.reference_management_no)
    if report.reference_record_id is not None and record != report.reference_record_id:
        raise fail("invalid_decision", field_error(
            REFERENCE_FIELD, "이 제보는 확인 요청으로 다른 기록을 확인합니다.",
            "A mission sent this report to check another record of the list."))
    return record


def _prepare_retirement(ctx: _Context, review: Review, report: Report, given: DecisionInput) -> list[str]:
    """retire: the toilet given, or the one the report says is gone (form v2), whose answer is
    the reason when the moderator writes none."""
    target = lock_toilet(ctx.db, given.toilet_id or named_toilet(report), path="toilet_id")
    gone = ((report.payload or {}).get("place") or {}).get("existing_toilet_gone")
    if not review.comment and gone in GONE_REASONS and str(target.id) == named_toilet(report):
        review.comment = " / ".join(GONE_REASONS[gone])
    if not review.comment:
        raise fail("invalid_decision", field_error("comment", "폐쇄 사유를 적어 주세요.", "Give the reason for retiring."))
    review.toilet_id = target.id
    return second_review_reasons(action="retire", policy=ctx.policy, published_verdict=target.verdict,
                                 new_verdict=None)


def _prepare_changes_request(ctx: _Context, review: Review, report: Report, given: DecisionInput) -> list[str]:
    """The message to the volunteer: the moderator's own, or the words of a named request
    (`reason_code` in CHANGE_REQUESTS, e.g. add_entrance_photo), Korean then English."""
    if given.reason_code is not None and given.reason_code not in CHANGE_REQUESTS:
        raise fail("invalid_decision", field_error("reason_code", f"요청 코드: {', '.join(CHANGE_REQUESTS)}",
                                                   f"reason_code must be one of {', '.join(CHANGE_REQUESTS)}."))
    message = (given.message or "").strip()
    if not message and given.reason_code is not None:
        message = " / ".join(CHANGE_REQUESTS[given.reason_code])
    if not message:
        raise fail("invalid_decision", field_error(
            "message", "봉사자에게 보낼 요청을 적어 주세요.", "Write the message to the volunteer."))
    review.message = message
    review.reason_code = given.reason_code
    return []


def _prepare_rejection(ctx: _Context, review: Review, report: Report, given: DecisionInput) -> list[str]:
    if given.reason_code not in REJECT_REASONS:
        raise fail("invalid_decision", field_error("reason_code", f"사유 코드: {', '.join(REJECT_REASONS)}",
                                                   f"reason_code must be one of {', '.join(REJECT_REASONS)}."))
    if given.reason_code == "other" and not review.comment:
        raise fail("invalid_decision", field_error(
            "comment", "'기타' 사유는 설명이 필요합니다.", "Reason 'other' needs a comment."))
    review.reason_code = given.reason_code
    return []


def _settle_publication(ctx: _Context, review: Review, report: Report, moderator: Account) -> Toilet:
    return _publish(ctx.db, review=review, report=report, actor=moderator, settings=ctx.settings, audits=ctx.audits)


def _settle_changes_request(ctx: _Context, review: Review, report: Report, moderator: Account) -> None:
    report.status = "changes_requested"
    report.moderator_message = review.message


def _settle_rejection(ctx: _Context, review: Review, report: Report, moderator: Account) -> None:
    report.status = "rejected"


@dataclass(frozen=True)
class _ActionHandler:
    # checks the input and fills the review; returns why a second moderator must look (or [])
    prepare: Callable[[_Context, Review, Report, DecisionInput], list[str]]
    # carries out a final decision: the report's new state, and the published toilet if any
    settle: Callable[[_Context, Review, Report, Account], Toilet | None]


_HANDLERS: dict[str, _ActionHandler] = {
    "approve": _ActionHandler(_prepare_publication, _settle_publication),
    "merge": _ActionHandler(_prepare_publication, _settle_publication),
    "retire": _ActionHandler(_prepare_retirement, _settle_publication),
    "request_changes": _ActionHandler(_prepare_changes_request, _settle_changes_request),
    "reject": _ActionHandler(_prepare_rejection, _settle_rejection),
}
assert set(_HANDLERS) == set(DECISION_ACTIONS)


def decide(db: Session, *, report_id: int, moderator: Account, given: DecisionInput, registry: SchemaRegistry,
           settings: Settings) -> Decision:
    """The claim holder's decision on a report (see the module docstring for the transitions)."""
    handler = _HANDLERS.get(given.action)
    if handler is None:
        raise fail("invalid_decision", field_error("action", f"결정은 {', '.join(DECISION_ACTIONS)} 중 하나입니다.",
                                                   f"action must be one of {', '.join(DECISION_ACTIONS)}."))
    if given.reference_management_no and given.action not in ("approve", "merge"):
        raise fail("invalid_decision", field_error(REFERENCE_FIELD, "공공 화장실 기록은 승인·병합에만 연결합니다.",
                                                   "A reference record is tied by an approval or a merge only."))
    # The change log is written last, just before the commit: publishers wait for one another
    # only over that end of their transactions (toilets.changelog).
    with change_log_last(db):
        ctx = _Context(db, registry, settings)
        report, now = lock_report_at(db, report_id)
        require_claim(db, report, moderator, now)
        review = Review(report_id=report.id, report_revision=report.revision, moderator_id=moderator.id,
                        partner_id=moderator.partner_id, action=given.action, status="final",
                        comment=(given.comment or "").strip() or None)
        reasons = handler.prepare(ctx, review, report, given)
        review.second_review_reasons = reasons
        if reasons:
            review.status = "pending"
        db.add(review)
        db.flush()

        clear_claim(report)
        report.updated_at = now
        toilet = None
        if reasons:
            report.status = "pending_second_review"
        else:
            toilet = handler.settle(ctx, review, report, moderator)
        record_audits(db, ctx.audits + [dict(
            actor_id=moderator.id, action=f"report.{given.action}", object_type="report", object_id=report.id,
            reason=review.comment or review.message or review.reason_code,
            detail={"review_id": review.id, "status": report.status, "edits": review.edits,
                    "second_review_reasons": reasons, "toilet_id": str(review.toilet_id or "") or None})])
    return Decision(review, report, toilet, toilet is not None)


def _publish(db: Session, *, review: Review, report: Report | None, actor: Account, settings: Settings,
             audits: list[dict[str, Any]] | None = None) -> Toilet:
    """Carry out an approved review on the published layer (toilet version + change log + audit).
    The audit row goes to `audits` when given (the caller writes it), else it is written now."""
    tolerance = settings.seoul_border_tolerance_m
    confirmed = frozenset(review.confirmed or [])
    if review.action == "approve":
        assert review.proposed_payload is not None and report is not None
        report.status = "approved"  # before the toilet's first flush: one UPDATE of the report
        toilet = create_toilet(db, payload=review.proposed_payload, report_id=report.id, review_id=review.id,
                               confirmed=confirmed, border_tolerance_m=tolerance)
        review.toilet_id = toilet.id
        op = "toilet.create"
    elif review.action == "merge":
        assert review.proposed_payload is not None and report is not None
        report.status = "merged"
        toilet = lock_toilet(db, review.toilet_id)
        update_toilet(db, toilet=toilet, payload=review.proposed_payload, report_id=report.id,
                      review_id=review.id, confirmed=confirmed, border_tolerance_m=tolerance,
                      choices=review.field_choices or None)
        op = "toilet.update"
    else:  # retire
        if report is not None:
            report.status = "merged"
        toilet = lock_toilet(db, review.toilet_id, path="toilet_id")
        retire_toilet(db, toilet=toilet, reason=review.comment or "", report_id=report.id if report else None,
                      review_id=review.id)
        op = "toilet.retire"
    if review.action != "retire" and review.public_layer_only is not None:
        toilet.public_layer_only = review.public_layer_only
    if report is not None:
        report_published(db, report_id=report.id, toilet_id=toilet.id)  # its mission, if any, is done
    entries = [dict(actor_id=actor.id, action=op, object_type="toilet", object_id=toilet.id, reason=review.comment,
                    detail={"version": toilet.version, "verdict": toilet.verdict, "review_id": review.id,
                            "report_id": report.id if report else None, "edits": review.edits,
                            "public_layer_only": toilet.public_layer_only})]
    if review.action != "retire":
        entries += _tie_reference(db, review=review, report=report, toilet=toilet, actor=actor)
    if audits is None:
        record_audits(db, entries)
    else:
        audits.extend(entries)
    return toilet


def _tie_reference(db: Session, *, review: Review, report: Report | None, toilet: Toilet,
                   actor: Account) -> list[dict[str, Any]]:
    """An approval or merge of a report that checks a reference record matches the record to the
    published toilet as the deciding moderator's match (reference.person); its audit entry."""
    record_id = review.reference_toilet_id or (report.reference_record_id if report is not None else None)
    if record_id is None:
        return []
    entry = match_by_person(db, record_id=record_id, toilet_id=toilet.id, person_id=review.moderator_id,
                            actor_id=actor.id, review_id=review.id, report_id=report.id if report else None)
    return [entry] if entry else []


def request_retirement(db: Session, *, toilet_id: str, moderator: Account, reason: str | None,
                       settings: Settings) -> Decision:
    """Retire a published toilet (closed, removed) without a report; second review by default."""
    toilet = lock_toilet(db, toilet_id, path="toilet_id")
    reason = (reason or "").strip()
    if not reason:
        raise fail("invalid_decision", field_error(
            "reason", "폐쇄 사유를 적어 주세요.", "Give the reason for retiring."))
    reasons = second_review_reasons(action="retire", policy=SecondReviewPolicy.from_settings(settings),
                                    published_verdict=toilet.verdict, new_verdict=None)
    review = Review(report_id=None, toilet_id=toilet.id, moderator_id=moderator.id, partner_id=moderator.partner_id,
                    action="retire",
                    status="pending" if reasons else "final", comment=reason, second_review_reasons=reasons)
    db.add(review)
    db.flush()
    record_audit(db, actor_id=moderator.id, action="toilet.retire_requested", object_type="toilet",
                 object_id=toilet.id, reason=reason, detail={"review_id": review.id, "second_review_reasons": reasons})
    published = not reasons
    if published:
        # the change log last, as in decide: every publisher writes the office counts (their stripe
        # lock, migration 0017) before the change log's lock, never after it, so none waits in a circle
        with change_log_last(db):
            _publish(db, review=review, report=None, actor=moderator, settings=settings)
    return Decision(review, None, toilet, published)


def second_review(db: Session, *, review_id: int, moderator: Account, outcome: str, comment: str | None,
                  settings: Settings) -> Decision:
    """A second moderator (never the first) confirms the pending decision, which then publishes,
    or overturns it, which sends the report back to the queue for a fresh decision."""
    if outcome not in ("confirm", "overturn"):
        raise fail("invalid_decision", field_error(
            "outcome", "confirm 또는 overturn 이어야 합니다.", "outcome must be confirm or overturn."))
    review = db.execute(select(Review).where(Review.id == review_id).with_for_update()
                        .execution_options(populate_existing=True)).scalar_one_or_none()
    if review is None:
        raise fail("review_not_found")
    if review.status != "pending":
        raise fail("not_awaiting_second_review", status=review.status)
    if review.moderator_id == moderator.id:
        raise fail("second_reviewer_must_differ")
    comment = (comment or "").strip() or None
    if outcome == "overturn" and not comment:
        raise fail("invalid_decision", field_error(
            "comment", "번복하는 이유를 적어 주세요.", "Say why the decision is overturned."))
    report = lock_report(db, review.report_id) if review.report_id is not None else None
    if report is not None and report.status != "pending_second_review":
        raise fail("invalid_transition", status=report.status)
    review.second_reviewer_id = moderator.id
    review.second_comment = comment
    review.second_decided_at = _now(db)
    toilet = None
    if outcome == "confirm":
        review.status = "confirmed"
        db.flush()
        with change_log_last(db):  # as in decide (request_retirement says why)
            toilet = _publish(db, review=review, report=report, actor=moderator, settings=settings)
    else:
        review.status = "overturned"
        if report is not None:
            report.status = "queued"
    if report is not None:
        report.updated_at = review.second_decided_at
    db.flush()
    record_audit(db, actor_id=moderator.id, action=f"review.{outcome}", object_type="review", object_id=review.id,
                 reason=comment, detail={"report_id": review.report_id, "toilet_id": str(review.toilet_id or "") or None,
                                         "action": review.action})
    if report is not None:
        record_audit(db, actor_id=moderator.id, action=f"report.second_review_{outcome}", object_type="report",
                     object_id=report.id, reason=comment, detail={"review_id": review.id, "status": report.status})
    return Decision(review, report, toilet, outcome == "confirm")


def merge_preview(db: Session, *, report: Report, toilet_id: str | None) -> dict[str, Any]:
    """What merging the report (as sent, before any edits) into a published toilet would do:
    each field's published value with the version and date it came from, the report's, the
    default choice, and the verdict before and after. `toilet_id` defaults to the toilet the
    report names (form v2)."""
    target_id = toilet_id or named_toilet(report)
    if not target_id:
        raise fail("invalid_query", field_error("toilet_id", "병합할 게시 화장실을 골라 주세요.",
                                                "Choose the published toilet to merge into."))
    try:
        tid = uuid.UUID(str(target_id))
    except ValueError:
        raise fail("invalid_query", field_error("toilet_id", "화장실 번호 형식이 올바르지 않습니다.",
                                                "Not a toilet id (UUID).")) from None
    toilet = db.get(Toilet, tid)
    if toilet is None:
        raise fail("toilet_not_found", field_error("toilet_id", "없는 화장실입니다.", "No such toilet."))
    fields = merge_plan(toilet, report.payload)
    data, _, confirmed = merged_result(toilet, report.payload)
    return {"toilet_id": str(toilet.id), "toilet_version": toilet.version, "toilet_name": toilet.name,
            "toilet_status": toilet.status, "verdict_before": toilet.verdict,
            "verdict_after": toilet_verdict(data, confirmed), "confirmed_kept": sorted(toilet.confirmed or []),
            "fields": [f.as_json() for f in fields]}


def pending_reviews(db: Session) -> list[Review]:
    return list(db.scalars(select(Review).where(Review.status == "pending").order_by(Review.created_at, Review.id)))
