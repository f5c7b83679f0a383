"""The moderation queue: priority, claims with leases, release, and its figures.

Priority (higher first), documented in docs/moderation.md:

    priority = age of the report in hours
             + queue_gap_weight_hours × (1 − min(published toilets in its district, target) / target)
             + queue_duplicate_weight_hours if a stored candidate is a likely duplicate

so old reports are never starved, districts with few published toilets (coverage gaps) move
ahead, and likely duplicates (on evidence, reports.duplicate_evidence) are settled before a
second copy can be published. Claiming recomputes each claimed report's candidates. How the
claim reads this order from an index without ranking the whole queue: see _CLAIM_SQL.

A claim sets `claimed_by_id` and `lease_expires_at` on the report row itself and moves it to
`in_review`. Claiming locks candidate rows with `FOR UPDATE SKIP LOCKED`, and because the
claim updates the very row that the WHERE clause reads, a concurrent claimer that waited on
the row re-checks it (PostgreSQL re-evaluates the condition on the new row version) and
skips it: two moderators never hold the same report. A lease that ran out needs no sweeper:
an `in_review` report whose lease has passed is claimable again, and its former holder can
no longer decide on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from accounts.models import Account
from core.audit import record_audit, record_audits
from core.config import Settings
from core.errors import fail, field_error
from reports.models import Report
from reports.service import refresh_candidates_of
from toilets.public import PUBLISHED_PER_DISTRICT_SQL, PUBLISHED_PER_DISTRICT_UP_TO_SQL

CLAIMABLE_SQL = """
    (r.status = 'queued' OR (r.status = 'in_review' AND r.lease_expires_at < now()))
"""

# Each district's published count, for the queue figures.
_PUBLISHED_CTE = f"WITH g AS ({PUBLISHED_PER_DISTRICT_SQL})"


def _priority_params(settings: Settings) -> dict[str, Any]:
    return {"gap_weight": settings.queue_gap_weight_hours, "gap_target": max(1, settings.queue_gap_target_per_district),
            "dup_weight": settings.queue_duplicate_weight_hours}


@dataclass
class Claim:
    reports: list[Report]
    lease_expires_at: datetime | None


# The claim reads the queue's order from an index instead of ranking the whole queue. Ordering by
# priority (age + gap bonus + duplicate bonus) equals ordering by
#     rank = gap bonus(district) + duplicate bonus − epoch(submitted_at) / 3600,
# which does not change with time; within one district and duplicate flag it is (submitted_at, id),
# the order of ix_reports_queue (migration 0013). So the top `window` claimable rows of each of
# the 25 × 2 groups hold the global top `window`, which holds the reports to claim as long as
# fewer than `window - count` of them are locked by concurrent claimers (else claim_reports
# looks again at every claimable row). Only those rows are then locked in turn. The weights
# and each district's published count (counted up to the gap target) are read now, so nothing
# stored depends on the settings. One statement picks, locks (SKIP LOCKED), and claims.
_CLAIM_SQL = text(f"""
    WITH gap AS (
         SELECT g.district_code, :gap_weight * (1 - least(g.published, :gap_target)::float / :gap_target) AS bonus
           FROM ({PUBLISHED_PER_DISTRICT_UP_TO_SQL}) g),
    top AS (
         SELECT c.id, gap.bonus + CASE WHEN f.flagged THEN :dup_weight ELSE 0 END
                      - extract(epoch FROM c.submitted_at) / 3600.0 AS rank
           FROM gap CROSS JOIN (VALUES (false), (true)) AS f (flagged) CROSS JOIN LATERAL (
                SELECT r.id, r.submitted_at FROM reports r
                 WHERE r.district_code = gap.district_code AND r.likely_duplicate = f.flagged
                   AND r.status IN ('queued', 'in_review') AND {CLAIMABLE_SQL}
                 ORDER BY r.submitted_at, r.id LIMIT :window) c
          ORDER BY rank DESC, c.id LIMIT :window),
    picked AS (
         SELECT r.id, r.status, r.claimed_by_id, r.lease_expires_at, top.rank
           FROM reports r JOIN top ON top.id = r.id
          WHERE {CLAIMABLE_SQL}
          ORDER BY top.rank DESC, r.id
          LIMIT :count
            FOR UPDATE OF r SKIP LOCKED),
    claimed AS (
         UPDATE reports r SET status = 'in_review', claimed_by_id = :me, updated_at = now(),
                lease_expires_at = now() + make_interval(mins => :lease_minutes)
           FROM picked WHERE r.id = picked.id
         RETURNING r.id, r.lease_expires_at)
    SELECT p.id, p.rank, p.status AS was_status, p.claimed_by_id AS was_holder, p.lease_expires_at AS was_lease,
           c.lease_expires_at
      FROM picked p JOIN claimed c ON c.id = p.id
     ORDER BY p.rank DESC, p.id
""")
# Rows read beyond the claim's own count: room for the rows concurrent claimers have locked.
_CLAIM_LOOKAHEAD = 48


def claim_reports(db: Session, *, moderator: Account, count: int, settings: Settings) -> Claim:
    """Hand the moderator up to `count` reports, highest priority first, under one lease."""
    if not 1 <= count <= settings.claim_max_count:
        raise fail("invalid_claim_count", field_error("count", f"1~{settings.claim_max_count} 사이로 적어 주세요.",
                                            f"Between 1 and {settings.claim_max_count}."))
    params = {**_priority_params(settings), "up_to": max(1, settings.queue_gap_target_per_district),
              "count": count, "me": moderator.id, "lease_minutes": settings.claim_lease_minutes}
    rows = db.execute(_CLAIM_SQL, {**params, "window": count + _CLAIM_LOOKAHEAD}).all()
    if len(rows) < count:  # a short queue, or the window all locked by others: the rest from every claimable row
        more = db.execute(_CLAIM_SQL, {**params, "count": count - len(rows), "window": None}).all()
        rows = sorted([*rows, *more], key=lambda r: (-r.rank, r.id))
    if not rows:
        return Claim([], None)
    ids = [row.id for row in rows]
    expires = rows[0].lease_expires_at
    # Claimed reports that were still in review are ones whose lease ran out: that is recorded
    # first, under the moderator who held it, so the history shows why the report changed hands.
    lapses = [{"actor_id": row.was_holder, "action": "report.lease_expired", "object_type": "report",
               "object_id": row.id, "detail": {"lease_expires_at": row.was_lease.isoformat()}}
              for row in sorted(rows, key=lambda r: r.id) if row.was_status == "in_review"]
    claims = [{"actor_id": moderator.id, "action": "report.claim", "object_type": "report", "object_id": rid,
               "detail": {"lease_expires_at": expires.isoformat()}} for rid in ids]
    record_audits(db, lapses + claims)
    db.expire_all()
    reports = db.scalars(select(Report).where(Report.id.in_(ids))).all()
    # toilets published and reports sent since they came in: their candidates afresh
    refresh_candidates_of(db, list(reports), settings=settings)
    order = {rid: i for i, rid in enumerate(ids)}
    return Claim(sorted(reports, key=lambda r: order[r.id]), expires)


def lock_report(db: Session, report_id: int) -> Report:
    return lock_report_at(db, report_id)[0]


def lock_report_at(db: Session, report_id: int) -> tuple[Report, datetime]:
    """The report, locked for this transaction, and the transaction's now() (one round trip)."""
    row = db.execute(select(Report, func.now()).where(Report.id == report_id).with_for_update(of=Report)
                     .execution_options(populate_existing=True)).one_or_none()
    if row is None:
        raise fail("report_not_found")
    return row[0], row[1]


def holds_claim(db: Session, report: Report, moderator: Account, now: datetime | None = None) -> bool:
    """`now`: the transaction's now() if the caller has it (lock_report_at), else it is asked for."""
    if report.claimed_by_id != moderator.id or report.lease_expires_at is None:
        return False
    if now is not None:
        return report.lease_expires_at > now
    return bool(db.execute(text("SELECT :exp > now()"), {"exp": report.lease_expires_at}).scalar_one())


def require_claim(db: Session, report: Report, moderator: Account, now: datetime | None = None) -> None:
    """Only the holder of a live claim may decide on or release a report."""
    if report.status != "in_review":
        raise fail("invalid_transition", status=report.status)
    if report.claimed_by_id == moderator.id and not holds_claim(db, report, moderator, now):
        raise fail("lease_expired")
    if report.claimed_by_id != moderator.id:
        raise fail("not_claim_holder")


def clear_claim(report: Report) -> None:
    report.claimed_by_id = None
    report.lease_expires_at = None


def release_report(db: Session, *, report_id: int, moderator: Account) -> Report:
    report = lock_report(db, report_id)
    require_claim(db, report, moderator)
    report.status = "queued"
    clear_claim(report)
    report.updated_at = db.execute(text("SELECT now()")).scalar_one()
    db.flush()
    record_audit(db, actor_id=moderator.id, action="report.release", object_type="report", object_id=report.id)
    return report


def my_claims(db: Session, *, moderator: Account) -> list[Report]:
    return list(db.scalars(select(Report).where(Report.claimed_by_id == moderator.id, Report.status == "in_review",
                                                Report.lease_expires_at > text("now()"))
                           .order_by(Report.lease_expires_at, Report.id)))


def queue_stats(db: Session, *, settings: Settings) -> dict[str, Any]:
    """Depth, oldest age, counts by state (an expired claim counts as queued) and by district."""
    by_state = dict(db.execute(text("""
        SELECT CASE WHEN status = 'in_review' AND lease_expires_at < now() THEN 'queued' ELSE status END AS s,
               count(*) FROM reports GROUP BY 1""")).all())
    oldest = db.execute(text(f"""
        SELECT extract(epoch FROM now() - min(submitted_at)) FROM reports r WHERE {CLAIMABLE_SQL}""")).scalar_one()
    districts = db.execute(text(f"""
        {_PUBLISHED_CTE}
        SELECT d.code, d.name_ko, d.name_en,
               count(r.id) FILTER (WHERE {CLAIMABLE_SQL}) AS queued,
               count(r.id) FILTER (WHERE r.status = 'in_review' AND r.lease_expires_at >= now()) AS in_review,
               coalesce(max(g.published), 0) AS published
        FROM districts d LEFT JOIN reports r ON r.district_code = d.code LEFT JOIN g ON g.district_code = d.code
        GROUP BY d.code, d.name_ko, d.name_en ORDER BY d.code""")).mappings().all()
    pending_second = db.execute(text("SELECT count(*) FROM reviews WHERE status = 'pending'")).scalar_one()
    return {
        "depth": by_state.get("queued", 0),
        "oldest_age_seconds": float(oldest) if oldest is not None else None,
        "by_state": {s: by_state.get(s, 0) for s in (
            "queued", "in_review", "changes_requested", "pending_second_review", "approved", "merged", "rejected")},
        "pending_second_reviews": pending_second,
        "by_district": [dict(d) for d in districts],
        "lease_minutes": settings.claim_lease_minutes,
    }
