"""The export benchmark behind `bench/export` (docs/exports.md has the figures).

Data: N toilets placed uniformly at random inside the 25 district polygons (ST_GeneratePoints,
fixed seed), each with a 2-point access route ending at the toilet, a version row and change-log
entries. They are bulk-inserted with SQL for speed (the service functions write one toilet per
call); the published fields come from a few payload templates whose verdicts were computed by
toilets.verdict.assess (verdict and reasons), so every row is one the service could have written.

Measured in the same run, on the same database and rows:
  api      GET /api/v1/exports/toilets.geojson?profile=smart-seoul-map through a uvicorn server
  ogr2ogr  ogr2ogr -f GeoJSON from the toilets table (GDAL reads the rows and writes GeoJSON)
  copy     psql \\copy of the same rows (id, attributes, data JSON, geometry as GeoJSON): the ceiling
Peak memory of the server is sampled from /proc while it streams, first for one district, then for
the whole layer: memory that does not grow with the layer means the two peaks are close.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg

from bench.common import free_port, scratch_database, server_env
from core.config import PROJECT_ROOT
from core.localdb import _pg_bindir
from tests.factories import exporter_api_key, report_body
from toilets.service import published_data
from toilets.verdict import assess

DB = "reachable_bench"
OUT = PROJECT_ROOT / "bench" / "results"


def templates() -> list[tuple[dict, str]]:
    variants = [
        {},
        {"toilet.door_clear_width_cm": 85, "toilet.grab_bars": "one_side"},
        {"toilet.door_clear_width_cm": 70},
        {"toilet.door_clear_width_cm": None, "toilet.door_type": "folding"},
        {"access_route.step_free": "partial", "toilet.threshold_height_cm": 3},
        # every row complete for the Smart Seoul Map layer (both addresses, a main photo), so the
        # API exports the same rows ogr2ogr and psql do (an incomplete toilet is left out of it)
        {"toilet.arrangement": "unisex_accessible", "place.location_detail": None},
        {"access_route.elevator": "out_of_service"},
        {"toilet.emergency_bell": "present", "toilet.interior_width_cm": None},
    ]
    out = []
    for v in variants:
        data = published_data(report_body(**v))
        a = assess(data)
        out.append((data, a.verdict, a.reasons_json()))
    return out


def generate(conn: psycopg.Connection, rows: int) -> None:
    tpl = templates()
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE tpl (k int, data jsonb, verdict text, reasons jsonb)")
        for k, (data, verdict, reasons) in enumerate(tpl):
            cur.execute("INSERT INTO tpl VALUES (%s, %s, %s, %s)", (k, json.dumps(data), verdict, json.dumps(reasons)))
        cur.execute("""
            CREATE TEMP TABLE pts AS
            WITH share AS (
              SELECT code, name_ko, geom, ceil(%(n)s * ST_Area(geom) / sum(ST_Area(geom)) OVER ())::int AS k
                FROM districts)
            SELECT row_number() OVER () AS i, code, name_ko, g
              FROM (SELECT code, name_ko, (ST_Dump(ST_GeneratePoints(geom, k, 20261126))).geom AS g FROM share) x
            """, {"n": rows})
        cur.execute("DELETE FROM pts WHERE i > %s", (rows,))
        cur.execute("""
            INSERT INTO toilets (id, version, status, name, building_name, floor, district_code, location, data,
                                 verdict, verdict_reasons, last_verified_at, created_at, updated_at)
            SELECT gen_random_uuid(), 1, 'active', '벤치 화장실 ' || p.i, '벤치 건물 ' || p.i, '1', p.code, p.g,
                   jsonb_set(jsonb_set(jsonb_set(t.data, '{place,name}', to_jsonb('벤치 화장실 ' || p.i)),
                             '{place,road_address}', to_jsonb('서울특별시 ' || p.name_ko || ' 벤치로 ' || p.i)),
                             '{place,district}', to_jsonb(p.name_ko)),
                   t.verdict, t.reasons, now() - (p.i % 365) * interval '1 day', now(), now()
              FROM pts p JOIN tpl t ON t.k = p.i % 8""")
        cur.execute("""
            INSERT INTO toilet_routes (toilet_id, version, status, path, step_free, updated_at)
            SELECT id, 1, 'active', ST_MakeLine(ST_Translate(location, -0.0003, -0.0002), location),
                   data #>> '{access_route,step_free}', now() FROM toilets""")
        # Each toilet published from an approved report with two photos (entrance, door), so the
        # export joins the photos as it does for real data.
        cur.execute("""
            INSERT INTO accounts (username, password_hash, role) VALUES ('bench-volunteer', 'x', 'volunteer')
            RETURNING id""")
        volunteer = cur.fetchone()[0]
        cur.execute("""
            CREATE TEMP TABLE published AS
            SELECT t.id AS toilet_id, nextval('reports_id_seq') AS report_id FROM toilets t""")
        cur.execute("""
            INSERT INTO reports (id, volunteer_id, client_submission_id, body_sha256, schema_version, raw_payload,
                                 payload, status, observed_at, location, location_source, name, district_code)
            SELECT p.report_id, %s, gen_random_uuid(), md5(t.id::text) || md5(t.name), 1, '{}', '{}',
                   'approved', now(), t.location, 'gps', t.name, t.district_code
              FROM published p JOIN toilets t ON t.id = p.toilet_id""", (volunteer,))
        cur.execute("""
            INSERT INTO report_photos (id, report_id, kind, content_type, width_px, height_px, byte_size, sha256,
                                       storage_key, thumb_key)
            SELECT x.id, x.report_id, x.kind, 'image/jpeg', 1600, 1200, 250000, md5(x.id::text) || md5(x.kind),
                   'bench/' || x.id || '.jpg', 'bench/' || x.id || '.thumb.jpg'
              FROM (SELECT gen_random_uuid() AS id, p.report_id, k.kind
                      FROM published p CROSS JOIN (VALUES ('entrance'), ('door')) k(kind)) x""")
        cur.execute("""
            INSERT INTO toilet_versions (toilet_id, version, status, name, location, route_path, data, verdict,
                                         verdict_reasons, report_id)
            SELECT t.id, 1, t.status, t.name, t.location, r.path, t.data, t.verdict, t.verdict_reasons, p.report_id
              FROM toilets t JOIN toilet_routes r ON r.toilet_id = t.id JOIN published p ON p.toilet_id = t.id""")
        # what publishing stores (reports.photos.public_photo_files): entrance first, then door
        cur.execute("""
            UPDATE toilets t SET photo_files = f.files
              FROM (SELECT p.toilet_id, array_agg(ph.id || '.jpg' ORDER BY ph.kind = 'door') AS files
                      FROM published p JOIN report_photos ph ON ph.report_id = p.report_id
                     GROUP BY p.toilet_id) f
             WHERE f.toilet_id = t.id""")
        cur.execute("""
            INSERT INTO change_log (entity, entity_id, op, version)
            SELECT e, id, 'create', 1 FROM toilets, (VALUES ('toilet'), ('route')) v(e) ORDER BY id, e DESC""")
    conn.commit()
    print(f"generated {rows} toilets + routes in {time.perf_counter() - t0:.1f} s", flush=True)


class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            try:
                self.peak_kb = max(self.peak_kb, rss_kb(self.pid))
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(0.01)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def timed_download(client: httpx.Client, url: str, headers: dict, pid: int, dest: Path) -> tuple[float, int, int]:
    sampler = RssSampler(pid)
    sampler.start()
    t0 = time.perf_counter()
    size = 0
    with client.stream("GET", url, headers=headers) as r, dest.open("wb") as fh:
        r.raise_for_status()
        for chunk in r.iter_raw():
            fh.write(chunk)
            size += len(chunk)
    secs = time.perf_counter() - t0
    sampler.running = False
    sampler.join()
    return secs, size, sampler.peak_kb


def run_child(args: list[str], **kw) -> tuple[float, int]:
    """Seconds and the child's peak RSS (kB), sampled from /proc (rusage would count the pages
    the child shared with this process between fork and exec)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, **kw)
    sampler = RssSampler(proc.pid)
    sampler.start()
    code = proc.wait()
    secs = time.perf_counter() - t0
    sampler.running = False
    sampler.join()
    if code != 0:
        raise SystemExit(f"failed: {' '.join(args)}")
    return secs, sampler.peak_kb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    opts = ap.parse_args()

    with scratch_database(DB) as (url, conninfo):
        run(url, conninfo, opts.rows)


def run(url: str, conninfo: str, rows: int) -> None:
    with psycopg.connect(conninfo) as conn:
        generate(conn, rows)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        n = conn.execute("SELECT count(*) FROM toilets").fetchone()[0]

    OUT.mkdir(parents=True, exist_ok=True)
    work = OUT / "run.tmp"  # git-ignored
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()

    # an exporter with an API key, as the map team would pull
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine(url)
    with Session(engine) as db:
        key = exporter_api_key(db, prefix="bench")
    engine.dispose()

    port = free_port()
    env = server_env(DATABASE_URL=url, PHOTO_DIR=str(work / "photos"))
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port",
                               str(port), "--log-level", "warning"], env=env, cwd=PROJECT_ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=600) as client:
            for _ in range(200):
                try:
                    if client.get(f"{base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            idle_kb = rss_kb(server.pid)
            headers = {"X-API-Key": key}
            api_url = f"{base}/api/v1/exports/toilets.geojson?profile=smart-seoul-map"
            small_s, small_b, small_peak = timed_download(client, api_url + "&district=11140", headers, server.pid,
                                                          work / "api_small.geojson")
            api_s, api_b, api_peak = timed_download(client, api_url, headers, server.pid, work / "api.geojson")
            features = json.loads((work / "api.geojson").read_bytes())["features"]
            assert len(features) == n, (len(features), n)
            del features
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)

    pg = f"PG:{conninfo}"
    ogr_s, ogr_kb = run_child(["ogr2ogr", "-f", "GeoJSON", str(work / "ogr.geojson"), pg, "toilets",
                               "-lco", "COORDINATE_PRECISION=7"])
    ogr_b = (work / "ogr.geojson").stat().st_size
    psql = str(_pg_bindir() / "psql")
    copy_sql = ("\\copy (SELECT id, version, status, name, building_name, floor, district_code, data, verdict, "
                "verdict_reasons, last_verified_at, created_at, updated_at, photo_files, ST_AsGeoJSON(location, 7) "
                "FROM toilets) "
                f"TO '{work / 'copy.txt'}'")
    copy_s, copy_kb = run_child([psql, "-X", "-q", "-d", conninfo, "-c", copy_sql])
    copy_b = (work / "copy.txt").stat().st_size

    mb = 1024 * 1024
    rows_out = [
        ("api (smart-seoul-map GeoJSON)", api_s, api_b, api_peak),
        ("ogr2ogr -f GeoJSON (table)", ogr_s, ogr_b, ogr_kb),
        ("psql \\copy (ceiling)", copy_s, copy_b, copy_kb),
    ]
    print(f"\n{n} toilets (+{n} routes) · {os.cpu_count()} cores · server idle RSS {idle_kb / 1024:.0f} MB")
    print(f"{'tool':32} {'seconds':>8} {'MB':>8} {'MB/s':>8} {'peak MB':>8} {'×ogr2ogr':>9} {'×copy':>7}")
    for name, s, b, kb in rows_out:
        print(f"{name:32} {s:8.2f} {b / mb:8.1f} {b / mb / s:8.1f} {kb / 1024:8.0f} {s / ogr_s:9.2f} {s / copy_s:7.2f}")
    print(f"\nserver peak RSS: one district ({small_b / mb:.1f} MB in {small_s:.2f} s) {small_peak / 1024:.0f} MB; "
          f"whole layer ({api_b / mb:.1f} MB) {api_peak / 1024:.0f} MB")
    print(f"features/s through the API: {n / api_s:,.0f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
