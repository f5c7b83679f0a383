"""Submitting and reading reports.

Order of checks: the form schema (the version the phone used), then geometry, then the
idempotency key, then one INSERT … ON CONFLICT DO NOTHING so that concurrent retries of one
submission store exactly one report (ODK's instanceID rule: same id + same body is the same
submission, same id + another body is a conflict).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from geoalchemy2.shape import from_shape
from shapely import LineString, Point
from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from accounts.models import Account
from core.audit import record_audit
from core.config import Settings
from core.errors import fail, field_error
from geo.districts import DISTRICTS, district_in_address, normalise_district_name
from geo.service import locate_point
from geo.validation import RouteRules, check_obstacles, check_point, check_route
from mobile_schema.registry import SchemaRegistry
from reports.duplicates import Candidate, ReportPlace, find_candidates
from reports.models import PENDING_STATUSES, DuplicateCandidate, Report, ReportRevision
from toilets.public import toilet_summary


def body_fingerprint(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def route_rules(settings: Settings) -> RouteRules:
    return RouteRules(
        min_length_m=settings.route_min_length_m,
        max_length_m=settings.route_max_length_m,
        end_tolerance_m=settings.route_end_tolerance_m,
        start_max_distance_m=settings.route_start_near_street_m,
        obstacle_max_distance_m=settings.obstacle_max_distance_m,
    )


@dataclass
class Submission:
    report: Report
    created: bool
    candidates: list[dict[str, Any]]
    warnings: list[dict[str, str]]
    photos: list[Any] | None = None  # known without a query: a report just stored has none




@dataclass(frozen=True)
class CheckedPlace:
    district_code: str
    district_mismatch: bool
    warnings: list[dict[str, str]]


def check_geometry(db: Session, payload: dict[str, Any], settings: Settings) -> CheckedPlace:
    """Every geometry rule of DESIGN.md; raises ValidationFailed listing each broken one."""
    loc = payload["location"]
    lon, lat = float(loc["lon"]), float(loc["lat"])
    errors = check_point(lon, lat)
    if errors:
        raise fail("invalid_report", *errors)
    place = locate_point(db, lon=lon, lat=lat, tolerance_m=settings.seoul_border_tolerance_m)
    if not place.inside_seoul or place.district_code is None:
        raise fail("invalid_report", field_error("location", "서울 밖의 위치입니다. 서울 안의 화장실만 제보할 수 있습니다.",
                                                 "This point is outside Seoul; only toilets in Seoul can be reported."))
    access = payload.get("access_route") or {}
    path = access.get("path")
    rules = route_rules(settings)
    errors = check_route(path["coordinates"] if path else None, toilet=(lon, lat),
                         accuracy_m=loc.get("accuracy_m"), rules=rules)
    errors += check_obstacles(access.get("obstacles"), route=path["coordinates"] if path else None,
                              toilet=(lon, lat), rules=rules)
    place_fields = payload.get("place") or {}
    district_given = place_fields.get("district")
    warnings: list[dict[str, str]] = []
    if district_given:
        code = normalise_district_name(district_given)
        if code is None:
            errors.append(field_error("place.district", "서울의 25개 자치구 이름이 아닙니다 (예: 강남구).",
                                      "Not one of Seoul's 25 districts (e.g. 강남구 / Gangnam-gu)."))
    if errors:
        raise fail("invalid_report", *errors)
    # An address naming another district is worth a moderator's look, not a rejection:
    # points near a district border and addresses of the building's main entrance differ.
    mismatch = False
    for key in ("district", "road_address", "lot_address"):
        value = place_fields.get(key)
        named = normalise_district_name(value) if key == "district" else district_in_address(value)
        if named and named != place.district_code:
            mismatch = True
            warnings.append({
                "path": f"place.{key}",
                "message_ko": f"적은 자치구는 {DISTRICTS[named][0]}인데 위치는 {DISTRICTS[place.district_code][0]}입니다. 확인해 주세요.",
                "message_en": f"The place says {DISTRICTS[named][1]} but the point is in "
                              f"{DISTRICTS[place.district_code][1]}. Please check.",
            })
    return CheckedPlace(place.district_code, mismatch, warnings)


def check_existing_toilet(db: Session, payload: dict[str, Any]) -> None:
    """`place.existing_toilet_id` (form v2) must name a published toilet still on the map: the
    report updates it (or says it is gone), so an unknown or retired one is refused at the field."""
    toilet_id = (payload.get("place") or {}).get("existing_toilet_id")
    if toilet_id is None:
        return
    found = toilet_summary(db, toilet_id)
    if found is None:
        raise fail("invalid_report", field_error(
            "place.existing_toilet_id", "지도에 없는 화장실 번호입니다. 근처 화장실 목록에서 다시 골라 주세요.",
            "No published toilet has this id. Choose again from the toilets nearby."))
    if found["status"] != "active":
        raise fail("invalid_report", field_error(
            "place.existing_toilet_id", "이미 지도에서 내려간(폐쇄된) 화장실입니다. 새 화장실로 제보해 주세요.",
            "This toilet was already taken off the map (retired). Report it as a new toilet."))


def derived_columns(payload: dict[str, Any], checked: CheckedPlace) -> dict[str, Any]:
    """The normalised columns a (latest-version) payload gives a report row."""
    loc, place = payload["location"], payload["place"]
    path = (payload.get("access_route") or {}).get("path")
    return dict(
        observed_at=datetime.fromisoformat(payload["observed_at"].replace("Z", "+00:00")),
        location=from_shape(Point(loc["lon"], loc["lat"]), srid=4326),
        accuracy_m=loc.get("accuracy_m"),
        location_source=loc["source"],
        route_path=from_shape(LineString(path["coordinates"]), srid=4326) if path else None,
        name=place["name"].strip(),
        building_name=place.get("building_name"),
        floor=place.get("floor"),
        district_code=checked.district_code,
        district_mismatch=checked.district_mismatch,
    )


def submit_report(
    db: Session, *, volunteer: Account, body: Any, registry: SchemaRegistry, settings: Settings
) -> Submission:
    registry.validate(body)
    submission_id = uuid.UUID(body["client_submission_id"])
    fingerprint = body_fingerprint(body)

    # A cheap look for a retry (a plain indexed row check) before the costly checks below.
    seen = db.execute(_SUBMISSION_EXISTS, {"v": volunteer.id, "s": submission_id}).first()
    if seen is not None:
        existing = _find_submission(db, volunteer.id, submission_id)
        assert existing is not None
        return _replay(db, existing, fingerprint)

    payload = registry.upgrade(body)
    checked = check_geometry(db, payload, settings)
    check_existing_toilet(db, payload)
    values = dict(
        volunteer_id=volunteer.id,
        client_submission_id=submission_id,
        body_sha256=fingerprint,
        schema_version=body["schema_version"],
        raw_payload=body,
        payload=payload,
        **derived_columns(payload, checked),
    )
    # One round trip: insert, or nothing if a concurrent request with the same id won the race;
    # the statement is built once so SQLAlchemy's compiled cache serves every submission.
    report = db.scalars(_INSERT_REPORT, values).one_or_none()
    if report is None:
        existing = _find_submission(db, volunteer.id, submission_id)
        assert existing is not None
        return _replay(db, existing, fingerprint)

    candidates = refresh_candidates(db, report=report, settings=settings)
    record_audit(db, actor_id=volunteer.id, action="report.submit", object_type="report", object_id=report.id,
                 detail={"client_submission_id": str(submission_id), "schema_version": body["schema_version"],
                         "duplicate_candidates": len(candidates)})
    return Submission(report, True, _as_returned(candidates), checked.warnings, photos=[])


_SUBMISSION_EXISTS = text("SELECT 1 FROM reports WHERE volunteer_id = :v AND client_submission_id = :s")
_INSERT_REPORT = (
    pg_insert(Report)
    .on_conflict_do_nothing(constraint="uq_reports_volunteer_submission")
    .returning(Report)
)


def _as_returned(candidates: list[Candidate]) -> list[dict[str, Any]]:
    """Nearest first, as a stored report returns them: a retry or a GET reads the same list."""
    return [c.as_dict() for c in sorted(candidates, key=lambda c: (c.distance_m, c.candidate_type, c.candidate_id))]


def _find_submission(db: Session, volunteer_id: int, submission_id: uuid.UUID) -> Report | None:
    return db.scalars(select(Report).where(Report.volunteer_id == volunteer_id,
                                           Report.client_submission_id == submission_id)).one_or_none()


def _replay(db: Session, existing: Report, fingerprint: str) -> Submission:
    if existing.body_sha256 != fingerprint:
        raise fail("submission_id_reused", field_error(
            "client_submission_id", "이미 다른 내용에 쓰인 번호입니다.", "Already used for another body."))
    return Submission(existing, False, stored_candidates(db, existing.id), [])


def refresh_candidates(db: Session, *, report: Report, settings: Settings) -> list[Candidate]:
    """Find the report's duplicate candidates afresh and store them in place of the old ones
    (on submission, revision, and when a moderator claims it: toilets may have been published
    and reports sent meanwhile)."""
    payload = report.payload or {}
    loc, place = payload.get("location") or {}, payload.get("place") or {}
    candidates = find_candidates(db, place=ReportPlace(
        lon=float(loc["lon"]), lat=float(loc["lat"]), name=report.name, floor=report.floor,
        building_name=report.building_name, existing_toilet_id=place.get("existing_toilet_id")),
        radius_m=settings.duplicate_radius_m, exclude_report_id=report.id)
    db.execute(delete(DuplicateCandidate).where(DuplicateCandidate.report_id == report.id))
    _store_candidates(db, report.id, candidates)
    return candidates


def _store_candidates(db: Session, report_id: int, candidates: list[Candidate]) -> None:
    if candidates:
        db.execute(pg_insert(DuplicateCandidate), [
            {"report_id": report_id, "candidate_type": c.candidate_type, "candidate_id": c.candidate_id,
             "distance_m": c.distance_m, "name_similarity": c.name_similarity, "same_floor": c.same_floor,
             "candidate_name": c.candidate_name, "likely": c.likely, "evidence": list(c.evidence)}
            for c in candidates])


def stored_candidates(db: Session, report_id: int) -> list[dict[str, Any]]:
    rows = db.scalars(select(DuplicateCandidate).where(DuplicateCandidate.report_id == report_id)
                      .order_by(DuplicateCandidate.distance_m, DuplicateCandidate.candidate_type,
                                DuplicateCandidate.candidate_id)).all()
    return [{"type": r.candidate_type, "id": r.candidate_id, "name": r.candidate_name,
             "distance_m": round(r.distance_m, 1), "name_similarity": round(r.name_similarity, 3),
             "same_floor": r.same_floor, "likely_duplicate": bool(r.likely), "evidence": list(r.evidence or [])}
            for r in rows]


def get_report_for(db: Session, *, report_id: int, account: Account) -> Report:
    """A volunteer reaches only their own reports; moderators and admins reach all.
    Someone else's report answers 404, not 403, so ids reveal nothing."""
    report = db.get(Report, report_id)
    if report is None or (account.role == "volunteer" and report.volunteer_id != account.id) \
            or account.role == "exporter":
        raise fail("report_not_found")
    return report


def list_own_reports(db: Session, *, volunteer: Account, page: int, page_size: int) -> tuple[list[Report], int]:
    base = select(Report).where(Report.volunteer_id == volunteer.id)
    total = db.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.scalars(base.order_by(Report.submitted_at.desc(), Report.id.desc())
                      .offset((page - 1) * page_size).limit(page_size)).all()
    return list(rows), total


def submit_revision(
    db: Session, *, volunteer: Account, report_id: int, body: Any, registry: SchemaRegistry, settings: Settings
) -> Submission:
    """The volunteer's fix of a report sent back with `changes_requested`; it re-enters the queue.

    Idempotent like a submission: the revision's own `client_submission_id` with the same body
    returns the same result; with another body it is a 409.
    """
    report = db.scalars(select(Report).where(Report.id == report_id).with_for_update()).one_or_none()
    if report is None or report.volunteer_id != volunteer.id:
        raise fail("report_not_found")
    registry.validate(body)
    submission_id = uuid.UUID(body["client_submission_id"])
    fingerprint = body_fingerprint(body)
    done = db.scalars(select(ReportRevision).where(ReportRevision.report_id == report.id,
                                                   ReportRevision.client_submission_id == submission_id)).one_or_none()
    if done is not None:
        if done.body_sha256 != fingerprint:
            raise fail("submission_id_reused", field_error("client_submission_id", "이미 다른 내용에 쓰인 번호입니다.",
                                        "Already used for another body."))
        return Submission(report, False, stored_candidates(db, report.id), [])
    if report.status != "changes_requested":
        raise fail("report_not_awaiting_changes", status=report.status)
    payload = registry.upgrade(body)
    checked = check_geometry(db, payload, settings)
    check_existing_toilet(db, payload)
    report.revision += 1
    db.add(ReportRevision(report_id=report.id, revision=report.revision, client_submission_id=submission_id,
                          body_sha256=fingerprint, raw_payload=body, payload=payload))
    report.payload = payload
    report.schema_version = body["schema_version"]
    for column, value in derived_columns(payload, checked).items():
        setattr(report, column, value)
    report.status = "queued"
    report.updated_at = func.now()
    db.flush()
    candidates = refresh_candidates(db, report=report, settings=settings)
    record_audit(db, actor_id=volunteer.id, action="report.revise", object_type="report", object_id=report.id,
                 detail={"revision": report.revision})
    db.refresh(report)
    return Submission(report, True, _as_returned(candidates), checked.warnings)


def pending_reports_around(db: Session, *, lon: float, lat: float, radius_m: float,
                           exclude_id: int | None = None) -> list[dict[str, Any]]:
    """Reports still waiting for a decision within `radius_m` metres (the console's map)."""
    return [dict(r) for r in db.execute(text("""
        SELECT id, name, floor, status, ST_X(location) AS lon, ST_Y(location) AS lat FROM reports
         WHERE id IS DISTINCT FROM :id AND status = ANY(:st)
           AND ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :r)"""),
        {"id": exclude_id, "st": list(PENDING_STATUSES), "lon": lon, "lat": lat, "r": radius_m}).mappings()]
