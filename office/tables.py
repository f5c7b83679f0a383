"""The office's numbers as tables: one registry of named tables (pygeoapi's formatter idea), each
a set-based SQL statement with its columns and their Korean and English labels.

The dashboard's charts, its tables for screen readers, their CSV downloads and the final report
all read these tables, so a number is computed once, in PostgreSQL. A table's statement takes
`:start` and `:end_excl` (timestamps: the range's first day 00:00 KST and the day after its last
day), and returns its columns in order. In CSV every text column goes through
`exports.sql.csv_safe` (a name someone typed may start with `=`).

Words (counted as the office counts them):
- participants: volunteer accounts (joined at any time); *reporting* ones sent at least one
  report in the range.
- reports: reports submitted in the range; verified: reports a decision approved or merged in
  the range (a decision waiting for its second review is not yet one).
- published: active toilets first published in the range; active: all active toilets now.
- coverage: the share of a district's reference records (the city's public toilet list) that
  are matched to an active published toilet now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from exports.sql import csv_safe

Kind = Literal["text", "int", "float", "date"]


@dataclass(frozen=True)
class Column:
    key: str
    kind: Kind
    ko: str
    en: str


@dataclass(frozen=True)
class Table:
    key: str
    ko: str
    en: str
    columns: tuple[Column, ...]
    sql: str

    def csv_sql(self) -> str:
        cols = ", ".join(csv_safe(f'q."{c.key}"') + f' AS "{c.key}"' if c.kind == "text" else f'q."{c.key}"'
                         for c in self.columns)
        return f"SELECT {cols} FROM ({self.sql}) q"


def _c(key: str, kind: Kind, ko: str, en: str) -> Column:
    return Column(key, kind, ko, en)


# Reports a decision approved or merged in the range (one row per report: its latest such decision).
_VERIFIED = """
    SELECT DISTINCT ON (rv.report_id) rv.report_id, rv.created_at
      FROM reviews rv
     WHERE rv.action IN ('approve', 'merge') AND rv.status IN ('final', 'confirmed')
       AND rv.created_at >= :start AND rv.created_at < :end_excl
     ORDER BY rv.report_id, rv.created_at DESC"""

_KST_DAY = "(({0}) AT TIME ZONE 'Asia/Seoul')::date"

ORGANISATIONS = Table(
    "organisations", "단체별 참여", "Participation per organisation",
    (_c("code", "text", "코드", "Code"), _c("name", "text", "단체", "Organisation"),
     _c("target", "int", "목표 인원", "Target"), _c("volunteers", "int", "가입 봉사자", "Volunteers joined"),
     _c("target_share", "float", "목표 달성률", "Share of target"),
     _c("reporting", "int", "제보한 봉사자", "Volunteers who reported"),
     _c("reports", "int", "제보", "Reports"), _c("verified", "int", "검증된 제보", "Verified reports")),
    f"""
    WITH vol AS (SELECT id, organisation_id FROM accounts WHERE role = 'volunteer'),
         rep AS (SELECT r.id, r.volunteer_id FROM reports r
                  WHERE r.submitted_at >= :start AND r.submitted_at < :end_excl),
         ver AS ({_VERIFIED})
    SELECT o.code AS code, o.name AS name, o.participant_target AS target,
           (SELECT count(*) FROM vol WHERE vol.organisation_id IS NOT DISTINCT FROM o.id) AS volunteers,
           round((SELECT count(*) FROM vol WHERE vol.organisation_id IS NOT DISTINCT FROM o.id)::numeric
                 / NULLIF(o.participant_target, 0), 4)::float8 AS target_share,
           (SELECT count(DISTINCT rep.volunteer_id) FROM rep JOIN vol ON vol.id = rep.volunteer_id
             WHERE vol.organisation_id IS NOT DISTINCT FROM o.id) AS reporting,
           (SELECT count(*) FROM rep JOIN vol ON vol.id = rep.volunteer_id
             WHERE vol.organisation_id IS NOT DISTINCT FROM o.id) AS reports,
           (SELECT count(*) FROM ver JOIN reports r ON r.id = ver.report_id JOIN vol ON vol.id = r.volunteer_id
             WHERE vol.organisation_id IS NOT DISTINCT FROM o.id) AS verified
      FROM (SELECT id, code, name, participant_target, 0 AS ord FROM organisations
            UNION ALL SELECT NULL, NULL, '(단체 없음 · no organisation)', NULL, 1) o
     ORDER BY o.ord, o.code""")

AGE_BANDS = Table(
    "age_bands", "연령대별 참여", "Participation per age band",
    (_c("age_band", "text", "연령대", "Age band"), _c("volunteers", "int", "가입 봉사자", "Volunteers joined"),
     _c("reporting", "int", "제보한 봉사자", "Volunteers who reported"), _c("reports", "int", "제보", "Reports")),
    """
    SELECT coalesce(a.age_band, 'unknown') AS age_band, count(*) AS volunteers,
           count(*) FILTER (WHERE r.n > 0) AS reporting, coalesce(sum(r.n), 0)::int AS reports
      FROM accounts a
      LEFT JOIN LATERAL (SELECT count(*) AS n FROM reports r WHERE r.volunteer_id = a.id
                           AND r.submitted_at >= :start AND r.submitted_at < :end_excl) r ON true
     WHERE a.role = 'volunteer'
     GROUP BY 1
     ORDER BY array_position(ARRAY['under_20','20s','30s','40s','50s','60_plus','unknown'], coalesce(a.age_band, 'unknown'))""")

PER_DAY = Table(
    "per_day", "날짜별 제보", "Reports per day",
    (_c("day", "date", "날짜", "Day"), _c("reports", "int", "제보", "Reports"),
     _c("verified", "int", "검증", "Verified"), _c("published", "int", "새로 게시", "Newly published")),
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

DISTRICTS = Table(
    "districts", "자치구별 현황", "Per district",
    (_c("code", "text", "구 코드", "Code"), _c("name_ko", "text", "자치구", "District (ko)"),
     _c("name_en", "text", "District", "District"), _c("reports", "int", "제보", "Reports"),
     _c("verified", "int", "검증", "Verified"), _c("published", "int", "새로 게시", "Newly published"),
     _c("active", "int", "게시 중", "Published now"), _c("accessible", "int", "접근 가능", "Accessible"),
     _c("accessible_share", "float", "접근 가능 비율", "Accessible share"),
     _c("reference", "int", "공공 목록", "Reference records"),
     _c("reference_matched", "int", "확인된 목록", "Reference matched"),
     _c("coverage", "float", "목록 대비 확인률", "Coverage of the reference")),
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

# Work not finished, now (the range does not apply): the queue belongs to no partner yet; a claim
# to the partner of the moderator holding it; a decision waiting for its second review to the
# partner that took it. Ages from the report's submission, in hours.
BACKLOG = Table(
    "backlog", "검수 대기 (협력 기관별)", "Moderation backlog per partner",
    (_c("partner", "text", "협력 기관", "Partner"), _c("queued", "int", "대기", "Queued"),
     _c("in_review", "int", "검토 중", "In review"),
     _c("second_review", "int", "2차 검토 대기", "Awaiting second review"),
     _c("oldest_hours", "float", "가장 오래된 (시간)", "Oldest (hours)"),
     _c("median_hours", "float", "중앙값 (시간)", "Median (hours)")),
    """
    WITH work AS (
        SELECT NULL::int AS partner_id, 'queued' AS kind, r.submitted_at FROM reports r WHERE r.status = 'queued'
        UNION ALL
        SELECT a.partner_id, 'in_review', r.submitted_at FROM reports r JOIN accounts a ON a.id = r.claimed_by_id
         WHERE r.status = 'in_review'
        UNION ALL
        SELECT rv.partner_id, 'second_review', coalesce(r.submitted_at, rv.created_at)
          FROM reviews rv LEFT JOIN reports r ON r.id = rv.report_id WHERE rv.status = 'pending')
    SELECT CASE w.grp WHEN -1 THEN '(배정 전 대기열 · queue)' WHEN 0 THEN '(협력 기관 없음 · no partner)'
                ELSE min(p.name) END AS partner,
           count(*) FILTER (WHERE w.kind = 'queued') AS queued,
           count(*) FILTER (WHERE w.kind = 'in_review') AS in_review,
           count(*) FILTER (WHERE w.kind = 'second_review') AS second_review,
           round((extract(epoch FROM now() - min(w.submitted_at)) / 3600)::numeric, 1)::float8 AS oldest_hours,
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM now() - w.submitted_at))
                  / 3600)::numeric, 1)::float8 AS median_hours
      FROM (SELECT CASE WHEN kind = 'queued' THEN -1 ELSE coalesce(partner_id, 0) END AS grp, * FROM work) w
      LEFT JOIN partners p ON p.id = w.partner_id
     GROUP BY w.grp
     ORDER BY w.grp = -1 DESC, w.grp = 0, min(p.name)""")

VERDICTS = Table(
    "verdicts", "판정 분포", "Verdict mix",
    (_c("verdict", "text", "판정", "Verdict"), _c("toilets", "int", "화장실", "Toilets"),
     _c("share", "float", "비율", "Share")),
    """
    SELECT v.verdict AS verdict, coalesce(t.n, 0) AS toilets,
           round(coalesce(t.n, 0)::numeric / NULLIF(sum(coalesce(t.n, 0)) OVER (), 0), 4)::float8 AS share
      FROM unnest(ARRAY['accessible','partially_accessible','not_accessible','unknown']) WITH ORDINALITY v(verdict, ord)
      LEFT JOIN (SELECT verdict, count(*) AS n FROM toilets WHERE status = 'active' GROUP BY 1) t USING (verdict)
     ORDER BY v.ord""")

TABLES: dict[str, Table] = {t.key: t for t in (ORGANISATIONS, AGE_BANDS, PER_DAY, DISTRICTS, BACKLOG, VERDICTS)}
DASHBOARD_TABLES = ("organisations", "age_bands", "per_day", "districts", "backlog", "verdicts")
REPORT_TABLES = ("districts", "organisations")
