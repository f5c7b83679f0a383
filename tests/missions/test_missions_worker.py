"""Re-verification scheduling (issue 14.3) runs on a real worker: the periodic missions sweep opens
one mission per ageing toilet and per gap, and its later ticks open nothing more."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.exports.helpers import publish
from tests.workers import wait_for


def _count(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_the_worker_opens_missions_on_its_schedule_once(committed_engine, start_worker, monkeypatch):
    with Session(committed_engine) as db:
        old = publish(db)
        fresh = publish(db, lon=126.99, lat=37.57)
        db.execute(text("UPDATE toilets SET last_verified_at = now() - interval '13 months' WHERE id = :id"),
                   {"id": old.id})
        db.execute(text("INSERT INTO reference_toilets (management_no, name, raw, district_code, disabled_stalls) "
                        "VALUES ('W1', '정동 공중화장실', '{}', '11140', 2)"))
        db.commit()
        old_id, fresh_id = str(old.id), str(fresh.id)
    monkeypatch.setenv("MISSION_SWEEP_CRON", "* * * * * */1")  # every second
    worker = start_worker()
    wait_for(lambda: _count(committed_engine, "SELECT count(*) FROM missions") >= 2, timeout_s=90,
             what=f"the sweep to open missions; worker log:\n{worker.log()}")
    first_tick = _count(committed_engine, "SELECT max(defer_timestamp) FROM procrastinate_periodic_defers "
                                          "WHERE task_name = 'reachable.sweep_missions'")
    # three more ticks deferred (each run by the worker before the next: one queueing lock)
    wait_for(lambda: _count(committed_engine, "SELECT max(defer_timestamp) FROM procrastinate_periodic_defers "
                                              "WHERE task_name = 'reachable.sweep_missions'") >= first_tick + 3,
             timeout_s=90, what="three more sweeps")
    wait_for(lambda: _count(committed_engine, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = "
                                              "'reachable.sweep_missions' AND status IN ('todo', 'doing')") == 0,
             timeout_s=60, what="the last sweep to finish")
    with committed_engine.connect() as conn:
        rows = conn.execute(text("SELECT kind, status, toilet_id::text, reference_toilet_id IS NOT NULL FROM missions "
                                 "ORDER BY kind")).all()
    assert [tuple(r) for r in rows] == [("gap", "open", None, True), ("reverify", "open", old_id, False)]
    assert fresh_id not in {r[2] for r in rows}
    assert "Traceback" not in worker.log()
