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

from sqlalchemy import text
from sqlalchemy.orm import Session

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


def without_jit(db: Session) -> None:
    """For the rest of the transaction: no JIT compilation. The office's statements read small
    tables and indexes (a few ms); their cost estimates can still pass `jit_above_cost` (a probe
    costed for every row of a FILTER, heap fetches of a few thousand rows), and compiling them took
    30-90 ms, more than running them."""
    db.execute(text("SET LOCAL jit = off"))


# A reference record is covered when it is matched to a toilet still active (a probe of the
# partial index ix_toilets_active, so no toilet row is read: migration 0015). office/gaps.py: the
# gap list is the records with a disabled-use stall that are not covered.
COVERED = """(rt.match_status = 'matched' AND EXISTS (SELECT 1 FROM toilets ta WHERE ta.id = rt.candidate_toilet_id
                                                                      AND ta.status = 'active'))"""


_KST_DAY = "(({0}) AT TIME ZONE 'Asia/Seoul')::date"
# The range's days: `:start` and `:end_excl` are midnights in Seoul (office.service.DateRange).
_IN_RANGE = f"day >= {_KST_DAY.format(':start')} AND day < {_KST_DAY.format(':end_excl')}"

# The counts kept on write (migration 0015's triggers, office.models). A volunteer account
# reported in the range when it has a report on one of its days (an index probe per account).
_REPORTED = f"""EXISTS (SELECT 1 FROM office_volunteer_days v WHERE v.volunteer_id = a.id AND v.reports > 0
                          AND v.{_IN_RANGE})"""
_GROUP_COUNTS = """SELECT {0}, sum(reports) AS reports, sum(verified) AS verified FROM office_group_days
                    WHERE """ + _IN_RANGE + " GROUP BY 1"

ORGANISATIONS = Table(
    "organisations", "단체별 참여", "Participation per organisation",
    (_c("code", "text", "코드", "Code"), _c("name", "text", "단체", "Organisation"),
     _c("target", "int", "목표 인원", "Target"), _c("volunteers", "int", "가입 봉사자", "Volunteers joined"),
     _c("target_share", "float", "목표 달성률", "Share of target"),
     _c("reporting", "int", "제보한 봉사자", "Volunteers who reported"),
     _c("reports", "int", "제보", "Reports"), _c("verified", "int", "검증된 제보", "Verified reports")),
    # Each count is one grouped pass (per organisation), joined to the ≤ 31 rows of organisations.
    f"""
    WITH vol AS (SELECT a.organisation_id, count(*) AS n, count(*) FILTER (WHERE {_REPORTED}) AS reporting
                   FROM accounts a WHERE a.role = 'volunteer' GROUP BY 1),
         g AS ({_GROUP_COUNTS.format('nullif(organisation_id, 0) AS organisation_id')})
    SELECT o.code AS code, o.name AS name, o.participant_target AS target, coalesce(vol.n, 0) AS volunteers,
           round(coalesce(vol.n, 0)::numeric / NULLIF(o.participant_target, 0), 4)::float8 AS target_share,
           coalesce(vol.reporting, 0) AS reporting, coalesce(g.reports, 0) AS reports,
           coalesce(g.verified, 0) AS verified
      FROM (SELECT id, code, name, participant_target, 0 AS ord FROM organisations
            UNION ALL SELECT NULL, NULL, '(단체 없음 · no organisation)', NULL, 1) o
      LEFT JOIN vol ON vol.organisation_id IS NOT DISTINCT FROM o.id
      LEFT JOIN g ON g.organisation_id IS NOT DISTINCT FROM o.id
     ORDER BY o.ord, o.code""")

AGE_BANDS = Table(
    "age_bands", "연령대별 참여", "Participation per age band",
    (_c("age_band", "text", "연령대", "Age band"), _c("volunteers", "int", "가입 봉사자", "Volunteers joined"),
     _c("reporting", "int", "제보한 봉사자", "Volunteers who reported"), _c("reports", "int", "제보", "Reports")),
    f"""
    WITH b AS (SELECT coalesce(a.age_band, 'unknown') AS age_band, count(*) AS volunteers,
                      count(*) FILTER (WHERE {_REPORTED}) AS reporting
                 FROM accounts a WHERE a.role = 'volunteer' GROUP BY 1),
         g AS ({_GROUP_COUNTS.format('age_band')})
    SELECT b.age_band AS age_band, b.volunteers AS volunteers, b.reporting AS reporting,
           coalesce(g.reports, 0)::int AS reports
      FROM b LEFT JOIN g USING (age_band)
     ORDER BY array_position(ARRAY['under_20','20s','30s','40s','50s','60_plus','unknown'], b.age_band)""")

# Per district in the range, and per district now (active toilets and their verdicts).
_DAY_COUNTS = """SELECT {0}, sum(reports) AS reports, sum(verified) AS verified, sum(published) AS published
                   FROM office_day_counts WHERE """ + _IN_RANGE + " GROUP BY 1"
_TOILET_COUNTS = """SELECT district_code, sum(active) AS active,
                           coalesce(sum(active) FILTER (WHERE verdict = 'accessible'), 0) AS accessible
                      FROM office_toilet_counts GROUP BY 1"""

PER_DAY = Table(
    "per_day", "날짜별 제보", "Reports per day",
    (_c("day", "date", "날짜", "Day"), _c("reports", "int", "제보", "Reports"),
     _c("verified", "int", "검증", "Verified"), _c("published", "int", "새로 게시", "Newly published")),
    f"""
    WITH days AS (SELECT d::date AS day FROM generate_series(({_KST_DAY.format(':start')}),
                                                             ({_KST_DAY.format(':end_excl')}) - 1, interval '1 day') d),
         c AS ({_DAY_COUNTS.format('day')})
    SELECT to_char(days.day, 'YYYY-MM-DD') AS day, coalesce(c.reports, 0) AS reports,
           coalesce(c.verified, 0) AS verified, coalesce(c.published, 0) AS published
      FROM days LEFT JOIN c USING (day)
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
    WITH c AS ({_DAY_COUNTS.format('district_code')}),
         toi AS ({_TOILET_COUNTS}),
         ref AS (SELECT rt.district_code, count(*) AS n FROM reference_toilets rt
                  WHERE rt.district_code IS NOT NULL GROUP BY 1),
         cov AS (SELECT rt.district_code, count(*) AS n FROM reference_toilets rt
                  WHERE rt.district_code IS NOT NULL AND {COVERED} GROUP BY 1)
    SELECT d.code AS code, d.name_ko AS name_ko, d.name_en AS name_en, coalesce(c.reports, 0) AS reports,
           coalesce(c.verified, 0) AS verified, coalesce(c.published, 0) AS published,
           coalesce(toi.active, 0) AS active, coalesce(toi.accessible, 0) AS accessible,
           round(toi.accessible::numeric / NULLIF(toi.active, 0), 4)::float8 AS accessible_share,
           coalesce(ref.n, 0) AS reference, coalesce(cov.n, 0) AS reference_matched,
           round(coalesce(cov.n, 0)::numeric / NULLIF(ref.n, 0), 4)::float8 AS coverage
      FROM districts d LEFT JOIN c ON c.district_code = d.code
      LEFT JOIN toi ON toi.district_code = d.code LEFT JOIN ref ON ref.district_code = d.code
      LEFT JOIN cov ON cov.district_code = d.code
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
      LEFT JOIN (SELECT verdict, sum(active) AS n FROM office_toilet_counts GROUP BY 1) t USING (verdict)
     ORDER BY v.ord""")

# Missions (missions/): open, taken and reported now, whatever the range; done (a linked report
# published) and closed (no longer needed) in the range.
MISSIONS = Table(
    "missions", "자치구별 확인 요청", "Missions per district",
    (_c("code", "text", "구 코드", "Code"), _c("name_ko", "text", "자치구", "District (ko)"),
     _c("name_en", "text", "District", "District"),
     _c("open_gap", "int", "열림: 미확인 공공 화장실", "Open: unchecked listed toilets"),
     _c("open_reverify", "int", "열림: 재확인", "Open: re-verification"),
     _c("taken", "int", "맡음", "Taken"), _c("reported", "int", "제보됨 (검수 대기)", "Reported (awaiting review)"),
     _c("done", "int", "완료", "Done"), _c("closed", "int", "불필요해짐", "No longer needed")),
    """
    WITH m AS (SELECT district_code,
                      count(*) FILTER (WHERE status = 'open' AND kind = 'gap') AS open_gap,
                      count(*) FILTER (WHERE status = 'open' AND kind = 'reverify') AS open_reverify,
                      count(*) FILTER (WHERE status = 'taken') AS taken,
                      count(*) FILTER (WHERE status = 'reported') AS reported,
                      count(*) FILTER (WHERE status = 'done' AND finished_at >= :start AND finished_at < :end_excl) AS done,
                      count(*) FILTER (WHERE status = 'closed' AND finished_at >= :start AND finished_at < :end_excl)
                          AS closed
                 FROM missions GROUP BY 1)
    SELECT d.code AS code, d.name_ko AS name_ko, d.name_en AS name_en, coalesce(m.open_gap, 0) AS open_gap,
           coalesce(m.open_reverify, 0) AS open_reverify, coalesce(m.taken, 0) AS taken,
           coalesce(m.reported, 0) AS reported, coalesce(m.done, 0) AS done, coalesce(m.closed, 0) AS closed
      FROM districts d LEFT JOIN m ON m.district_code = d.code
     ORDER BY d.code""")

TABLES: dict[str, Table] = {t.key: t for t in (ORGANISATIONS, AGE_BANDS, PER_DAY, DISTRICTS, BACKLOG, VERDICTS,
                                               MISSIONS)}
DASHBOARD_TABLES = ("organisations", "age_bands", "per_day", "districts", "backlog", "verdicts", "missions")
REPORT_TABLES = ("districts", "organisations")
