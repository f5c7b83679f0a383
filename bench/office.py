"""Office benchmark (not a test): the dashboard's queries and the gap list over loopback, and the
reference import beside ogr2ogr (bench/reference's own steps, same file, same run).

World, on one scratch database: `--toilets` published toilets spread over Seoul (bench/export's
generator) plus one at each usable point of the Seoul reference subset; 30 organisations, 3,000
volunteers, 10 moderators in 3 partners; `--reports` reports over 100 days, 60 % with an approve
decision; the ~56,000-row reference file imported by `reachable reference import` (timed beside
`ogr2ogr -f PostgreSQL` loading the same CSV). Then a server (2 workers) and `--n` sequential
requests per endpoint as the admin: p50/p95 in ms. The machine is shared: os.getloadavg() is
printed before and after.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import text

from bench.common import percentile, running_server, scratch_database
from bench.reference import make_file, publish_at_subset_points, timed

DB = "reachable_bench_office"
ENDPOINTS = ("/api/v1/office/dashboard", "/api/v1/office/report", "/api/v1/office/tables/districts.csv",
             "/api/v1/office/tables/missions.csv",
             "/api/v1/office/gaps?page_size=100", "/api/v1/office/gaps.csv", "/api/v1/office/campaign")


def people_and_reports(conn: psycopg.Connection, reports: int, volunteers: int) -> None:
    from accounts.security import hash_password

    pw = hash_password("bench office pass")
    with conn.cursor() as cur:
        cur.execute("INSERT INTO organisations (code, name, participant_target) "
                    "SELECT 'ORG-' || i, '기관 ' || i, 100 FROM generate_series(1, 30) i")
        cur.execute("INSERT INTO partners (name) SELECT '협력 기관 ' || i FROM generate_series(1, 3) i")
        cur.execute("INSERT INTO accounts (username, password_hash, role, organisation_id, age_band) "
                    "SELECT 'vol' || i, %s, 'volunteer', o.ids[1 + i %% array_length(o.ids, 1)], "
                    "(ARRAY['under_20','20s','30s','40s','50s','60_plus'])[1 + i %% 6] "
                    "FROM generate_series(1, %s) i, (SELECT array_agg(id ORDER BY id) AS ids FROM organisations) o",
                    (pw, volunteers))
        cur.execute("INSERT INTO accounts (username, password_hash, role, partner_id) "
                    "SELECT 'mod' || i, %s, 'moderator', p.ids[1 + i %% 3] "
                    "FROM generate_series(1, 10) i, (SELECT array_agg(id ORDER BY id) AS ids FROM partners) p", (pw,))
        cur.execute("INSERT INTO accounts (username, password_hash, role) VALUES ('bench-admin', %s, 'admin')", (pw,))
        cur.execute("""
            INSERT INTO reports (volunteer_id, client_submission_id, body_sha256, schema_version, raw_payload, payload,
                                 status, observed_at, submitted_at, location, location_source, name, district_code)
            SELECT v.id, gen_random_uuid(), repeat('a', 64), 1, '{}', '{}',
                   CASE WHEN g %% 10 < 6 THEN 'approved' WHEN g %% 10 < 8 THEN 'queued' ELSE 'rejected' END,
                   now() - (g %% 100) * interval '1 day', now() - (g %% 100) * interval '1 day',
                   t.location, 'gps', t.name, t.district_code
              FROM generate_series(1, %s) g
              CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM accounts WHERE role = 'volunteer') vs
              JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS n, location, name, district_code
                      FROM (SELECT * FROM toilets ORDER BY id LIMIT 1000) f) t ON t.n = g %% 1000
              CROSS JOIN LATERAL (SELECT vs.ids[1 + g %% array_length(vs.ids, 1)] AS id) v""",
                    (reports,))
        cur.execute("""
            INSERT INTO reviews (report_id, report_revision, moderator_id, partner_id, action, reason_code, status,
                                 created_at)
            SELECT r.id, 1, m.id, m.partner_id, CASE r.status WHEN 'approved' THEN 'approve' ELSE 'reject' END,
                   CASE r.status WHEN 'rejected' THEN 'duplicate' END, 'final',
                   r.submitted_at + interval '1 hour'
              FROM reports r
              JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, partner_id FROM accounts
                     WHERE role = 'moderator') m ON m.n = r.id % 10
             WHERE r.status IN ('approved', 'rejected')""")
        cur.execute("INSERT INTO campaigns (id, name, starts_on, ends_on, participant_target) "
                    "VALUES (1, 'bench', current_date - 99, current_date, 3000)")
    conn.commit()


# Missions near a point in the middle of Seoul (시청), as a volunteer.
NEARBY = "/api/v1/missions/nearby?lon=126.978&lat=37.5665&radius_m=1000"


def _timed_gets(http: httpx.Client, path: str, headers: dict[str, str], n: int) -> tuple[str, float, float]:
    assert http.get(path, headers=headers).status_code == 200, path  # warm
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = http.get(path, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.text[:200])
    return path, percentile(times, 50), percentile(times, 95)


def _token(http: httpx.Client, username: str) -> dict[str, str]:
    r = http.post("/api/v1/auth/token", data={"username": username, "password": "bench office pass"})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def measure(base: str, n: int) -> list[tuple[str, float, float]]:
    with httpx.Client(base_url=base, timeout=120) as http:
        admin = _token(http, "bench-admin")
        out = [_timed_gets(http, path, admin, n) for path in ENDPOINTS]
        out.append(_timed_gets(http, NEARBY, _token(http, "vol1"), n))
    return out


def age_and_sweep(url: str, share: float) -> tuple[int, float, dict[str, int]]:
    """Age `share` of the toilets past REVERIFY_AFTER_MONTHS, then run the worker's missions sweep
    once (timed) and again (idempotent: opens nothing)."""
    import all_models  # noqa: F401
    from core.config import get_settings
    from core.db import make_engine, make_session_factory, unit_of_work
    from missions.service import sweep_missions

    settings = get_settings()
    engine = make_engine(settings, url)
    try:
        factory = make_session_factory(engine)
        with unit_of_work(factory) as db:
            aged = db.execute(text("UPDATE toilets SET last_verified_at = now() - interval '14 months' "
                                   "WHERE abs(hashtext(id::text)) % 1000 < :per_mille"),
                              {"per_mille": int(share * 1000)}).rowcount
        t0 = time.perf_counter()
        with unit_of_work(factory) as db:
            first = sweep_missions(db, settings=settings)
        seconds = time.perf_counter() - t0
        with unit_of_work(factory) as db:
            again = sweep_missions(db, settings=settings)
        assert again["opened_gaps"] == again["opened_reverify"] == 0, again
    finally:
        engine.dispose()
    return aged, seconds, first


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply the issue's sizes (100k toilets, 200k reports, 3,000 volunteers, 56k rows)")
    ap.add_argument("--n", type=int, default=30, help="requests per endpoint")
    opts = ap.parse_args()
    toilets, reports = int(100_000 * opts.scale), int(200_000 * opts.scale)
    volunteers, rows_wanted = max(30, int(3000 * opts.scale)), max(1000, int(56_000 * opts.scale))
    from bench.export import generate

    print(f"load average before: {os.getloadavg()} (a shared machine)", flush=True)
    with tempfile.TemporaryDirectory() as tmp, scratch_database(DB) as (url, conninfo):
        file = Path(tmp) / "public_toilets.csv"
        rows = make_file(file, rows_wanted, "utf-8")
        t0 = time.perf_counter()
        with psycopg.connect(conninfo) as conn:
            generate(conn, toilets)
            at_points = publish_at_subset_points(conn)
            people_and_reports(conn, reports, volunteers)
        print(f"world made in {time.perf_counter() - t0:.1f} s", flush=True)
        # A live database has been analysed by autovacuum; one made a second ago has no statistics,
        # and the import's matching planned on them took 80-100 s instead of 9 (bench/reference does
        # the same)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        env = {**os.environ, "DATABASE_URL": url}
        imp_s, _ = timed([str(Path(sys.executable).parent / "reachable"), "reference", "import", "--here", str(file)],
                         env)
        ogr_s, _ = timed(["ogr2ogr", "-f", "PostgreSQL", f"PG:{conninfo}", str(file), "-nln", "ogr_reference",
                          "-oo", "X_POSSIBLE_NAMES=WGS84경도", "-oo", "Y_POSSIBLE_NAMES=WGS84위도",
                          "-oo", "KEEP_GEOM_COLUMNS=YES", "-a_srs", "EPSG:4326", "-lco", "GEOMETRY_NAME=geom",
                          "--config", "PG_USE_COPY", "YES"], env)
        aged, sweep_s, opened = age_and_sweep(url, 0.2)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            counts = conn.execute("SELECT (SELECT count(*) FROM toilets), (SELECT count(*) FROM reports), "
                                  "(SELECT count(*) FROM accounts WHERE role = 'volunteer'), "
                                  "(SELECT count(*) FROM reference_toilets), (SELECT count(*) FROM missions)").fetchone()
        print(f"load average before the requests: {os.getloadavg()}", flush=True)
        with running_server(url) as (base, _):
            results = measure(base, opts.n)
    print(f"\nworld: {counts[0]} toilets ({at_points} at reference points), {counts[1]} reports, {counts[2]} volunteers, "
          f"30 organisations, {counts[3]} reference records, {counts[4]} missions · {os.cpu_count()} cores")
    print(f"{'GET (loopback, sequential)':60} {'p50 ms':>8} {'p95 ms':>8}  goal p95 < 300")
    for path, p50, p95 in results:
        print(f"{path:60} {p50:8.1f} {p95:8.1f}")
    print(f"\nmissions sweep ({aged} toilets aged past REVERIFY_AFTER_MONTHS): {sweep_s:.2f} s, opened "
          f"{opened['opened_gaps']} gap and {opened['opened_reverify']} re-verification missions; again: none")
    print(f"reference import of {rows} rows: {imp_s:.2f} s · ogr2ogr {ogr_s:.2f} s · ratio {imp_s / ogr_s:.1f}×")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
