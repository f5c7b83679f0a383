"""How reviews, claims and report histories read in the moderation API and console."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from accounts.models import Account
from exports.consumer_check import MESSAGES, record_findings, severity
from exports.profiles.smart_seoul_map import USABLE
from moderation.models import CHANGE_REQUEST_FOR, CHANGE_REQUESTS, REJECT_REASONS, Review
from reference.service import nearest_references, reference_record
from reports.models import Report
from reports.photos import photos_of
from reports.representation import report_view
from reports.service import stored_candidates_of
from toilets.service import published_data
from toilets.verdict import toilet_verdict
from moderation.suggestions import suggested_decision


def _usernames(db: Session, ids: set[int | None], known: dict[int, str] | None = None) -> dict[int, str]:
    known = known or {}
    ids = {i for i in ids if i is not None and i not in known}
    if not ids:
        return dict(known)
    return {**known, **dict(db.execute(select(Account.id, Account.username).where(Account.id.in_(ids))).all())}


def review_view(review: Review, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": review.id, "report_id": review.report_id, "report_revision": review.report_revision,
        "toilet_id": str(review.toilet_id) if review.toilet_id else None,
        "action": review.action, "status": review.status,
        "moderator": names.get(review.moderator_id), "moderator_id": review.moderator_id,
        "reason_code": review.reason_code,
        "reason_label": list({**REJECT_REASONS, **CHANGE_REQUESTS}[review.reason_code]) if review.reason_code else None,
        "public_layer_only": review.public_layer_only,
        "comment": review.comment, "message": review.message, "edits": review.edits,
        "confirmed": review.confirmed, "field_choices": review.field_choices or {},
        "second_review_reasons": review.second_review_reasons,
        "second_reviewer": names.get(review.second_reviewer_id) if review.second_reviewer_id else None,
        "second_comment": review.second_comment,
        "second_decided_at": review.second_decided_at.isoformat() if review.second_decided_at else None,
        "created_at": review.created_at.isoformat() if review.created_at else None,
    }


def reviews_view(db: Session, reviews: list[Review], *, known: Account | None = None) -> list[dict[str, Any]]:
    """`known`: an account whose name the caller has (the moderator deciding): not asked for again."""
    names = _usernames(db, {r.moderator_id for r in reviews} | {r.second_reviewer_id for r in reviews},
                       {known.id: known.username} if known is not None else None)
    return [review_view(r, names) for r in reviews]


def moderation_report_view(db: Session, report: Report, *, reference_radius_m: float = 50.0) -> dict[str, Any]:
    """The report as a moderator sees it: the volunteer's fields, photos, candidates, the claim,
    and the reviews so far, and the nearest reference record within `reference_radius_m`
    (settings.reference_match_radius_m). The volunteer appears only by nickname."""
    return moderation_report_views(db, [report], reference_radius_m=reference_radius_m)[0]


def moderation_report_views(db: Session, reports: list[Report], *,
                            reference_radius_m: float = 50.0) -> list[dict[str, Any]]:
    """moderation_report_view of several reports (a claim's), each kind of thing read once for all."""
    ids = [r.id for r in reports]
    if not ids:
        return []
    candidates, photos = stored_candidates_of(db, ids), photos_of(db, ids)
    volunteers = _usernames(db, {r.volunteer_id for r in reports})
    reviews = list(db.scalars(select(Review).where(Review.report_id.in_(ids)).order_by(Review.id)))
    names = _usernames(db, {r.moderator_id for r in reviews} | {r.second_reviewer_id for r in reviews})
    references = _reference_blocks(db, reports, reference_radius_m)
    views = []
    for report, reference in zip(reports, references, strict=True):
        view = report_view(db, report, candidates=candidates[report.id], photos=photos[report.id])
        view["volunteer"] = volunteers.get(report.volunteer_id)
        view["claimed_by_id"] = report.claimed_by_id
        view["lease_expires_at"] = report.lease_expires_at.isoformat() if report.lease_expires_at else None
        view["reviews"] = [review_view(r, names) for r in reviews if r.report_id == report.id]
        view["reference"] = reference
        view["smart_seoul_map"] = smart_seoul_map_block(report.payload or {}, has_photo=bool(view["photos"]),
                                                        reference=view["reference"])
        view["suggested_decision"] = suggested_decision(db, report)
        views.append(view)
    return views


# How a finding plays out for the layer, in the console's words (exports.consumer_check.severity).
SEVERITY_LABELS: dict[str, tuple[str, str]] = {"dropped": ("빠짐", "Left out"), "clipped": ("잘림", "Clipped"),
                                               "misread": ("잘못 읽힘", "Misread"), "aborts": ("가져오기 실패", "Import fails")}


def smart_seoul_map_block(payload: dict[str, Any], *, has_photo: bool,
                          reference: dict[str, Any] | None) -> dict[str, Any]:
    """What the Smart Seoul Map layer needs and this report lacks, read with the known consumer's
    rules (exports.consumer_check.record_findings, the one definition the export and `reachable
    export check` use): a main photo, the road-name and the lot-number address (without any of
    them the consumer drops the row, so the smart-seoul-map export leaves the toilet out), a name
    or address over its column (clipped), and a verdict the consumer cannot read (unknown).

    Each finding names the change request that would answer it, and `fill` holds the addresses
    the matched reference record has where the report has none (the console fills them into the
    edits). A toilet whose report has a photo shows it as its main photo (entrance first)."""
    place = payload.get("place") or {}
    verdict = toilet_verdict(published_data(payload))
    findings = record_findings(name=place.get("name"), road_address=place.get("road_address"),
                               lot_address=place.get("lot_address"), has_main_photo=has_photo,
                               usable=USABLE.get(verdict))
    out = []
    for f in findings:
        ko, en = MESSAGES[f.code]
        level = severity(f.code)
        sko, sen = SEVERITY_LABELS[level]
        out.append({"code": f.code, "field": f.column, "severity": level, "severity_ko": sko, "severity_en": sen,
                    "message_ko": ko, "message_en": en, "change_request": CHANGE_REQUEST_FOR.get(f.code)})
    fill = {}
    for key, path in (("road_address", "place.road_address"), ("lot_address", "place.lot_address")):
        if not (place.get(key) or "").strip() and reference and (reference.get(key) or "").strip():
            fill[path] = reference[key]
    return {"complete": not any(f["severity"] == "dropped" for f in out), "findings": out, "fill": fill}


def _reference_blocks(db: Session, reports: list[Report], radius_m: float) -> list[dict[str, Any] | None]:
    """What the city's public toilet data lists at each report's point: its road and lot addresses
    and opening hours, for the moderator to check the report against (None without a point); for
    a report a mission sent to check a listed record (`reference_record_id`), that record."""
    points = [((r.payload or {}).get("location") or {}) for r in reports]
    located = [i for i, p in enumerate(points) if p.get("lon") is not None and p.get("lat") is not None
               and reports[i].reference_record_id is None]
    found = nearest_references(db, [(points[i]["lon"], points[i]["lat"]) for i in located], radius_m=radius_m)
    blocks: list[dict[str, Any] | None] = [None] * len(reports)
    for i, block in zip(located, found, strict=True):
        blocks[i] = block
    for i, r in enumerate(reports):
        if r.reference_record_id is not None:
            blocks[i] = reference_record(db, record_id=r.reference_record_id, lon=points[i].get("lon"),
                                         lat=points[i].get("lat"))
    return blocks


def report_history(db: Session, *, report: Report, show_actors: bool) -> dict[str, Any]:
    """Every audited event on the report, oldest first, and its reviews. A volunteer reading
    their own report's history sees what happened, not which moderator did it."""
    rows = db.execute(text("""
        SELECT a.id, a.at, a.action, a.reason, a.detail, a.actor_id, ac.username, ac.role
        FROM audit_log a LEFT JOIN accounts ac ON ac.id = a.actor_id
        WHERE a.object_type = 'report' AND a.object_id = :id ORDER BY a.id"""), {"id": str(report.id)}).mappings().all()
    events = []
    for r in rows:
        event = {"at": r["at"].isoformat(), "action": r["action"], "reason": r["reason"], "detail": r["detail"],
                 "actor_role": r["role"]}
        if show_actors:
            event["actor"] = r["username"]
        events.append(event)
    reviews = list(db.scalars(select(Review).where(Review.report_id == report.id).order_by(Review.id)))
    review_list = reviews_view(db, reviews)
    if not show_actors:
        for rv in review_list:
            rv.pop("moderator", None), rv.pop("moderator_id", None), rv.pop("second_reviewer", None)
    return {"report_id": report.id, "status": report.status, "events": events, "reviews": review_list}
