"""Issue 12 item 7: after the demo loads, a new user sees a real gap list and missions."""

from __future__ import annotations

from sqlalchemy import text

from demo.loader import load_demo


def test_the_demo_opens_gap_and_re_verification_missions(db, settings):
    message = load_demo(db, settings=settings, report_count=12)
    per_kind = dict(db.execute(text("SELECT kind, count(*) FROM missions WHERE status = 'open' GROUP BY kind")).all())
    gaps = db.execute(text("SELECT count(*) FROM reference_toilets rt LEFT JOIN toilets t ON t.id = rt.candidate_toilet_id "
                           "WHERE rt.disabled_stalls > 0 AND NOT coalesce(rt.match_status = 'matched' "
                           "AND t.status = 'active', false)")).scalar_one()
    ageing = db.execute(text("SELECT count(*) FROM toilets WHERE status = 'active' "
                             "AND last_verified_at < now() - interval '12 months'")).scalar_one()
    assert gaps > 2000 and per_kind["gap"] == gaps
    assert ageing >= 1 and per_kind["reverify"] == ageing
    assert f"missions: {gaps} gaps and {ageing} toilets to re-verify" in message
    assert "already loaded" in load_demo(db, settings=settings)
    assert db.execute(text("SELECT count(*) FROM missions")).scalar_one() == gaps + ageing
