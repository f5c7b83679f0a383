"""Missions: opening and closing them (the worker's periodic sweep), a volunteer's list of the
ones near them, taking one, and linking the report that checks it.

The sweep is idempotent: every step is one set-based statement guarded by the partial unique
indexes of missions/models.py (at most one unfinished mission per place), so running it twice,
or on two workers at once, opens nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.audit import record_audit
from core.errors import fail, field_error
from geo.service import locate_point, tolerance_deg
from office.gaps import GAP
from reports.models import Report

PUBLISHED = ("approved", "merged")  # a linked report in these states finishes its mission
NEARBY_LIMIT = 50
IN_DISTRICT_LIMIT = 20

# Sweep steps, in order. :hold_hours, :months are the settings.
_SWEEP: tuple[tuple[str, str], ...] = (
    ("released", """
        UPDATE missions SET status = 'open', taken_by_id = NULL, taken_at = NULL
         WHERE status = 'taken' AND taken_at < now() - make_interval(hours => CAST(:hold_hours AS int))"""),
    ("reopened", """
        UPDATE missions m SET status = 'open', taken_by_id = NULL, taken_at = NULL, report_id = NULL,
                              reported_at = NULL
          FROM reports r WHERE r.id = m.report_id AND m.status = 'reported' AND r.status = 'rejected'"""),
    ("done", """
        UPDATE missions m SET status = 'done', finished_at = now()
          FROM reports r WHERE r.id = m.report_id AND m.status IN ('taken', 'reported')
           AND r.status IN ('approved', 'merged')"""),
    ("closed_gaps", f"""
        UPDATE missions m SET status = 'closed', finished_at = now()
          FROM reference_toilets rt LEFT JOIN toilets t ON t.id = rt.candidate_toilet_id
         WHERE m.kind = 'gap' AND m.reference_toilet_id = rt.id AND m.status IN ('open', 'taken')
           AND NOT ({GAP})"""),
    ("closed_reverify", """
        UPDATE missions m SET status = 'closed', finished_at = now()
          FROM toilets t
         WHERE m.kind = 'reverify' AND m.toilet_id = t.id AND m.status IN ('open', 'taken')
           AND (t.status <> 'active' OR t.last_verified_at >= now() - make_interval(months => CAST(:months AS int)))"""),
    # A record whose gap mission was done stays out while the toilet it published is active
    # (publishing matched the record to that toilet at once: reference.person).
    ("opened_gaps", f"""
        INSERT INTO missions (kind, reference_toilet_id, district_code)
        SELECT 'gap', rt.id, rt.district_code
          FROM reference_toilets rt LEFT JOIN toilets t ON t.id = rt.candidate_toilet_id
         WHERE {GAP}
           AND NOT EXISTS (SELECT 1 FROM missions m WHERE m.reference_toilet_id = rt.id
                              AND (m.status IN ('open', 'taken', 'reported')
                                   OR (m.status = 'done' AND EXISTS (SELECT 1 FROM toilets d WHERE d.id = m.toilet_id
                                                                        AND d.status = 'active'))))
        ON CONFLICT DO NOTHING"""),
    ("opened_reverify", """
        INSERT INTO missions (kind, toilet_id, district_code)
        SELECT 'reverify', t.id, t.district_code FROM toilets t
         WHERE t.status = 'active' AND t.last_verified_at < now() - make_interval(months => CAST(:months AS int))
           AND NOT EXISTS (SELECT 1 FROM missions m WHERE m.kind = 'reverify' AND m.toilet_id = t.id
                              AND m.status IN ('open', 'taken', 'reported'))
        ON CONFLICT DO NOTHING"""),
)


def sweep_missions(db: Session, *, settings) -> dict[str, int]:
    """Release holds past MISSION_HOLD_HOURS, reopen missions whose report was rejected, finish
    the ones whose report was published, close the ones no longer needed, and open one for each
    gap and each toilet past REVERIFY_AFTER_MONTHS that has none. Rows touched per step."""
    params = {"hold_hours": settings.mission_hold_hours, "months": settings.reverify_after_months}
    return {step: db.execute(text(sql), params).rowcount for step, sql in _SWEEP}


def report_published(db: Session, *, report_id: int, toilet_id: Any) -> int:
    """A linked report was approved or merged (moderation): its mission is done; a gap mission
    remembers the toilet it published."""
    return db.execute(text("""
        UPDATE missions SET status = 'done', finished_at = now(),
                            toilet_id = CASE WHEN kind = 'gap' THEN CAST(:toilet AS uuid) ELSE toilet_id END
         WHERE report_id = :report AND status IN ('taken', 'reported')"""),
        {"report": report_id, "toilet": str(toilet_id)}).rowcount


# -- what a volunteer sees ----------------------------------------------------------------------

# One mission as the app shows it (m: missions, rt: its record, t: its toilet).
_FIELDS = """
    m.id, m.kind, m.status, m.district_code, d.name_ko AS district_ko, d.name_en AS district_en,
    (m.taken_by_id IS NOT DISTINCT FROM CAST(:me AS int) AND m.status <> 'open') AS mine,
    CASE WHEN m.status = 'taken' THEN m.taken_at + make_interval(hours => CAST(:hold_hours AS int)) END AS held_until,
    CASE WHEN m.kind = 'reverify' THEN t.name ELSE rt.name END AS name,
    CASE WHEN m.kind = 'reverify' THEN t.building_name END AS building_name,
    CASE WHEN m.kind = 'reverify' THEN t.data -> 'place' ->> 'road_address' ELSE rt.road_address END AS road_address,
    CASE WHEN m.kind = 'reverify' THEN t.data -> 'place' ->> 'lot_address' ELSE rt.lot_address END AS lot_address,
    CASE WHEN m.kind = 'gap' THEN rt.category END AS category,
    CASE WHEN m.kind = 'gap' THEN rt.opening_hours END AS opening_hours,
    CASE WHEN m.kind = 'gap' THEN rt.disabled_stalls END AS disabled_stalls,
    CASE WHEN m.kind = 'gap' THEN rt.management_no END AS management_no,
    CASE WHEN m.kind = 'reverify' THEN m.toilet_id::text END AS toilet_id,
    CASE WHEN m.kind = 'reverify' THEN to_char(t.last_verified_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') END
        AS verified_on,
    round(ST_X(coalesce(CASE WHEN m.kind = 'reverify' THEN t.location END, rt.location))::numeric, 7)::float8 AS lon,
    round(ST_Y(coalesce(CASE WHEN m.kind = 'reverify' THEN t.location END, rt.location))::numeric, 7)::float8 AS lat"""
_JOINS = """
    LEFT JOIN reference_toilets rt ON rt.id = m.reference_toilet_id
    LEFT JOIN toilets t ON t.id = m.toilet_id
    LEFT JOIN districts d ON d.code = m.district_code"""
# Open ones, ones whose hold ran out, and the volunteer's own unfinished ones.
_VISIBLE = """(m.status = 'open'
    OR (m.status = 'taken' AND m.taken_at < now() - make_interval(hours => CAST(:hold_hours AS int)))
    OR (m.status IN ('taken', 'reported') AND m.taken_by_id = CAST(:me AS int)))"""


# What a mission knows of the place, under the form's own field names (report schema `place`):
# the app fills a new report with it without naming a field itself.
PLACE_FIELDS = ("name", "building_name", "road_address", "lot_address", "opening_hours")


def _shaped(row) -> dict[str, Any]:
    out = dict(row)
    out["address"] = out["road_address"] or out["lot_address"]
    out["place"] = {k: out[k] for k in PLACE_FIELDS if out[k]}
    return out


@dataclass(frozen=True)
class Nearby:
    district_code: str | None
    items: list[dict[str, Any]]
    in_district: list[dict[str, Any]]


def nearby_missions(db: Session, *, volunteer_id: int, lon: float, lat: float, radius_m: float,
                    settings) -> Nearby:
    """Missions within `radius_m` metres of (lon, lat), nearest first (the volunteer's own first),
    and the gap missions of the point's district whose record has no usable point (its address is
    what a volunteer goes by)."""
    params = {"me": volunteer_id, "hold_hours": settings.mission_hold_hours, "lon": lon, "lat": lat,
              "radius": radius_m, "deg": tolerance_deg(radius_m)}
    rows = db.execute(text(f"""
        WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g),
        near AS (
            SELECT m.id, rt.location AS loc FROM p, reference_toilets rt JOIN missions m ON m.reference_toilet_id = rt.id
             WHERE m.kind = 'gap' AND rt.location IS NOT NULL AND ST_DWithin(rt.location, p.g, :deg)
               AND ST_DWithin(rt.location::geography, p.g::geography, :radius)
            UNION ALL
            SELECT m.id, t.location FROM p, toilets t JOIN missions m ON m.toilet_id = t.id
             WHERE m.kind = 'reverify' AND ST_DWithin(t.location, p.g, :deg)
               AND ST_DWithin(t.location::geography, p.g::geography, :radius))
        SELECT {_FIELDS}, round(ST_Distance(near.loc::geography, p.g::geography)::numeric)::int AS distance_m
          FROM p, near JOIN missions m ON m.id = near.id {_JOINS}
         WHERE {_VISIBLE}
         ORDER BY mine DESC, distance_m, m.id LIMIT {NEARBY_LIMIT}"""), params).mappings().all()
    district = locate_point(db, lon=lon, lat=lat, tolerance_m=settings.seoul_border_tolerance_m).district_code
    without_point = []
    if district is not None:
        without_point = db.execute(text(f"""
            SELECT {_FIELDS}, NULL::int AS distance_m FROM missions m {_JOINS}
             WHERE m.kind = 'gap' AND rt.location IS NULL AND m.district_code = :district AND {_VISIBLE}
             ORDER BY mine DESC, rt.name, m.id LIMIT {IN_DISTRICT_LIMIT}"""),
            {**params, "district": district}).mappings().all()
    return Nearby(district, [_shaped(r) for r in rows], [_shaped(r) for r in without_point])


def mission_view(db: Session, *, mission_id: int, volunteer_id: int, settings) -> dict[str, Any]:
    """One mission the volunteer may see (open, its hold run out, or theirs in any state): what
    the app fills a report with."""
    row = db.execute(text(f"SELECT {_FIELDS}, NULL::int AS distance_m FROM missions m {_JOINS} "
                          f"WHERE m.id = :id AND ({_VISIBLE} OR m.taken_by_id = CAST(:me AS int))"),
                     {"id": mission_id, "me": volunteer_id, "hold_hours": settings.mission_hold_hours}).mappings().first()
    if row is None:
        raise fail("mission_not_found")
    return _shaped(row)


_LOCK = text("SELECT id, kind, status, taken_by_id, reference_toilet_id, toilet_id, report_id, "
             "(taken_at < now() - make_interval(hours => CAST(:hold_hours AS int))) AS hold_over "
             "FROM missions WHERE id = :id FOR UPDATE")


def _locked(db: Session, mission_id: int, volunteer_id: int, settings):
    m = db.execute(_LOCK, {"id": mission_id, "hold_hours": settings.mission_hold_hours}).mappings().first()
    if m is None:
        raise fail("mission_not_found")
    if m["status"] in ("done", "closed"):
        raise fail("mission_finished")
    if m["status"] != "open" and m["taken_by_id"] != volunteer_id and not (m["status"] == "taken" and m["hold_over"]):
        raise fail("mission_taken")
    return m


def take_mission(db: Session, *, mission_id: int, volunteer_id: int, settings) -> dict[str, Any]:
    """The volunteer takes the mission (held for MISSION_HOLD_HOURS): again by the same volunteer
    renews the hold; one someone else holds is a 409."""
    m = _locked(db, mission_id, volunteer_id, settings)
    if m["status"] in ("open", "taken"):
        db.execute(text("UPDATE missions SET status = 'taken', taken_by_id = :me, taken_at = now() WHERE id = :id"),
                   {"id": mission_id, "me": volunteer_id})
        record_audit(db, actor_id=volunteer_id, action="mission.take", object_type="mission", object_id=mission_id,
                     detail={"kind": m["kind"]})
    return mission_view(db, mission_id=mission_id, volunteer_id=volunteer_id, settings=settings)


def link_report(db: Session, *, mission_id: int, report_id: int, volunteer_id: int, settings) -> dict[str, Any]:
    """The volunteer's report checks the mission: a gap mission's record goes on the report
    (`reports.reference_record_id`, what the moderator sees); a re-verification's report must name
    the toilet (`place.existing_toilet_id`). Linking the same report again changes nothing."""
    m = _locked(db, mission_id, volunteer_id, settings)
    report = db.get(Report, report_id)
    if report is None or report.volunteer_id != volunteer_id:
        raise fail("report_not_found")
    if m["report_id"] == report_id:
        return mission_view(db, mission_id=mission_id, volunteer_id=volunteer_id, settings=settings)
    if m["report_id"] is not None:
        raise fail("mission_taken")
    other = db.execute(text("SELECT id FROM missions WHERE report_id = :r AND id <> :id"),
                       {"r": report_id, "id": mission_id}).first()
    if other is not None:
        raise fail("invalid_mission_report", field_error(
            "report_id", "이 제보는 이미 다른 확인 요청에 연결되어 있습니다.", "The report already checks another mission."))
    if report.status == "rejected":
        raise fail("invalid_mission_report", field_error(
            "report_id", "반려된 제보는 연결할 수 없습니다.", "A rejected report cannot be linked."))
    if m["kind"] == "reverify":
        named = ((report.payload or {}).get("place") or {}).get("existing_toilet_id")
        if named != str(m["toilet_id"]):
            raise fail("invalid_mission_report", field_error(
                "report_id", "다시 확인할 화장실을 가리키는 제보여야 합니다 (place.existing_toilet_id).",
                "The report must name the toilet to check again (place.existing_toilet_id)."))
    else:
        report.reference_record_id = m["reference_toilet_id"]
    status = "done" if report.status in PUBLISHED else "reported"
    db.execute(text("""
        UPDATE missions SET status = CAST(:status AS varchar), taken_by_id = :me, taken_at = coalesce(taken_at, now()),
                            report_id = :r, reported_at = now(),
                            finished_at = CASE WHEN CAST(:status AS varchar) = 'done' THEN now() END
         WHERE id = :id"""), {"id": mission_id, "me": volunteer_id, "r": report_id, "status": status})
    db.flush()
    record_audit(db, actor_id=volunteer_id, action="mission.report", object_type="mission", object_id=mission_id,
                 detail={"kind": m["kind"], "report_id": report_id})
    return mission_view(db, mission_id=mission_id, volunteer_id=volunteer_id, settings=settings)
