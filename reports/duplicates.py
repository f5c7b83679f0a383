"""Nearby duplicates of a report: published toilets and pending reports within a radius.

PostGIS finds the neighbours (indexed ST_DWithin) and the name similarity (pg_trgm);
`duplicate_score` ranks them. A candidate on a known, different floor is not a duplicate
(stacked toilets in one building are common); an unknown floor on either side keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

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

    def as_dict(self) -> dict:
        """The one shape of a candidate wherever it is returned (as `reports.service.stored_candidates`)."""
        return {
            "type": self.candidate_type, "id": self.candidate_id, "name": self.candidate_name,
            "distance_m": round(self.distance_m, 1), "name_similarity": round(self.name_similarity, 3),
            "same_floor": self.same_floor,
        }


def duplicate_score(*, distance_m: float, radius_m: float, name_similarity: float, same_floor: bool | None) -> float:
    """0..1: closer, more similar names and a confirmed same floor all raise it."""
    closeness = max(0.0, 1.0 - distance_m / radius_m) if radius_m > 0 else 0.0
    floor_term = 1.0 if same_floor else 0.5 if same_floor is None else 0.0
    return round(0.45 * closeness + 0.4 * max(0.0, min(1.0, name_similarity)) + 0.15 * floor_term, 6)


# The published toilets' part comes from their owner (toilets.public); the pending reports' part
# is ours. One statement, one round trip.
_NEARBY_SQL = text(ACTIVE_TOILETS_NEAR_SQL + """
    UNION ALL
    SELECT 'report', r.id::text, r.name, r.floor,
           ST_Distance(r.location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography),
           similarity(r.name, :name)
      FROM reports r
     WHERE r.status = ANY(:pending) AND r.id IS DISTINCT FROM :exclude
       AND ST_DWithin(r.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :deg)
       AND ST_DWithin(r.location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :radius)
""")


# Reports with at least one stored duplicate candidate (the moderation queue ranks them up);
# column: report_id. Written here, by the candidates' owner.
FLAGGED_REPORTS_SQL = "SELECT DISTINCT report_id FROM report_duplicate_candidates"


def find_candidates(
    db: Session, *, lon: float, lat: float, name: str, floor: str | None, radius_m: float,
    exclude_report_id: int | None = None, limit: int = 10,
) -> list[Candidate]:
    # The degree pre-filter lets the GiST index on the geometry column do the work: 1° is ≥ 88 km
    # east–west at Seoul's latitude (≤ 37.72°) and ≥ 110 km north–south, so radius / 80 km in
    # degrees is a safe superset of the radius.
    rows = db.execute(_NEARBY_SQL, {
        "lon": lon, "lat": lat, "name": name, "radius": radius_m, "deg": radius_m / 80_000.0,
        "pending": list(PENDING_STATUSES), "exclude": exclude_report_id,
    }).all()
    out = []
    for row in rows:
        same_floor = None if floor is None or row.floor is None else row.floor == floor
        if same_floor is False:
            continue
        out.append(Candidate(row.kind, row.id, row.name, float(row.dist), float(row.sim), same_floor,
                             duplicate_score(distance_m=float(row.dist), radius_m=radius_m,
                                             name_similarity=float(row.sim), same_floor=same_floor)))
    out.sort(key=lambda c: (-c.score, c.distance_m))
    return out[:limit]
