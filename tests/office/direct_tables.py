"""The office tables as they were computed before the counts were kept on write (migration 0015):
straight from every report, review and toilet. The reference oracle of test_counts.py, kept
verbatim from office/tables.py at 0014 (only the tables' keys, titles and columns are shared)."""

from __future__ import annotations

from office.tables import AGE_BANDS, DISTRICTS, ORGANISATIONS, PER_DAY, VERDICTS, Table


def _direct(live: Table, sql: str) -> Table:
    """`live`'s key, titles and columns with the statement of before."""
    return Table(live.key, live.ko, live.en, live.columns, sql)


# Reports a decision approved or merged in the range (one row per report: its latest such decision).
_VERIFIED = """
    SELECT rv.report_id, max(rv.created_at) AS created_at
      FROM reviews rv
     WHERE rv.action IN ('approve', 'merge') AND rv.status IN ('final', 'confirmed')
       AND rv.created_at >= :start AND rv.created_at < :end_excl
     GROUP BY rv.report_id"""

_KST_DAY = "(({0}) AT TIME ZONE 'Asia/Seoul')::date"

ORGANISATIONS_DIRECT = _direct(
    ORGANISATIONS,
    # Each count is one grouped pass (per organisation), joined to the ≤ 31 rows of organisations:
    # a subquery per organisation re-read the range's reports once per organisation and column.
    f"""
    WITH ver AS ({_VERIFIED}),
         vol AS (SELECT organisation_id, count(*) AS n FROM accounts WHERE role = 'volunteer' GROUP BY 1),
         rep AS (SELECT a.organisation_id, count(DISTINCT r.volunteer_id) AS reporting, count(*) AS reports
                   FROM reports r JOIN accounts a ON a.id = r.volunteer_id AND a.role = 'volunteer'
                  WHERE r.submitted_at >= :start AND r.submitted_at < :end_excl GROUP BY 1),
         vrf AS (SELECT a.organisation_id, count(*) AS n FROM ver JOIN reports r ON r.id = ver.report_id
                   JOIN accounts a ON a.id = r.volunteer_id AND a.role = 'volunteer' GROUP BY 1)
    SELECT o.code AS code, o.name AS name, o.participant_target AS target, coalesce(vol.n, 0) AS volunteers,
           round(coalesce(vol.n, 0)::numeric / NULLIF(o.participant_target, 0), 4)::float8 AS target_share,
           coalesce(rep.reporting, 0) AS reporting, coalesce(rep.reports, 0) AS reports,
           coalesce(vrf.n, 0) AS verified
      FROM (SELECT id, code, name, participant_target, 0 AS ord FROM organisations
            UNION ALL SELECT NULL, NULL, '(단체 없음 · no organisation)', NULL, 1) o
      LEFT JOIN vol ON vol.organisation_id IS NOT DISTINCT FROM o.id
      LEFT JOIN rep ON rep.organisation_id IS NOT DISTINCT FROM o.id
      LEFT JOIN vrf ON vrf.organisation_id IS NOT DISTINCT FROM o.id
     ORDER BY o.ord, o.code""")

AGE_BANDS_DIRECT = _direct(
    AGE_BANDS,
    """
    SELECT coalesce(a.age_band, 'unknown') AS age_band, count(*) AS volunteers,
           count(*) FILTER (WHERE r.n > 0) AS reporting, coalesce(sum(r.n), 0)::int AS reports
      FROM accounts a
      LEFT JOIN LATERAL (SELECT count(*) AS n FROM reports r WHERE r.volunteer_id = a.id
                           AND r.submitted_at >= :start AND r.submitted_at < :end_excl) r ON true
     WHERE a.role = 'volunteer'
     GROUP BY 1
     ORDER BY array_position(ARRAY['under_20','20s','30s','40s','50s','60_plus','unknown'], coalesce(a.age_band, 'unknown'))""")

PER_DAY_DIRECT = _direct(
    PER_DAY,
    f"""
    WITH days AS (SELECT d::date AS day FROM generate_series(({_KST_DAY.format(':start')}),
                                                             ({_KST_DAY.format(':end_excl')}) - 1, interval '1 day') d),
         rep AS (SELECT {_KST_DAY.format('submitted_at')} AS day, count(*) AS n FROM reports
                  WHERE submitted_at >= :start AND submitted_at < :end_excl GROUP BY 1),
         ver AS (SELECT {_KST_DAY.format('created_at')} AS day, count(*) AS n FROM ({_VERIFIED}) v GROUP BY 1),
         pub AS (SELECT {_KST_DAY.format('created_at')} AS day, count(*) AS n FROM toilets
                  WHERE status = 'active' AND created_at >= :start AND created_at < :end_excl GROUP BY 1)
    SELECT to_char(days.day, 'YYYY-MM-DD') AS day, coalesce(rep.n, 0) AS reports, coalesce(ver.n, 0) AS verified,
           coalesce(pub.n, 0) AS published
      FROM days LEFT JOIN rep USING (day) LEFT JOIN ver USING (day) LEFT JOIN pub USING (day)
     ORDER BY days.day""")

DISTRICTS_DIRECT = _direct(
    DISTRICTS,
    f"""
    WITH rep AS (SELECT district_code, count(*) AS n FROM reports
                  WHERE submitted_at >= :start AND submitted_at < :end_excl GROUP BY 1),
         ver AS (SELECT r.district_code, count(*) AS n FROM ({_VERIFIED}) v JOIN reports r ON r.id = v.report_id
                  GROUP BY 1),
         toi AS (SELECT district_code,
                        count(*) FILTER (WHERE created_at >= :start AND created_at < :end_excl) AS published,
                        count(*) AS active, count(*) FILTER (WHERE verdict = 'accessible') AS accessible
                   FROM toilets WHERE status = 'active' GROUP BY 1),
         ref AS (SELECT rt.district_code, count(*) AS n,
                        count(*) FILTER (WHERE rt.match_status = 'matched' AND t.status = 'active') AS matched
                   FROM reference_toilets rt LEFT JOIN toilets t ON t.id = rt.candidate_toilet_id
                  WHERE rt.district_code IS NOT NULL GROUP BY 1)
    SELECT d.code AS code, d.name_ko AS name_ko, d.name_en AS name_en, coalesce(rep.n, 0) AS reports,
           coalesce(ver.n, 0) AS verified, coalesce(toi.published, 0) AS published, coalesce(toi.active, 0) AS active,
           coalesce(toi.accessible, 0) AS accessible,
           round(toi.accessible::numeric / NULLIF(toi.active, 0), 4)::float8 AS accessible_share,
           coalesce(ref.n, 0) AS reference, coalesce(ref.matched, 0) AS reference_matched,
           round(ref.matched::numeric / NULLIF(ref.n, 0), 4)::float8 AS coverage
      FROM districts d LEFT JOIN rep ON rep.district_code = d.code LEFT JOIN ver ON ver.district_code = d.code
      LEFT JOIN toi ON toi.district_code = d.code LEFT JOIN ref ON ref.district_code = d.code
     ORDER BY d.code""")

VERDICTS_DIRECT = _direct(
    VERDICTS,
    """
    SELECT v.verdict AS verdict, coalesce(t.n, 0) AS toilets,
           round(coalesce(t.n, 0)::numeric / NULLIF(sum(coalesce(t.n, 0)) OVER (), 0), 4)::float8 AS share
      FROM unnest(ARRAY['accessible','partially_accessible','not_accessible','unknown']) WITH ORDINALITY v(verdict, ord)
      LEFT JOIN (SELECT verdict, count(*) AS n FROM toilets WHERE status = 'active' GROUP BY 1) t USING (verdict)
     ORDER BY v.ord""")


DIRECT: dict[str, Table] = {t.key: t for t in (ORGANISATIONS_DIRECT, AGE_BANDS_DIRECT, PER_DAY_DIRECT, DISTRICTS_DIRECT,
                                               VERDICTS_DIRECT)}

# office/gaps.py's per-district counts and the list's rule, before 0015 (a join to toilets).
GAP_DIRECT = """rt.disabled_stalls > 0 AND NOT coalesce(rt.match_status = 'matched' AND t.status = 'active', false)"""
GAPS_BY_DISTRICT_DIRECT = f"""
    SELECT d.code, d.name_ko, d.name_en,
           count(rt.id) FILTER (WHERE rt.disabled_stalls > 0) AS with_stall,
           count(rt.id) FILTER (WHERE {GAP_DIRECT}) AS gaps
      FROM districts d LEFT JOIN reference_toilets rt ON rt.district_code = d.code
      LEFT JOIN toilets t ON t.id = rt.candidate_toilet_id
     GROUP BY d.code, d.name_ko, d.name_en ORDER BY d.code"""
GAP_IDS_DIRECT = f"""
    SELECT rt.id FROM reference_toilets rt LEFT JOIN toilets t ON t.id = rt.candidate_toilet_id
     WHERE {GAP_DIRECT} ORDER BY rt.district_code, rt.name, rt.id"""
