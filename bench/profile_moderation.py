"""bench/profile_moderation: where the time of a claim and of a decision goes, in-process.

    .venv/bin/python -m bench.profile_moderation [--reports 20000] [--claims 60] [--batch 5] [--cprofile]

One moderator, one request at a time, through the app's ASGI interface on a scratch database
filled like bench/moderation's (so the queue is as deep); decisions as bench/moderation mixes
them. Steps are timed by wrapping the functions that do them (whichever this checkout has) and
every SQL statement is timed from the driver's side, by kind. `--cprofile` adds the top
functions by CPU time. Not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import random
import secrets
import time

import httpx
import psycopg

from bench.common import scratch_database
from bench.moderation import PASSWORD, fill_queue
from bench.profile_submission import Timings, counting_sql, install_wrappers

STEPS = [
    ("token check", "api.deps", "read_token"),
    ("claim: pick + lock + claim (SQL)", "moderation.queue", "claim_reports"),
    ("claim: candidates afresh", "moderation.queue", "refresh_candidates"),
    ("claim: candidates afresh (batch)", "moderation.queue", "refresh_candidates_of"),
    ("claim: report views", "api.routes.moderation", "moderation_report_view"),
    ("claim: report views (batch)", "api.routes.moderation", "moderation_report_views"),
    ("decide (service, all)", "moderation.service", "decide"),
    ("  publish", "moderation.service", "_publish"),
    ("  create_toilet", "moderation.service", "create_toilet"),
    ("  change log", "toilets.service", "append_change"),
    ("decision response view", "api.routes.moderation", "_decision_out"),
    ("commit", "sqlalchemy.orm", "Session.commit"),
]


def sql_kind(statement: str) -> str:
    return " ".join(statement.split())[:70]


async def drive(app, claims: int, batch: int, timings: Timings) -> None:
    rng = random.Random(5)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
        r = await c.post("/api/v1/auth/token", data={"username": "benchmod0", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        for n in range(claims + 5):
            if n == 5:  # warm-up done
                timings.total.clear()
                timings.calls.clear()
            t0 = time.perf_counter()
            r = await c.post("/api/v1/moderation/claims", json={"count": batch}, headers=headers)
            timings.add("CLAIM request", time.perf_counter() - t0)
            assert r.status_code == 200, r.text
            for item in r.json()["items"]:
                roll = rng.random()
                body = ({"action": "approve"} if roll < 0.6 else
                        {"action": "reject", "reason_code": "insufficient_evidence"} if roll < 0.85 else
                        {"action": "request_changes", "message": "사진을 더 보내 주세요"})
                t0 = time.perf_counter()
                r = await c.post(f"/api/v1/moderation/reports/{item['id']}/decision", json=body, headers=headers)
                timings.add(f"DECISION request ({body['action']})", time.perf_counter() - t0)
                assert r.status_code == 200, r.text


def print_table(timings: Timings, claims: int) -> None:
    decisions = sum(timings.calls[k] for k in timings.total if k.startswith("DECISION"))
    print(f"{'step':44}{'ms/call':>9}{'calls':>7}")
    for k in sorted(k for k in timings.total if k.isupper() or k.startswith(("CLAIM", "DECISION"))):
        print(f"{k:44}{timings.total[k] / timings.calls[k] * 1e3:9.2f}{timings.calls[k]:7d}")
    for label, _, _ in STEPS:
        if timings.calls.get(label):
            print(f"{label:44}{timings.total[label] / timings.calls[label] * 1e3:9.2f}{timings.calls[label]:7d}")
    sql = sorted((k for k in timings.total if k.startswith("SQL: ")), key=lambda k: -timings.total[k])
    n_sql = sum(timings.calls[k] for k in sql)
    print(f"SQL statements: {n_sql} for {claims} claims + {decisions} decisions "
          f"({sum(timings.total[k] for k in sql) * 1e3:.0f} ms driver side); by time:")
    for k in sql[:25]:
        print(f"  {timings.total[k] * 1e3:8.1f} ms {timings.calls[k]:5d}×  {k[5:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=20_000)
    ap.add_argument("--claims", type=int, default=60)
    ap.add_argument("--batch", type=int, default=5)
    ap.add_argument("--cprofile", action="store_true", help="also the top functions by CPU time (this thread)")
    args = ap.parse_args()
    print(f"bench/profile_moderation: {args.claims} claims of {args.batch} and their decisions, one at a time, "
          f"in-process · load average {tuple(round(x, 2) for x in os.getloadavg())}")
    timings = Timings()
    with scratch_database("reachable_bench_profile_moderation") as (url, conninfo):
        from accounts.security import hash_password
        from api.app import create_app
        from core.config import Settings

        with psycopg.connect(conninfo) as conn:
            conn.execute("INSERT INTO accounts (username, password_hash, role) VALUES ('benchvol', %s, 'volunteer'),"
                         " ('benchmod0', %s, 'moderator')", (hash_password(PASSWORD), hash_password(PASSWORD)))
            volunteer_id = conn.execute("SELECT id FROM accounts WHERE username = 'benchvol'").fetchone()[0]
            conn.commit()
        fill_queue(conninfo, args.reports, volunteer_id)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        install_wrappers_for(timings)
        app = create_app(Settings(database_url=url, secret_key=secrets.token_urlsafe(48), claim_max_count=50))
        prof = cProfile.Profile(time.process_time) if args.cprofile else None
        with counting_sql([app.state.engine], timings):
            if prof:
                prof.enable()
            asyncio.run(drive(app, args.claims, args.batch, timings))
            if prof:
                prof.disable()
        print_table(timings, args.claims)
        explain_claim(app)
        if prof:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(35)
            print(out.getvalue())
        app.state.engine.dispose()
        app.state.rate_limit_engine.dispose()


def explain_claim(app) -> None:
    """EXPLAIN ANALYZE of the claim's statement on the bench's queue (rolled back)."""
    from sqlalchemy import text

    from moderation import queue

    settings = app.state.settings
    with app.state.engine.connect() as conn:
        me = conn.execute(text("SELECT id FROM accounts WHERE username = 'benchmod0'")).scalar_one()
        params = {**queue._priority_params(settings), "up_to": max(1, settings.queue_gap_target_per_district),
                  "count": 5, "me": me, "lease_minutes": settings.claim_lease_minutes, "window": 5 + queue._CLAIM_LOOKAHEAD}
        plan = conn.execute(text("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + queue._CLAIM_SQL.text),
                            params).scalars().all()
        conn.rollback()
    print("EXPLAIN ANALYZE of the claim (5 reports):")
    print("\n".join("  " + line for line in plan))


def install_wrappers_for(timings: Timings) -> None:
    import bench.profile_submission as ps

    ps.STEPS = STEPS
    ps.sql_kind = sql_kind
    install_wrappers(timings)


if __name__ == "__main__":
    main()
