"""bench/profile_submission: where the time of one `POST /api/v1/reports` goes, in-process.

    .venv/bin/python -m bench.profile_submission [--reports 400] [--cprofile 25]

The app is built by its own factory on a scratch database and driven in-process through its
ASGI interface (no socket, no second process), one request at a time, so each step's share is
not blurred by concurrency. Steps are timed by wrapping the functions that do them (whichever of
them this checkout has); every SQL statement is timed from the driver's side and counted by
kind. What no wrapper covers is the framework: routing, dependency resolution, the response
model and the threadpool hop. `--cprofile N` also prints the top functions of cProfile over N
more submissions, called on the service directly. Not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import io
import os
import pstats
import secrets
import time
from collections import defaultdict
from contextlib import contextmanager

import httpx
from sqlalchemy import event

from bench.common import scratch_database
from bench.ingest import make_bodies

# (label, module, attribute): wrapped where they are looked up at call time; missing ones skipped.
STEPS = [
    ("read + parse JSON body", "api.routes.reports", "read_json_body"),
    ("token check", "api.deps", "read_token"),
    ("abuse-limit counters", "core.rate_limit", "RateLimits.hit_all"),
    ("schema validation", "mobile_schema.registry", "SchemaRegistry.validate"),
    ("validation + text cleaning + upgrade", "mobile_schema.registry", "SchemaRegistry.accept"),
    ("fingerprint (sha256)", "reports.service", "body_fingerprint"),
    ("upgrade + text cleaning", "mobile_schema.registry", "SchemaRegistry.upgrade"),
    ("place rules without SQL", "reports.service", "read_place"),
    ("geometry checks (all)", "reports.service", "check_geometry"),
    ("  point in district (SQL)", "reports.service", "locate_point"),
    ("  route + obstacle rules", "reports.service", "check_route"),
    ("derived columns", "reports.service", "derived_columns"),
    ("duplicate search (SQL)", "reports.service", "find_candidates_of"),
    ("candidates judged", "reports.service", "assess_candidates_of"),
    ("stored report from RETURNING", "reports.service", "_stored_report"),
    ("store candidates (SQL)", "reports.service", "_store_candidates"),
    ("audit row", "reports.service", "record_audit"),
    ("service: submit_report (all)", "reports.service", "submit_report"),
    ("response view", "api.routes.reports", "report_view"),
    ("commit", "sqlalchemy.orm", "Session.commit"),
    ("response model + JSON", "fastapi.routing", "serialize_response"),
]


class Timings:
    def __init__(self) -> None:
        self.total: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def add(self, label: str, seconds: float) -> None:
        self.total[label] += seconds
        self.calls[label] += 1


def _wrap(timings: Timings, label: str, fn):
    import functools
    import inspect

    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def awrapped(*a, **k):
            t0 = time.perf_counter()
            try:
                return await fn(*a, **k)
            finally:
                timings.add(label, time.perf_counter() - t0)
        return awrapped

    @functools.wraps(fn)
    def wrapped(*a, **k):
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            timings.add(label, time.perf_counter() - t0)
    return wrapped


def install_wrappers(timings: Timings) -> list[str]:
    found = []
    for label, module_name, attr in STEPS:
        module = importlib.import_module(module_name)
        owner, _, name = attr.rpartition(".")
        target = getattr(module, owner) if owner else module
        fn = getattr(target, name, None)
        if fn is None:
            continue
        setattr(target, name, _wrap(timings, label, fn))
        found.append(label)
    return found


def sql_kind(statement: str) -> str:
    s = " ".join(statement.split()).lower()
    for needle, kind in (("with seen as", "submission (one statement)"), ("rate_limit_counters", "abuse-limit upsert"), ("from accounts", "account by token"),
                         ("from districts", "district of the point"), ("city_boundary", "district of the point"),
                         ("insert into reports", "insert report"), ("from reports where volunteer_id", "retry check"),
                         ("similarity(", "duplicate search"),
                         ("insert into report_duplicate_candidates", "store candidates"),
                         ("report_duplicate_candidates", "read candidates"), ("from report_photos", "photos"),
                         ("insert into audit_log", "audit row"), ("select 1", "pool pre-ping")):
        if needle in s:
            return kind
    return s[:50]


@contextmanager
def counting_sql(engines, timings: Timings):
    starts: dict[int, float] = {}

    def before(conn, cursor, statement, params, context, executemany):
        starts[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany):
        timings.add("SQL: " + sql_kind(statement), time.perf_counter() - starts.pop(id(cursor), time.perf_counter()))

    for e in engines:
        event.listen(e, "before_cursor_execute", before)
        event.listen(e, "after_cursor_execute", after)
    try:
        yield
    finally:
        for e in engines:
            event.remove(e, "before_cursor_execute", before)
            event.remove(e, "after_cursor_execute", after)


async def drive(app, bodies, timings: Timings) -> float:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
        r = await c.post("/api/v1/volunteers", json={"nickname": "profiler", "password": "bench-password",
                                                     "age_band": "20s"})
        assert r.status_code == 201, r.text
        r = await c.post("/api/v1/auth/token", data={"username": "profiler", "password": "bench-password"})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        for body in bodies[:20]:  # warm-up: caches, pools, the statement cache
            assert (await c.post("/api/v1/reports", headers=headers, json=body)).status_code == 201
        timings.total.clear()
        timings.calls.clear()
        start = time.perf_counter()
        for body in bodies[20:]:
            t0 = time.perf_counter()
            r = await c.post("/api/v1/reports", headers=headers, json=body)
            timings.add("request (in-process, end to end)", time.perf_counter() - t0)
            assert r.status_code == 201, r.text
        return time.perf_counter() - start


def print_table(timings: Timings, n: int) -> None:
    total = timings.total["request (in-process, end to end)"] / n
    print(f"{'step':40}{'ms/report':>10}{'calls':>7}{'share':>8}")
    rows = [k for k in timings.total if not k.startswith("SQL: ") and k != "request (in-process, end to end)"]
    order = [label for label, _, _ in STEPS if label in rows]
    for label in order:
        ms = timings.total[label] / n * 1e3
        print(f"{label:40}{ms:10.2f}{timings.calls[label] / n:7.1f}{ms / (total * 1e3):8.0%}")
    sql = sorted((k for k in timings.total if k.startswith("SQL: ")), key=lambda k: -timings.total[k])
    trips = sum(timings.calls[k] for k in sql) / n
    sql_ms = sum(timings.total[k] for k in sql) / n * 1e3
    print(f"{'SQL round trips (driver side)':40}{sql_ms:10.2f}{trips:7.1f}{sql_ms / (total * 1e3):8.0%}")
    for k in sql:
        print(f"  {k[5:]:38}{timings.total[k] / n * 1e3:10.2f}{timings.calls[k] / n:7.1f}")
    print(f"{'request, end to end':40}{total * 1e3:10.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=400)
    ap.add_argument("--cprofile", type=int, default=0, help="also cProfile N submissions through the service")
    ap.add_argument("--cprofile-http", type=int, default=0,
                    help="also cProfile N whole requests, the threadpool hops run inline (one thread to profile)")
    args = ap.parse_args()
    print(f"bench/profile_submission: {args.reports} submissions, one at a time, in-process · "
          f"load average {tuple(round(x, 2) for x in os.getloadavg())} (machine shared with other work)")
    bodies = make_bodies(args.reports + 20 + args.cprofile)
    timings = Timings()
    with scratch_database("reachable_bench_profile") as (url, _conninfo):
        from core.config import Settings
        from bench.common import server_env
        env = server_env(DATABASE_URL=url)
        rates = {k[len("RATE_LIMIT_"):].lower(): v for k, v in env.items() if k.startswith("RATE_LIMIT_")
                 and k[len("RATE_LIMIT_"):].lower() in _rule_names()}
        settings = Settings(database_url=url, secret_key=secrets.token_urlsafe(48),
                            **{f"rate_limit_{r}": v for r, v in rates.items()})
        install_wrappers(timings)
        from api.app import create_app
        app = create_app(settings)
        with counting_sql([app.state.engine, app.state.rate_limit_engine], timings):
            asyncio.run(drive(app, bodies[:args.reports + 20], timings))
        print_table(timings, args.reports)
        if args.cprofile:
            profile_service(app, bodies[args.reports + 20:])
        if args.cprofile_http:
            asyncio.run(profile_requests(app, make_bodies(args.cprofile_http + 5000)[-args.cprofile_http:]))
        app.state.engine.dispose()
        app.state.rate_limit_engine.dispose()


def _rule_names() -> set[str]:
    from core.rate_limit import RULES
    return set(RULES)


async def profile_requests(app, bodies) -> None:
    import fastapi.dependencies.utils as dep_utils
    import fastapi.routing as routing
    import starlette.concurrency as concurrency

    async def inline(func, *args, **kwargs):
        return func(*args, **kwargs)

    class InlineCM:
        def __init__(self, cm):
            self.cm = cm

        async def __aenter__(self):
            return self.cm.__enter__()

        async def __aexit__(self, *exc):
            return self.cm.__exit__(*exc)

    import api.routes.reports as routes
    for module in (dep_utils, routing, concurrency, routes):
        module.run_in_threadpool = inline
    dep_utils.contextmanager_in_threadpool = InlineCM
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
        r = await c.post("/api/v1/auth/token", data={"username": "profiler", "password": "bench-password"})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        prof = cProfile.Profile(time.process_time)  # CPU time: waits on PostgreSQL and other load left out
        prof.enable()
        for body in bodies:
            assert (await c.post("/api/v1/reports", headers=headers, json=body)).status_code == 201
        prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(60)
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(30)
    print(f"\ncProfile (CPU time of this process) of {len(bodies)} whole requests (in-process client "
          "included; cumulative, then own time):")
    print(out.getvalue())


def profile_service(app, bodies) -> None:
    from sqlalchemy import select

    from accounts.models import Account
    from core.db import unit_of_work
    from reports import service

    settings, registry = app.state.settings, app.state.schema_registry
    with unit_of_work(app.state.session_factory) as db:
        volunteer = db.scalars(select(Account).where(Account.username == "profiler")).one()
    prof = cProfile.Profile()
    for body in bodies:
        with unit_of_work(app.state.session_factory) as db:
            prof.enable()
            service.submit_report(db, volunteer=volunteer, body=body, registry=registry, settings=settings)
            prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(30)
    print(f"\ncProfile of reports.service.submit_report over {len(bodies)} submissions (cumulative):")
    print(out.getvalue())


if __name__ == "__main__":
    main()
