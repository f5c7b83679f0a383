"""The demo publishes a share of its reports through the real decision service."""

from __future__ import annotations

from sqlalchemy import text

from demo.loader import load_demo


def test_demo_publishes_some_toilets_through_moderation(db, settings):
    message = load_demo(db, settings=settings, report_count=12)
    toilets = db.execute(text("SELECT count(*) FROM toilets")).scalar_one()
    assert toilets >= 3 and "published" in message
    statuses = dict(db.execute(text("SELECT status, count(*) FROM reports GROUP BY status")).all())
    assert statuses.get("approved") == toilets and statuses.get("queued", 0) >= 1
    assert db.execute(text("SELECT count(*) FROM reviews WHERE action = 'approve'")).scalar_one() == toilets
    assert db.execute(text("SELECT count(*) FROM change_log WHERE entity = 'toilet'")).scalar_one() == toilets
    assert db.execute(text("SELECT count(*) FROM reports WHERE claimed_by_id IS NOT NULL")).scalar_one() == 0
