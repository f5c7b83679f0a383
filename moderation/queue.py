"""The moderation queue: priority, claims with leases, release, and its figures.

Priority (higher first), documented in docs/moderation.md:

    priority = age of the report in hours
             + queue_gap_weight_hours × (1 − min(published toilets in its district, target) / target)
             + queue_duplicate_weight_hours if a possible duplicate was flagged at submission

so old reports are never starved, districts with few published toilets (coverage gaps) move
ahead, and likely duplicates (on evidence, reports.duplicate_evidence) are settled before a
second copy can be published. Claiming recomputes each claimed report's candidates.

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

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from accounts.models import Account
from core.audit import record_audit
from core.config import Settings
from core.errors import fail, field_error
from reports.duplicates import FLAGGED_REPORTS_SQL
from reports.models import Report
from reports.service import refresh_candidates
from toilets.public import PUBLISHED_PER_DISTRICT_SQL

CLAIMABLE_SQL = """
    (r.status = 'queued' OR (r.status = 'in_review' AND r.lease_expires_at < now()))
"""

PRIORITY_SQL = """
    extract(epoch FROM (now() - r.submitted_at)) / 3600.0
    + :gap_weight * (1 - least(coalesce(g.published, 0), :gap_target)::float / :gap_target)
    + CASE WHEN dup.report_id IS NOT NULL THEN :dup_weight ELSE 0 END
"""

_GAP_CTE = f"""
    WITH g AS ({PUBLISHED_PER_DISTRICT_SQL}),
         dup AS ({FLAGGED_REPORTS_SQL})
"""


def _priority_params(settings: Settings) -> dict[str, Any]:
    return {"gap_weight": settings.queue_gap_weight_hours, "gap_target": max(1, settings.queue_gap_target_per_district),
            "dup_weight": settings.queue_duplicate_weight_hours}


@dataclass
class Claim:
    reports: list[Report]
    lease_expires_at: datetime | None


def claim_reports(db: Session, *, moderator: Account, count: int, settings: Settings) -> Claim:
    """Hand the moderator up to `count` reports, highest priority first, under one lease."""
    if not 1 <= count <= settings.claim_max_count:
        raise fail("invalid_claim_count", field_error("count", f"1~{settings.claim_max_count} 사이로 적어 주세요.",
                                            f"Between 1 and {settings.claim_max_count}."))
    ids = db.execute(text(f"""
        {_GAP_CTE}
        SELECT r.id FROM reports r LEFT JOIN g ON g.district_code = r.district_code
        LEFT JOIN dup ON dup.report_id = r.id
        WHERE {CLAIMABLE_SQL}
        ORDER BY {PRIORITY_SQL} DESC, r.id
        LIMIT :count
        FOR UPDATE OF r SKIP LOCKED
    """), {**_priority_params(settings), "count": count}).scalars().all()
    if not ids:
        return Claim([], None)
    # Claimable reports still in review are ones whose lease ran out: that is recorded now, under
    # the moderator who held it, so the history shows why the report changed hands.
    lapsed = db.execute(text("SELECT id, claimed_by_id, lease_expires_at FROM reports "
                             "WHERE id = ANY(:ids) AND status = 'in_review' ORDER BY id"), {"ids": list(ids)}).all()
    for row in lapsed:
        record_audit(db, actor_id=row.claimed_by_id, action="report.lease_expired", object_type="report",
                     object_id=row.id, detail={"lease_expires_at": row.lease_expires_at.isoformat()})
    expires = db.execute(text("SELECT now() + make_interval(mins => :m)"),
                         {"m": settings.claim_lease_minutes}).scalar_one()
    db.execute(text("""
        UPDATE reports SET status = 'in_review', claimed_by_id = :me, lease_expires_at = :exp, updated_at = now()
        WHERE id = ANY(:ids)
    """), {"me": moderator.id, "exp": expires, "ids": list(ids)})
    for report_id in ids:
        record_audit(db, actor_id=moderator.id, action="report.claim", object_type="report", object_id=report_id,
                     detail={"lease_expires_at": expires.isoformat()})
    db.expire_all()
    rows = db.scalars(select(Report).where(Report.id.in_(ids))).all()
    for report in rows:  # toilets published and reports sent since it came in: its candidates afresh
        refresh_candidates(db, report=report, settings=settings)
    order = {rid: i for i, rid in enumerate(ids)}
    return Claim(sorted(rows, key=lambda r: order[r.id]), expires)


def lock_report(db: Session, report_id: int) -> Report:
    report = db.execute(select(Report).where(Report.id == report_id).with_for_update()
                        .execution_options(populate_existing=True)).scalar_one_or_none()
    if report is None:
        raise fail("report_not_found")
    return report


def holds_claim(db: Session, report: Report, moderator: Account) -> bool:
    if report.claimed_by_id != moderator.id or report.lease_expires_at is None:
        return False
    return bool(db.execute(text("SELECT :exp > now()"), {"exp": report.lease_expires_at}).scalar_one())


def require_claim(db: Session, report: Report, moderator: Account) -> None:
    """Only the holder of a live claim may decide on or release a report."""
    if report.status != "in_review":
        raise fail("invalid_transition", status=report.status)
    if report.claimed_by_id == moderator.id and not holds_claim(db, report, moderator):
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
        {_GAP_CTE}
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
