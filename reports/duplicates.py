"""Duplicates of a report that a moderator can trust: published toilets and pending reports
within a radius, each either a *likely duplicate* (on evidence: `reports.duplicate_evidence`) or
only *nearby* (shown, not flagged).

PostGIS finds the neighbours (indexed ST_DWithin), with each one's name, building, floor, the
published toilet a pending report names (form v2) and the reference record (national public
toilet data) each side stands for; the pure rule decides. Candidates are stored with the report
when it is submitted or revised, and recomputed when a moderator claims it (a toilet may have
been published meanwhile). Only likely duplicates raise the report in the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from reference.service import reference_records_at, references_matched_to
from reports.duplicate_evidence import REFERENCE_SAME_M, PlaceSide, assess_pair
from reports.models import PENDING_STATUSES
from toilets.public import ACTIVE_TOILETS_NEAR_SQL


@dataclass(frozen=True)
class Candidate:
    candidate_type: str  # 'toilet' | 'report'
    candidate_id: str
    candidate_name: str
    distance_m: float
    name_similarity: float
    same_floor: bool | None
    score: float
    likely: bool = False
    evidence: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """The one shape of a candidate wherever it is returned (as `reports.service.stored_candidates`)."""
        return {
            "type": self.candidate_type, "id": self.candidate_id, "name": self.candidate_name,
            "distance_m": round(self.distance_m, 1), "name_similarity": round(self.name_similarity, 3),
            "same_floor": self.same_floor, "likely_duplicate": self.likely, "evidence": list(self.evidence),
        }


def duplicate_score(*, distance_m: float, radius_m: float, name_similarity: float, same_floor: bool | None) -> float:
    """0..1, to order candidates: closer, more similar names and a confirmed same floor all raise it."""
    closeness = max(0.0, 1.0 - distance_m / radius_m) if radius_m > 0 else 0.0
    floor_term = 1.0 if same_floor else 0.5 if same_floor is None else 0.0
    return round(0.45 * closeness + 0.4 * max(0.0, min(1.0, name_similarity)) + 0.15 * floor_term, 6)


# The published toilets' part comes from their owner (toilets.public); the pending reports' part
# is ours. One statement, one round trip.
_NEARBY_SQL = text(ACTIVE_TOILETS_NEAR_SQL + """
    UNION ALL
    SELECT 'report', r.id::text, r.name, r.floor,
           ST_Distance(r.location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography),
           similarity(r.name, :name), r.building_name, r.payload -> 'place' ->> 'existing_toilet_id'
      FROM reports r
     WHERE r.status = ANY(:pending) AND r.id IS DISTINCT FROM :exclude
       AND ST_DWithin(r.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :deg)
       AND ST_DWithin(r.location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :radius)
""")
_REPORT_POINTS_SQL = text("SELECT id::text, ST_X(location) AS lon, ST_Y(location) AS lat FROM reports "
                          "WHERE id = ANY(CAST(:ids AS bigint[]))")


# Reports with at least one stored *likely* duplicate (the moderation queue ranks them up);
# column: report_id. Written here, by the candidates' owner.
FLAGGED_REPORTS_SQL = "SELECT DISTINCT report_id FROM report_duplicate_candidates WHERE likely"


@dataclass(frozen=True)
class ReportPlace:
    """The report whose duplicates are sought: where, and what it says about its place."""
    lon: float
    lat: float
    name: str
    floor: str | None = None
    building_name: str | None = None
    existing_toilet_id: str | None = None


def _references(db: Session, report: ReportPlace, rows) -> tuple[str | None, dict[tuple[str, str], str | None]]:
    """The reference record the report stands for, and each candidate's."""
    report_ids = [r.id for r in rows if r.kind == "report"]
    points = db.execute(_REPORT_POINTS_SQL, {"ids": [int(i) for i in report_ids]}).all() if report_ids else []
    at = reference_records_at(db, [(report.lon, report.lat)] + [(p.lon, p.lat) for p in points],
                              radius_m=REFERENCE_SAME_M)
    own, of_reports = at[0], dict(zip([p.id for p in points], at[1:], strict=True))
    of_toilets = references_matched_to(db, [r.id for r in rows if r.kind == "toilet"])
    refs = {("report", i): of_reports.get(i) for i in report_ids}
    refs.update({("toilet", r.id): of_toilets.get(r.id) for r in rows if r.kind == "toilet"})
    return own, refs


def find_candidates(db: Session, *, place: ReportPlace, radius_m: float, exclude_report_id: int | None = None,
                    limit: int = 10) -> list[Candidate]:
    """Published toilets and pending reports within `radius_m` of the report, likely duplicates
    first, then by score; at most `limit`."""
    # The degree pre-filter lets the GiST index on the geometry column do the work: 1° is ≥ 88 km
    # east–west at Seoul's latitude (≤ 37.72°) and ≥ 110 km north–south, so radius / 80 km in
    # degrees is a safe superset of the radius.
    rows = db.execute(_NEARBY_SQL, {
        "lon": place.lon, "lat": place.lat, "name": place.name, "radius": radius_m, "deg": radius_m / 80_000.0,
        "pending": list(PENDING_STATUSES), "exclude": exclude_report_id,
    }).all()
    if not rows:
        return []
    own_ref, refs = _references(db, place, rows)
    me = PlaceSide(place.name, place.building_name, place.floor, names_toilet=place.existing_toilet_id,
                   reference=own_ref)
    out = []
    for row in rows:
        other = PlaceSide(row.name, row.building_name, row.floor,
                          toilet_id=row.id if row.kind == "toilet" else None, names_toilet=row.names_toilet,
                          reference=refs.get((row.kind, row.id)))
        pair = assess_pair(me, other, float(row.dist))
        same_floor = None if place.floor is None or row.floor is None else row.floor == place.floor
        out.append(Candidate(row.kind, row.id, row.name, float(row.dist), pair.name_similarity, same_floor,
                             duplicate_score(distance_m=float(row.dist), radius_m=radius_m,
                                             name_similarity=pair.name_similarity, same_floor=same_floor),
                             pair.likely, pair.evidence))
    out.sort(key=lambda c: (not c.likely, -c.score, c.distance_m))
    return out[:limit]
