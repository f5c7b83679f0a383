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

from bench.common import percentile, running_server, scratch_database
from bench.reference import make_file, publish_at_subset_points, timed

DB = "reachable_bench_office"
ENDPOINTS = ("/api/v1/office/dashboard", "/api/v1/office/report", "/api/v1/office/tables/districts.csv",
             "/api/v1/office/gaps?page_size=100", "/api/v1/office/gaps.csv", "/api/v1/office/campaign")


def people_and_reports(conn: psycopg.Connection, reports: int) -> None:
    from accounts.security import hash_password

    pw = hash_password("bench office pass")
    with conn.cursor() as cur:
        cur.execute("INSERT INTO organisations (code, name, participant_target) "
                    "SELECT 'ORG-' || i, '기관 ' || i, 100 FROM generate_series(1, 30) i")
        cur.execute("INSERT INTO partners (name) SELECT '협력 기관 ' || i FROM generate_series(1, 3) i")
        cur.execute("INSERT INTO accounts (username, password_hash, role, organisation_id, age_band) "
                    "SELECT 'vol' || i, %s, 'volunteer', (SELECT id FROM organisations ORDER BY id OFFSET i %% 30 LIMIT 1), "
                    "(ARRAY['under_20','20s','30s','40s','50s','60_plus'])[1 + i %% 6] FROM generate_series(1, 3000) i",
                    (pw,))
        cur.execute("INSERT INTO accounts (username, password_hash, role, partner_id) "
                    "SELECT 'mod' || i, %s, 'moderator', (SELECT id FROM partners ORDER BY id OFFSET i %% 3 LIMIT 1) "
                    "FROM generate_series(1, 10) i", (pw,))
        cur.execute("INSERT INTO accounts (username, password_hash, role) VALUES ('bench-admin', %s, 'admin')", (pw,))
        cur.execute("""
            INSERT INTO reports (volunteer_id, client_submission_id, body_sha256, schema_version, raw_payload, payload,
                                 status, observed_at, submitted_at, location, location_source, name, district_code)
            SELECT v.id, gen_random_uuid(), repeat('a', 64), 1, '{}', '{}',
                   CASE WHEN g %% 10 < 6 THEN 'approved' WHEN g %% 10 < 8 THEN 'queued' ELSE 'rejected' END,
                   now() - (g %% 100) * interval '1 day', now() - (g %% 100) * interval '1 day',
                   t.location, 'gps', t.name, t.district_code
              FROM generate_series(1, %s) g
              JOIN LATERAL (SELECT id FROM accounts WHERE role = 'volunteer' ORDER BY id OFFSET g %% 3000 LIMIT 1) v ON true
              JOIN LATERAL (SELECT location, name, district_code FROM toilets OFFSET g %% 1000 LIMIT 1) t ON true""",
                    (reports,))
        cur.execute("""
            INSERT INTO reviews (report_id, report_revision, moderator_id, partner_id, action, reason_code, status,
                                 created_at)
            SELECT r.id, 1, m.id, m.partner_id, CASE r.status WHEN 'approved' THEN 'approve' ELSE 'reject' END,
                   CASE r.status WHEN 'rejected' THEN 'duplicate' END, 'final',
                   r.submitted_at + interval '1 hour'
              FROM reports r JOIN LATERAL (SELECT id, partner_id FROM accounts WHERE role = 'moderator'
                                           ORDER BY id OFFSET r.id % 10 LIMIT 1) m ON true
             WHERE r.status IN ('approved', 'rejected')""")
        cur.execute("INSERT INTO campaigns (id, name, starts_on, ends_on, participant_target) "
                    "VALUES (1, 'bench', current_date - 99, current_date, 3000)")
    conn.commit()


def measure(base: str, n: int) -> list[tuple[str, float, float]]:
    with httpx.Client(base_url=base, timeout=120) as http:
        token = http.post("/api/v1/auth/token", data={"username": "bench-admin",
                                                      "password": "bench office pass"}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        out = []
        for path in ENDPOINTS:
            assert http.get(path, headers=headers).status_code == 200, path  # warm
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                r = http.get(path, headers=headers)
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (path, r.text[:200])
            out.append((path, percentile(times, 50), percentile(times, 95)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--toilets", type=int, default=100_000)
    ap.add_argument("--reports", type=int, default=200_000)
    ap.add_argument("--rows", type=int, default=56_000, help="reference file rows")
    ap.add_argument("--n", type=int, default=30, help="requests per endpoint")
    opts = ap.parse_args()
    from bench.export import generate

    print(f"load average before: {os.getloadavg()} (a shared machine)", flush=True)
    with tempfile.TemporaryDirectory() as tmp, scratch_database(DB) as (url, conninfo):
        file = Path(tmp) / "public_toilets.csv"
        rows = make_file(file, opts.rows, "utf-8")
        with psycopg.connect(conninfo) as conn:
            generate(conn, opts.toilets)
            at_points = publish_at_subset_points(conn)
            people_and_reports(conn, opts.reports)
        env = {**os.environ, "DATABASE_URL": url}
        imp_s, _ = timed([str(Path(sys.executable).parent / "reachable"), "reference", "import", str(file)], env)
        ogr_s, _ = timed(["ogr2ogr", "-f", "PostgreSQL", f"PG:{conninfo}", str(file), "-nln", "ogr_reference",
                          "-oo", "X_POSSIBLE_NAMES=WGS84경도", "-oo", "Y_POSSIBLE_NAMES=WGS84위도",
                          "-oo", "KEEP_GEOM_COLUMNS=YES", "-a_srs", "EPSG:4326", "-lco", "GEOMETRY_NAME=geom",
                          "--config", "PG_USE_COPY", "YES"], env)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            counts = conn.execute("SELECT (SELECT count(*) FROM toilets), (SELECT count(*) FROM reports), "
                                  "(SELECT count(*) FROM accounts WHERE role = 'volunteer'), "
                                  "(SELECT count(*) FROM reference_toilets)").fetchone()
        with running_server(url) as (base, _):
            results = measure(base, opts.n)
    print(f"\nworld: {counts[0]} toilets ({at_points} at reference points), {counts[1]} reports, {counts[2]} volunteers, "
          f"30 organisations, {counts[3]} reference records · {os.cpu_count()} cores")
    print(f"{'GET (admin, loopback, sequential)':44} {'p50 ms':>8} {'p95 ms':>8}  goal p95 < 300")
    for path, p50, p95 in results:
        print(f"{path:44} {p50:8.1f} {p95:8.1f}")
    print(f"\nreference import of {rows} rows: {imp_s:.2f} s · ogr2ogr {ogr_s:.2f} s · ratio {imp_s / ogr_s:.1f}×")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
