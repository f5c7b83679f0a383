"""Reference records matched to published toilets: one set-based UPDATE over the records in scope.

Candidates (the SQL about `toilets` comes from toilets/public.py):
- a record with a usable point: active toilets within `REFERENCE_MATCH_RADIUS_M` (50 m), the
  five nearest; a candidate is *strong* when its name is similar (pg_trgm `similarity` ≥
  `REFERENCE_NAME_SIMILARITY`, 0.3) or it stands within `CLOSE_M` (10 m); score
  0.6 × similarity + 0.4 × (1 − distance / radius);
- a record without one (no, wrong or contradicting coordinates): active toilets in the same
  district with the same road- or lot-address key (geo.districts); every such candidate is
  strong; score 0.4 + 0.6 × similarity.

A person's match (`match_method = 'person'`: a moderator published a report that checks the
record, reference.person) is left alone while its toilet is active: it is outside every scope
here and is counted as matched. When that toilet is retired, the record is matched automatically
again like any other (its person match is gone; the audit log keeps who made it).

Status: `matched` when the best strong candidate's name is similar and no other strong
candidate comes within `LEAD` (0.15) of its score; `ambiguous` when there is a strong candidate
but no such clear winner (two similar toilets, or one on the spot under another name): left for
a person; `none` without a strong candidate. The best candidate is stored in either case
(`candidate_toilet_id`), all of them in `match_candidates`.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.config import Settings
from geo.districts import lot_address_key_sql, road_address_key_sql
from geo.service import tolerance_deg
from toilets.public import active_toilet_address_keys_sql, active_toilets_near_point_sql

# a person's match that stands (on alias r): re-matching leaves it alone
PERSON_KEPT = """(r.match_method = 'person' AND EXISTS (
    SELECT 1 FROM toilets pt WHERE pt.id = r.candidate_toilet_id AND pt.status = 'active'))"""

CLOSE_M = 10.0
LEAD = 0.15
MAX_CANDIDATES = 5


def _match_sql(scope: str) -> str:
    near = active_toilets_near_point_sql(point="s.location", name="s.name", limit=MAX_CANDIDATES)
    keyed = active_toilet_address_keys_sql()
    road, lot = road_address_key_sql("r.road_address"), lot_address_key_sql("r.lot_address")
    return f"""
    WITH scope AS MATERIALIZED (
      SELECT r.id, r.name, r.location, r.district_code, {road} AS road_key, {lot} AS lot_key
        FROM reference_toilets r WHERE ({scope}) AND NOT {PERSON_KEPT}
    ), keyed AS MATERIALIZED ({keyed}
    ), by_address AS (
      SELECT DISTINCT ON (x.ref_id, x.toilet_id) x.ref_id, x.toilet_id, x.toilet_name,
             similarity(x.toilet_name, x.name) AS sim
        FROM (SELECT s.id AS ref_id, s.name, t.toilet_id, t.toilet_name
                FROM scope s JOIN keyed t ON t.district_code = s.district_code AND t.road_key = s.road_key
               WHERE s.location IS NULL AND s.road_key <> ''
              UNION ALL
              SELECT s.id, s.name, t.toilet_id, t.toilet_name
                FROM scope s JOIN keyed t ON t.district_code = s.district_code AND t.lot_key = s.lot_key
               WHERE s.location IS NULL AND s.lot_key <> '') x
       ORDER BY x.ref_id, x.toilet_id
    ), cand AS (
      SELECT s.id AS ref_id, 'distance' AS method, c.toilet_id, c.toilet_name, c.dist, c.sim,
             0.6 * c.sim + 0.4 * (1 - c.dist / :radius) AS score, (c.sim >= :min_sim OR c.dist <= :close) AS strong
        FROM scope s CROSS JOIN LATERAL ({near}) c
       WHERE s.location IS NOT NULL
      UNION ALL
      SELECT ref_id, 'address', toilet_id, toilet_name, NULL, sim, 0.4 + 0.6 * sim, true FROM by_address
    ), ranked AS (
      SELECT c.*, row_number() OVER w AS rn, lead(c.score) OVER w AS next_score,
             lead(c.strong) OVER w AS next_strong
        FROM cand c WINDOW w AS (PARTITION BY c.ref_id ORDER BY c.strong DESC, c.score DESC, c.toilet_id)
    ), listed AS (
      SELECT r.ref_id, jsonb_agg(jsonb_build_object(
                 'toilet_id', r.toilet_id, 'name', r.toilet_name, 'method', r.method,
                 'distance_m', round(r.dist::numeric, 1), 'similarity', round(r.sim::numeric, 3),
                 'strong', r.strong) ORDER BY r.rn) AS candidates
        FROM ranked r WHERE r.rn <= {MAX_CANDIDATES} GROUP BY r.ref_id
    ), verdict AS (
      SELECT b.ref_id, b.method, b.toilet_id, b.dist, b.sim, l.candidates,
             CASE WHEN NOT b.strong THEN 'none'
                  WHEN b.sim >= :min_sim AND (b.next_strong IS NOT TRUE OR b.score - b.next_score >= :lead)
                       THEN 'matched'
                  ELSE 'ambiguous' END AS status
        FROM ranked b JOIN listed l ON l.ref_id = b.ref_id WHERE b.rn = 1
    ), done AS (
      UPDATE reference_toilets r SET
             match_status = coalesce(v.status, 'none'),
             match_method = CASE WHEN v.status IN ('matched', 'ambiguous') THEN v.method END,
             candidate_toilet_id = CASE WHEN v.status IN ('matched', 'ambiguous') THEN v.toilet_id END,
             match_distance_m = CASE WHEN v.status IN ('matched', 'ambiguous') THEN v.dist END,
             match_similarity = CASE WHEN v.status IN ('matched', 'ambiguous') THEN v.sim END,
             match_candidates = coalesce(v.candidates, '[]'::jsonb),
             matched_at = now(), matched_by_id = NULL
        FROM scope s LEFT JOIN verdict v ON v.ref_id = s.id
       WHERE r.id = s.id
      RETURNING r.match_status
    )
    SELECT match_status, count(*) FROM done GROUP BY match_status
    UNION ALL
    SELECT 'kept', count(*) FROM reference_toilets r WHERE ({scope}) AND {PERSON_KEPT}"""


def match_references(db: Session, *, settings: Settings, scope: str = "true") -> dict[str, int]:
    """Match the reference records selected by the SQL condition `scope` (on alias `r`); returns
    how many ended matched / ambiguous / none (a person's match that stands, left alone, counts
    as matched)."""
    radius = settings.reference_match_radius_m
    counts = dict(db.execute(text(_match_sql(scope)), {
        "radius": radius, "deg": tolerance_deg(radius), "min_sim": settings.reference_name_similarity,
        "close": CLOSE_M, "lead": LEAD}).all())
    counts["matched"] = counts.get("matched", 0) + counts.pop("kept", 0)
    return {status: counts.get(status, 0) for status in ("matched", "ambiguous", "none")}
