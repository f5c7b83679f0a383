"""Reading the reference layer: the record a moderator sees beside a report, and counts for the office."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.service import tolerance_deg
from reference.matching import match_references

SOURCE = "행정안전부 「공중화장실정보」, 공공데이터포털 (data.go.kr) / Ministry of the Interior and Safety, public toilet data"


_BLOCK = """r.management_no, r.name, r.category, r.road_address, r.lot_address, r.opening, r.opening_hours,
           r.manager, r.phone, r.disabled_stalls, r.district_code, r.flags, r.match_status, r.match_method,
           r.candidate_toilet_id::text AS candidate_toilet_id"""


def reference_record(db: Session, *, record_id: int, lon: float | None, lat: float | None) -> dict[str, Any] | None:
    """One record by id (the one a report was sent to check), with its distance from (lon, lat)
    when both it and the point are known."""
    row = db.execute(text(f"""
        SELECT {_BLOCK},
               round(ST_Distance(r.location::geography,
                                 ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), 4326)::geography
                                 )::numeric, 1)::float8 AS distance_m
          FROM reference_toilets r WHERE r.id = :id"""), {"id": record_id, "lon": lon, "lat": lat}).mappings().first()
    if row is None:
        return None
    return {**dict(row), "flags": list(row["flags"]), "source": SOURCE, "via_mission": True}


def nearest_reference(db: Session, *, lon: float, lat: float, radius_m: float) -> dict[str, Any] | None:
    """The reference record with a usable point nearest to (lon, lat) within `radius_m` metres
    (geodesic), with its road and lot addresses and opening hours as the file gave them; None if
    there is none. Text from the file is returned as stored: a page shows it as text only."""
    return nearest_references(db, [(lon, lat)], radius_m=radius_m)[0]


def nearest_references(db: Session, points: list[tuple[float, float]], *,
                       radius_m: float) -> list[dict[str, Any] | None]:
    """nearest_reference for each (lon, lat), in one statement."""
    if not points:
        return []
    rows = db.execute(text("""
        SELECT p.i, n.* FROM (SELECT i, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g
                                FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[]))
                                     WITH ORDINALITY AS u (lon, lat, i)) p
        CROSS JOIN LATERAL (
        SELECT r.management_no, r.name, r.category, r.road_address, r.lot_address, r.opening, r.opening_hours,
               r.manager, r.phone, r.disabled_stalls, r.district_code, r.flags, r.match_status, r.match_method,
               r.candidate_toilet_id::text AS candidate_toilet_id,
               round(ST_Distance(r.location::geography, p.g::geography)::numeric, 1)::float8 AS distance_m
          FROM reference_toilets r
         WHERE r.location IS NOT NULL AND ST_DWithin(r.location, p.g, :deg)
           AND ST_DWithin(r.location::geography, p.g::geography, :radius)
         ORDER BY ST_Distance(r.location::geography, p.g::geography), r.id LIMIT 1) n"""),
        {"lons": [p[0] for p in points], "lats": [p[1] for p in points], "radius": radius_m,
         "deg": tolerance_deg(radius_m)}).mappings().all()
    found: list[dict[str, Any] | None] = [None] * len(points)
    for row in rows:
        record = {k: v for k, v in row.items() if k != "i"}
        found[row["i"] - 1] = {**record, "flags": list(record["flags"]), "source": SOURCE}
    return found


def reference_records_at(db: Session, points: list[tuple[float, float]], *, radius_m: float) -> list[str | None]:
    """For each (lon, lat), the management number of the nearest reference record with a usable
    point within `radius_m` metres, or None (one statement for all the points)."""
    if not points:
        return []
    rows = db.execute(text("""
        SELECT p.i, (SELECT r.management_no FROM reference_toilets r
                      WHERE r.location IS NOT NULL AND ST_DWithin(r.location, p.g, :deg)
                        AND ST_DWithin(r.location::geography, p.g::geography, :radius)
                      ORDER BY ST_Distance(r.location::geography, p.g::geography), r.id LIMIT 1) AS no
          FROM (SELECT i, ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g
                  FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) WITH ORDINALITY AS u(lon, lat, i)) p
         ORDER BY p.i"""), {"lons": [p[0] for p in points], "lats": [p[1] for p in points], "radius": radius_m,
                            "deg": tolerance_deg(radius_m)}).all()
    return [r.no for r in rows]


def references_matched_to(db: Session, toilet_ids: list[str]) -> dict[str, str]:
    """Published toilet id → the management number of the reference record matched to it
    (`match_status = 'matched'`), for the toilets that have one."""
    if not toilet_ids:
        return {}
    rows = db.execute(text("""
        SELECT candidate_toilet_id::text AS toilet_id, min(management_no) AS no FROM reference_toilets
         WHERE match_status = 'matched' AND candidate_toilet_id::text = ANY(:ids) GROUP BY candidate_toilet_id"""),
        {"ids": list(toilet_ids)}).all()
    return {r.toilet_id: r.no for r in rows}


def reference_counts(db: Session) -> dict[str, Any]:
    """How many records, per match status and per flag (the CLI's `reference status`)."""
    total, without_point = db.execute(text(
        "SELECT count(*), count(*) FILTER (WHERE location IS NULL) FROM reference_toilets")).one()
    by_status = dict(db.execute(text("SELECT match_status, count(*) FROM reference_toilets GROUP BY 1")).all())
    by_flag = dict(db.execute(text(
        "SELECT f, count(*) FROM reference_toilets, unnest(flags) f GROUP BY f ORDER BY f")).all())
    return {"records": total, "without_point": without_point,
            "matches": {s: by_status.get(s, 0) for s in ("matched", "ambiguous", "none")}, "flags": by_flag}


def rematch_all(db: Session, *, settings) -> dict[str, int]:
    """Match every reference record again (after toilets were published, moved or retired)."""
    return match_references(db, settings=settings, scope="true")
