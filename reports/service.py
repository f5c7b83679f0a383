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
from types import SimpleNamespace
from datetime import datetime
from typing import Any

from geoalchemy2.shape import from_shape
from psycopg.rows import namedtuple_row
from psycopg.types.json import Jsonb
from shapely import LineString, Point
from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, make_transient_to_detached

from accounts.models import Account
from core.audit import record_audit
from core.config import Settings
from core.errors import fail, field_error
from geo.districts import DISTRICTS, district_in_address, normalise_district_name
from geo.service import district_of_point_sql, locate_point, tolerance_deg
from geo.validation import RouteRules, check_obstacles, check_point, check_route
from mobile_schema.registry import SchemaRegistry
from reports.duplicates import (
    CANDIDATE_LIMIT,
    NEARBY_SQL,
    Candidate,
    ReportPlace,
    assess_candidates_of,
    find_candidates_of,
    nearby_params,
)
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


@dataclass(frozen=True)
class PlaceClaims:
    """What a payload says about its place, checked without the database: the point's own
    errors (nothing else is checked then), the route, obstacle and district-name errors, and the
    districts its place fields name, (field, code) each."""
    lon: float
    lat: float
    point_errors: list
    errors: list
    named: list[tuple[str, str]]


def read_place(payload: dict[str, Any], settings: Settings) -> PlaceClaims:
    loc = payload["location"]
    lon, lat = float(loc["lon"]), float(loc["lat"])
    point_errors = check_point(lon, lat)
    if point_errors:
        return PlaceClaims(lon, lat, point_errors, [], [])
    access = payload.get("access_route") or {}
    path = access.get("path")
    rules = route_rules(settings)
    errors = check_route(path["coordinates"] if path else None, toilet=(lon, lat),
                         accuracy_m=loc.get("accuracy_m"), rules=rules)
    errors += check_obstacles(access.get("obstacles"), route=path["coordinates"] if path else None,
                              toilet=(lon, lat), rules=rules)
    place_fields = payload.get("place") or {}
    named: list[tuple[str, str]] = []
    for key in ("district", "road_address", "lot_address"):
        value = place_fields.get(key)
        code = normalise_district_name(value) if key == "district" else district_in_address(value)
        if key == "district" and value and code is None:
            errors.append(field_error("place.district", "서울의 25개 자치구 이름이 아닙니다 (예: 강남구).",
                                      "Not one of Seoul's 25 districts (e.g. 강남구 / Gangnam-gu)."))
        if code:
            named.append((key, code))
    return PlaceClaims(lon, lat, point_errors, errors, named)


def place_checked(claims: PlaceClaims, district_code: str | None) -> CheckedPlace:
    """The claims judged against the district that holds the point (None: outside Seoul);
    raises ValidationFailed listing each broken rule."""
    if district_code is None:
        raise fail("invalid_report", field_error("location", "서울 밖의 위치입니다. 서울 안의 화장실만 제보할 수 있습니다.",
                                                 "This point is outside Seoul; only toilets in Seoul can be reported."))
    if claims.errors:
        raise fail("invalid_report", *claims.errors)
    # An address naming another district is worth a moderator's look, not a rejection:
    # points near a district border and addresses of the building's main entrance differ.
    warnings = [{
        "path": f"place.{key}",
        "message_ko": f"적은 자치구는 {DISTRICTS[named][0]}인데 위치는 {DISTRICTS[district_code][0]}입니다. 확인해 주세요.",
        "message_en": f"The place says {DISTRICTS[named][1]} but the point is in "
                      f"{DISTRICTS[district_code][1]}. Please check.",
    } for key, named in claims.named if named != district_code]
    return CheckedPlace(district_code, bool(warnings), warnings)


def check_geometry(db: Session, payload: dict[str, Any], settings: Settings) -> CheckedPlace:
    """Every geometry rule of DESIGN.md; raises ValidationFailed listing each broken one."""
    claims = read_place(payload, settings)
    if claims.point_errors:
        raise fail("invalid_report", *claims.point_errors)
    place = locate_point(db, lon=claims.lon, lat=claims.lat, tolerance_m=settings.seoul_border_tolerance_m)
    return place_checked(claims, place.district_code if place.inside_seoul else None)


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


def plain_columns(payload: dict[str, Any]) -> dict[str, Any]:
    """The normalised columns a (latest-version) payload gives a report row, but its geometry
    and district."""
    loc, place = payload["location"], payload["place"]
    return dict(
        observed_at=datetime.fromisoformat(payload["observed_at"].replace("Z", "+00:00")),
        accuracy_m=loc.get("accuracy_m"),
        location_source=loc["source"],
        name=place["name"].strip(),
        building_name=place.get("building_name"),
        floor=place.get("floor"),
    )


def derived_columns(payload: dict[str, Any], checked: CheckedPlace) -> dict[str, Any]:
    """The normalised columns a (latest-version) payload gives a report row."""
    loc = payload["location"]
    path = (payload.get("access_route") or {}).get("path")
    return dict(
        plain_columns(payload),
        location=from_shape(Point(loc["lon"], loc["lat"]), srid=4326),
        route_path=from_shape(LineString(path["coordinates"]), srid=4326) if path else None,
        district_code=checked.district_code,
        district_mismatch=checked.district_mismatch,
    )


def submit_report(
    db: Session, *, volunteer: Account, body: Any, registry: SchemaRegistry, settings: Settings
) -> Submission:
    payload = registry.accept(body)  # validated, text cleaned, upgraded to the latest form
    submission_id = uuid.UUID(body["client_submission_id"])
    fingerprint = body_fingerprint(body)
    claims = read_place(payload, settings)
    if claims.point_errors or claims.errors or (payload.get("place") or {}).get("existing_toilet_id") is not None:
        return _submit_in_steps(db, volunteer=volunteer, body=body, submission_id=submission_id,
                                fingerprint=fingerprint, payload=payload, settings=settings)
    # The common case, a valid new report: the retry check, the district of the point, the
    # INSERT, the duplicate search and the audit row in one statement (one round trip).
    values = _report_values(volunteer, body, submission_id, fingerprint, payload)
    row = _run_submit(db, {
        **values, **nearby_params([(_report_place(payload, values["name"]), None)], radius_m=settings.duplicate_radius_m),
        "tol": settings.seoul_border_tolerance_m, "deg_border": tolerance_deg(settings.seoul_border_tolerance_m),
        "named": [code for _, code in claims.named], "submission_text": str(submission_id),
        "limit": CANDIDATE_LIMIT})
    if row.seen or (row.id is None and row.district_code is not None):  # a retry, or a concurrent twin won
        existing = _find_submission(db, volunteer.id, submission_id)
        assert existing is not None
        return _replay(db, existing, fingerprint)
    checked = place_checked(claims, row.district_code)  # raises outside Seoul (nothing was stored)
    report = _stored_report(db, values, row, payload)
    candidates = assess_candidates_of(db, [_report_place(payload, report.name)],
                                      [SimpleNamespace(**n) for n in row.nearby or ()],
                                      radius_m=settings.duplicate_radius_m)[0]
    _store_candidates(db, [(report.id, candidates)])  # a new report has none to replace
    return Submission(report, True, _as_returned(candidates), checked.warnings, photos=[])


def _submit_in_steps(db: Session, *, volunteer: Account, body: dict[str, Any], submission_id: uuid.UUID,
                     fingerprint: str, payload: dict[str, Any], settings: Settings) -> Submission:
    """A report some check will refuse, or one naming a toilet: each check on its own, in the
    order of the module's docstring (a retry is answered before any geometry is looked at)."""
    seen = db.execute(_SUBMISSION_EXISTS, {"v": volunteer.id, "s": submission_id}).first()
    if seen is not None:
        existing = _find_submission(db, volunteer.id, submission_id)
        assert existing is not None
        return _replay(db, existing, fingerprint)
    checked = check_geometry(db, payload, settings)
    check_existing_toilet(db, payload)
    values = dict(_identity_columns(volunteer, body, submission_id, fingerprint, payload),
                  **derived_columns(payload, checked))
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


def _identity_columns(volunteer: Account, body: dict[str, Any], submission_id: uuid.UUID, fingerprint: str,
                      payload: dict[str, Any]) -> dict[str, Any]:
    return dict(volunteer_id=volunteer.id, client_submission_id=submission_id, body_sha256=fingerprint,
                schema_version=body["schema_version"], raw_payload=body, payload=payload)


def _report_values(volunteer: Account, body: dict[str, Any], submission_id: uuid.UUID, fingerprint: str,
                   payload: dict[str, Any]) -> dict[str, Any]:
    """The binds of _SUBMIT: a new report's columns but its district (the database finds it), its
    geometry given as lon, lat and the route's WKB."""
    loc = payload["location"]
    path = (payload.get("access_route") or {}).get("path")
    return dict(_identity_columns(volunteer, body, submission_id, fingerprint, payload), **plain_columns(payload),
                lon=float(loc["lon"]), lat=float(loc["lat"]),
                route_wkb=LineString(path["coordinates"]).wkb if path else None)


def _report_place(payload: dict[str, Any], name: str) -> ReportPlace:
    loc, place = payload.get("location") or {}, payload.get("place") or {}
    return ReportPlace(lon=float(loc["lon"]), lat=float(loc["lat"]), name=name, floor=place.get("floor"),
                       building_name=place.get("building_name"), existing_toilet_id=place.get("existing_toilet_id"))


def _stored_report(db: Session, values: dict[str, Any], row: Any, payload: dict[str, Any]) -> Report:
    """The report just inserted, from the values sent and the statement's RETURNING row, in the
    session as if loaded (no query); the geometry columns load on first access."""
    report = Report(id=row.id, status=row.status, revision=row.revision, submitted_at=row.submitted_at,
                    updated_at=row.updated_at, moderator_message=row.moderator_message,
                    district_code=row.district_code, district_mismatch=row.district_mismatch,
                    **{k: v for k, v in values.items() if k not in ("lon", "lat", "route_wkb")})
    make_transient_to_detached(report)
    db.add(report)
    return report


_SUBMISSION_EXISTS = text("SELECT 1 FROM reports WHERE volunteer_id = :v AND client_submission_id = :s")
_INSERT_REPORT = (
    pg_insert(Report)
    .on_conflict_do_nothing(constraint="uq_reports_volunteer_submission")
    .returning(Report)
)
_POINT = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)"
# district_of_point_sql binds :tol and :deg, as NEARBY_SQL does for the duplicate radius: renamed here.
_DISTRICT_OF_POINT = district_of_point_sql(_POINT).replace(":deg", ":deg_border")
# The snapshot of one statement does not hold the row its own INSERT adds, so the duplicate
# search cannot find the new report itself (its `excludes` bind is [NULL]). The audit detail
# counts the candidates as find_candidates keeps them: every neighbour, up to :limit.
# district_mismatch: the point's district differs from one named by the place (place_checked).
_SUBMIT = text(f"""
WITH seen AS (SELECT 1 FROM reports WHERE volunteer_id = :volunteer_id AND client_submission_id = :client_submission_id),
place AS (SELECT {_DISTRICT_OF_POINT} AS code),
stored AS (
    INSERT INTO reports (volunteer_id, client_submission_id, body_sha256, schema_version, raw_payload, payload,
                         observed_at, location, accuracy_m, location_source, route_path, name, building_name, floor,
                         district_code, district_mismatch)
    SELECT :volunteer_id, :client_submission_id, :body_sha256, :schema_version, :raw_payload, :payload,
           :observed_at, {_POINT}, :accuracy_m, :location_source, ST_GeomFromWKB(:route_wkb, 4326),
           :name, :building_name, :floor, place.code, place.code <> ANY(CAST(:named AS text[]))
      FROM place WHERE place.code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM seen)
    ON CONFLICT ON CONSTRAINT uq_reports_volunteer_submission DO NOTHING
    RETURNING id, status, revision, submitted_at, updated_at, moderator_message, district_mismatch),
nearby AS ({NEARBY_SQL}),
audited AS (
    INSERT INTO audit_log (actor_id, action, object_type, object_id, detail)
    SELECT :volunteer_id, 'report.submit', 'report', stored.id::text,
           jsonb_build_object('client_submission_id', CAST(:submission_text AS text),
                              'schema_version', CAST(:schema_version AS integer),
                              'duplicate_candidates', (SELECT least(count(*), :limit) FROM nearby))
      FROM stored)
SELECT place.code AS district_code, EXISTS (SELECT 1 FROM seen) AS seen, stored.*,
       (SELECT json_agg(nearby) FROM nearby WHERE EXISTS (SELECT 1 FROM stored)) AS nearby
  FROM place LEFT JOIN stored ON true
""").bindparams(bindparam("raw_payload", type_=JSONB), bindparam("payload", type_=JSONB))


# _SUBMIT as psycopg takes it (binds as %(name)s), compiled once.
_SUBMIT_SQL = str(_SUBMIT.compile(dialect=psycopg_dialect()))
# PostgreSQL would plan _SUBMIT afresh on every execution (a custom plan: it never judges the
# generic one cheaper), about 0.9 ms of its CPU, four times what executing it costs; the generic
# plan, made once per connection, runs as fast (docs/performance.md "Ingest"). Transaction-local.
_GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan"


def _run_submit(db: Session, params: dict[str, Any]) -> Any:
    """_SUBMIT's one row, run on the session's connection (its transaction) through psycopg
    itself: one pipeline (one round trip) with the SET that keeps its plan, prepared on the
    server, without SQLAlchemy's statement machinery on the hot path. Columns by attribute."""
    db.flush()
    raw = db.connection().connection.driver_connection
    params = params | {"raw_payload": Jsonb(params["raw_payload"]), "payload": Jsonb(params["payload"])}
    cursor = raw.cursor(row_factory=namedtuple_row)
    with raw.pipeline():
        raw.execute(_GENERIC_PLANS)
        cursor.execute(_SUBMIT_SQL, params, prepare=True)
    return cursor.fetchone()


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
    return refresh_candidates_of(db, [report], settings=settings)[0]


def refresh_candidates_of(db: Session, reports: list[Report], *, settings: Settings) -> list[list[Candidate]]:
    """refresh_candidates for several reports in a handful of statements (a claim's batch)."""
    places = [(_report_place(report.payload or {}, report.name), report.id) for report in reports]
    found = find_candidates_of(db, places, radius_m=settings.duplicate_radius_m)
    if reports:
        db.execute(delete(DuplicateCandidate).where(DuplicateCandidate.report_id.in_([r.id for r in reports])))
    _store_candidates(db, [(report.id, candidates) for report, candidates in zip(reports, found, strict=True)])
    return found


def _store_candidates(db: Session, found: list[tuple[int, list[Candidate]]]) -> None:
    rows = [(report_id, c) for report_id, candidates in found for c in candidates]
    if rows:  # one statement of fixed text whatever the number of rows (arrays, not VALUES lists)
        db.execute(_INSERT_CANDIDATES, {
            "report_ids": [r for r, _ in rows], "types": [c.candidate_type for _, c in rows],
            "ids": [c.candidate_id for _, c in rows], "distances": [c.distance_m for _, c in rows],
            "similarities": [c.name_similarity for _, c in rows], "same_floors": [c.same_floor for _, c in rows],
            "names": [c.candidate_name for _, c in rows], "likely": [c.likely for _, c in rows],
            "evidence": [json.dumps(list(c.evidence)) for _, c in rows]})


_INSERT_CANDIDATES = text("""
    INSERT INTO report_duplicate_candidates (report_id, candidate_type, candidate_id, distance_m, name_similarity,
                                             same_floor, candidate_name, likely, evidence)
    SELECT u.report_id, u.type, u.id, u.distance, u.similarity, u.same_floor, u.name, u.likely, u.evidence::jsonb
      FROM unnest(CAST(:report_ids AS bigint[]), CAST(:types AS text[]), CAST(:ids AS text[]),
                  CAST(:distances AS float8[]), CAST(:similarities AS float8[]), CAST(:same_floors AS boolean[]),
                  CAST(:names AS text[]), CAST(:likely AS boolean[]), CAST(:evidence AS text[]))
           AS u (report_id, type, id, distance, similarity, same_floor, name, likely, evidence)
""")


def stored_candidates(db: Session, report_id: int) -> list[dict[str, Any]]:
    return stored_candidates_of(db, [report_id])[report_id]


def stored_candidates_of(db: Session, report_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """stored_candidates of several reports in one query (plain rows: no ORM objects to build)."""
    c = DuplicateCandidate.__table__.c
    rows = db.execute(select(c.report_id, c.candidate_type, c.candidate_id, c.candidate_name, c.distance_m,
                             c.name_similarity, c.same_floor, c.likely, c.evidence)
                      .where(c.report_id.in_(report_ids))
                      .order_by(c.report_id, c.distance_m, c.candidate_type, c.candidate_id)).all()
    out: dict[int, list[dict[str, Any]]] = {rid: [] for rid in report_ids}
    for r in rows:
        out[r.report_id].append({
            "type": r.candidate_type, "id": r.candidate_id, "name": r.candidate_name,
            "distance_m": round(r.distance_m, 1), "name_similarity": round(r.name_similarity, 3),
            "same_floor": r.same_floor, "likely_duplicate": bool(r.likely), "evidence": list(r.evidence or [])})
    return out


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
