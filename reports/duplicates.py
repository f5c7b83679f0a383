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
from reports.duplicate_evidence import CLOSE_M, REFERENCE_SAME_M, PlaceSide, assess_pair
from reports.models import PENDING_STATUSES
from toilets.public import active_toilets_near_sql


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
# is ours. One statement, one round trip, for any number of reports (`q`: one row per report).
NEARBY_SQL = f"""
    SELECT q.i, n.* FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[]), CAST(:names AS text[]),
                                CAST(:excludes AS bigint[])) WITH ORDINALITY AS q (lon, lat, name, exclude, i)
    CROSS JOIN LATERAL ({active_toilets_near_sql("q.lon", "q.lat", "q.name")}
    UNION ALL
    SELECT 'report', r.id::text, r.name, r.floor,
           ST_Distance(r.location::geography, ST_SetSRID(ST_MakePoint(q.lon, q.lat), 4326)::geography),
           similarity(r.name, q.name), r.building_name, r.payload -> 'place' ->> 'existing_toilet_id'
      FROM reports r
     WHERE r.status = ANY(:pending) AND r.id IS DISTINCT FROM q.exclude
       AND ST_DWithin(r.location, ST_SetSRID(ST_MakePoint(q.lon, q.lat), 4326), :deg)
       AND ST_DWithin(r.location::geography, ST_SetSRID(ST_MakePoint(q.lon, q.lat), 4326)::geography, :radius)
    ) n
    ORDER BY q.i
"""
_NEARBY = text(NEARBY_SQL)
# At most this many candidates are kept per report.
CANDIDATE_LIMIT = 10
_REPORT_POINTS_SQL = text("SELECT id::text, ST_X(location) AS lon, ST_Y(location) AS lat FROM reports "
                          "WHERE id = ANY(CAST(:ids AS bigint[]))")


@dataclass(frozen=True)
class ReportPlace:
    """The report whose duplicates are sought: where, and what it says about its place."""
    lon: float
    lat: float
    name: str
    floor: str | None = None
    building_name: str | None = None
    existing_toilet_id: str | None = None


def _references(db: Session, places: list[ReportPlace], rows, own: list[str | None] | None = None,
                ) -> tuple[list[str | None], dict[tuple[str, str], str | None]]:
    """The reference record each report stands for (`own` if the caller has read them), and each
    candidate's (up to four statements for all). A candidate's record counts only against a
    report's own (same_reference needs one on each side), so candidates are looked up only for
    the places that stand for a record."""
    if own is None:
        own = reference_records_at(db, [(p.lon, p.lat) for p in places], radius_m=REFERENCE_SAME_M)
    rows = [r for r in rows if own[r.i - 1] is not None]
    report_ids = sorted({int(r.id) for r in rows if r.kind == "report"})
    points = db.execute(_REPORT_POINTS_SQL, {"ids": report_ids}).all() if report_ids else []
    at = reference_records_at(db, [(p.lon, p.lat) for p in points], radius_m=REFERENCE_SAME_M)
    refs: dict[tuple[str, str], str | None] = {("report", p.id): ref for p, ref in zip(points, at, strict=True)}
    toilet_ids = list({r.id for r in rows if r.kind == "toilet"})
    of_toilets = references_matched_to(db, toilet_ids)
    refs.update({("toilet", t): of_toilets.get(t) for t in toilet_ids})
    return own, refs


def find_candidates(db: Session, *, place: ReportPlace, radius_m: float, exclude_report_id: int | None = None,
                    limit: int = CANDIDATE_LIMIT) -> list[Candidate]:
    """Published toilets and pending reports within `radius_m` of the report, likely duplicates
    first, then by score; at most `limit`."""
    return find_candidates_of(db, [(place, exclude_report_id)], radius_m=radius_m, limit=limit)[0]


def nearby_params(places: list[tuple[ReportPlace, int | None]], *, radius_m: float) -> dict:
    """The binds of NEARBY_SQL for (place, the report's own id to leave out) each; its rows have
    the columns i (1-based, the place), kind, id, name, floor, dist, sim, building_name, names_toilet."""
    # The degree pre-filter lets the GiST index on the geometry column do the work: 1° is ≥ 88 km
    # east–west at Seoul's latitude (≤ 37.72°) and ≥ 110 km north–south, so radius / 80 km in
    # degrees is a safe superset of the radius.
    return {"lons": [p.lon for p, _ in places], "lats": [p.lat for p, _ in places], "names": [p.name for p, _ in places],
            "excludes": [exclude for _, exclude in places], "radius": radius_m, "deg": radius_m / 80_000.0,
            "pending": list(PENDING_STATUSES)}


# NEARBY_SQL with only the rows that can be among a place's `:limit` kept. Two neighbours whose
# sides read the same (kind, name, building, floor, the toilet each names, the toilet it is) and
# on the same side of CLOSE_M are judged alike (assess_pair depends on nothing else, once the
# place stands for no reference record: then no candidate's record counts), score alike but for
# the distance (nearer scores no lower) and sort by distance after that: so of each such group
# only the nearest `:limit` can be kept, and the kept list is the one judging every neighbour
# gives. A place that stands for a reference record (`:whole`) keeps all its rows (a candidate's
# record is read after the search). In the bench's queue (80 pending reports at each place) this
# judges ~55 rows per claimed report instead of ~180 (issue 14).
NEARBY_KEPT = text(f"""
    SELECT n.* FROM (
           SELECT nb.*, row_number() OVER (
                  PARTITION BY nb.i, nb.kind, CASE WHEN nb.kind = 'toilet' THEN nb.id END, nb.name COLLATE "C",
                               nb.building_name COLLATE "C", nb.floor COLLATE "C", nb.names_toilet COLLATE "C",
                               nb.dist <= :close
                  ORDER BY nb.dist, nb.id) AS nth
             FROM ({NEARBY_SQL}) nb) n
     WHERE n.nth <= :limit OR (CAST(:whole AS boolean[]))[n.i]
     ORDER BY n.i
""")


def find_candidates_of(db: Session, places: list[tuple[ReportPlace, int | None]], *, radius_m: float,
                       limit: int = CANDIDATE_LIMIT) -> list[list[Candidate]]:
    """find_candidates for several reports at once (place, the report's own id to leave out), in
    two statements whatever their number (five if one stands for a reference record); one list of
    candidates per place, in order."""
    if not places:
        return []
    spots = [p for p, _ in places]
    own_refs = reference_records_at(db, [(p.lon, p.lat) for p in spots], radius_m=REFERENCE_SAME_M)
    rows = db.execute(NEARBY_KEPT, {**nearby_params(places, radius_m=radius_m), "close": CLOSE_M, "limit": limit,
                                     "whole": [ref is not None for ref in own_refs]}).all()
    return _judged(db, spots, rows, radius_m=radius_m, limit=limit, own_refs=own_refs)


def assess_candidates_of(db: Session, places: list[ReportPlace], rows, *, radius_m: float,
                         limit: int = CANDIDATE_LIMIT) -> list[list[Candidate]]:
    """NEARBY_SQL's rows (objects with its columns as attributes) judged as each place's
    candidates; the reference records each side stands for are read only if there is a row."""
    return _judged(db, places, rows, radius_m=radius_m, limit=limit)


def _judged(db: Session, places: list[ReportPlace], rows, *, radius_m: float, limit: int,
            own_refs: list[str | None] | None = None) -> list[list[Candidate]]:
    if not rows:
        return [[] for _ in places]
    own_refs, refs = _references(db, places, rows, own_refs)
    found: list[list[Candidate]] = [[] for _ in places]
    sides = [PlaceSide(p.name, p.building_name, p.floor, names_toilet=p.existing_toilet_id, reference=ref)
             for p, ref in zip(places, own_refs, strict=True)]
    for row in rows:
        place = places[row.i - 1]
        other = PlaceSide(row.name, row.building_name, row.floor,
                          toilet_id=row.id if row.kind == "toilet" else None, names_toilet=row.names_toilet,
                          reference=refs.get((row.kind, row.id)))
        dist = float(row.dist)
        pair = assess_pair(sides[row.i - 1], other, dist)
        same_floor = None if place.floor is None or row.floor is None else row.floor == place.floor
        found[row.i - 1].append(Candidate(
            row.kind, row.id, row.name, dist, pair.name_similarity, same_floor,
            duplicate_score(distance_m=dist, radius_m=radius_m, name_similarity=pair.name_similarity,
                            same_floor=same_floor), pair.likely, pair.evidence))
    for out in found:
        out.sort(key=lambda c: (not c.likely, -c.score, c.distance_m))
    return [out[:limit] for out in found]
