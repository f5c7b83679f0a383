"""Reference import benchmark: `reachable reference import` beside `ogr2ogr` loading the same CSV.

The file: the Seoul subset of the national public toilet data (demo/seoul_public_toilets.csv.gz,
5,226 rows) repeated with new management numbers (번호 = repetition × 100,000 + 번호) up to
--rows (56,000 by default, about the national file's size). The database has --toilets published
toilets spread over Seoul (bench.export's generator) plus one at each usable point of the subset
under its own name, so the import's matching has real work. In one run, on one scratch database:

  import    reachable reference import FILE (a fresh process: decode, NFC, COPY to staging,
            districts, upsert, flags, matching to published toilets, audit)
  reimport  the same command again (every row unchanged: nothing written but the match)
  ogr2ogr   ogr2ogr -f PostgreSQL of the same CSV (points from WGS84경도/WGS84위도, COPY mode):
            a plain load, without districts, flags, idempotency or matching
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench.common import scratch_database
from core.config import PROJECT_ROOT

DB = "reachable_bench_reference"
SUBSET = PROJECT_ROOT / "demo" / "seoul_public_toilets.csv.gz"


def make_file(path: Path, rows: int, encoding: str) -> int:
    reader = csv.reader(io.StringIO(gzip.decompress(SUBSET.read_bytes()).decode("utf-8")))
    header, *body = list(reader)
    key = header.index("번호")
    written = 0
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        rep = 0
        while written < rows:
            for cells in body:
                if written == rows:
                    break
                out = list(cells)
                out[key] = str(rep * 100_000 + int(cells[key]))
                writer.writerow(out)
                written += 1
            rep += 1
    return written


def publish_at_subset_points(conn: psycopg.Connection) -> int:
    """One published toilet at each usable point of the subset, under the file's name (a match)."""
    from bench.export import templates

    data, verdict, *_ = templates()[0]  # (data, verdict, reasons)
    import json

    reader = csv.DictReader(io.StringIO(gzip.decompress(SUBSET.read_bytes()).decode("utf-8")))
    points = [(r["화장실명"], float(r["WGS84경도"]), float(r["WGS84위도"])) for r in reader
              if r["WGS84경도"] and r["WGS84위도"]]
    with conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE subset_pts (name text, lon float8, lat float8)")
        with cur.copy("COPY subset_pts FROM STDIN") as copy:
            for p in points:
                copy.write_row(p)
        cur.execute("""
            INSERT INTO toilets (id, version, status, name, floor, district_code, location, data, verdict,
                                 last_verified_at)
            SELECT gen_random_uuid(), 1, 'active', p.name, '1', d.code,
                   ST_SetSRID(ST_MakePoint(p.lon + 0.00005, p.lat), 4326),
                   jsonb_set(%s::jsonb, '{place,name}', to_jsonb(p.name)), %s, now()
              FROM subset_pts p JOIN districts d ON ST_Intersects(d.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))
            """, (json.dumps(data), verdict))
        n = cur.rowcount
    conn.commit()
    return n


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(args)}\n{proc.stdout}\n{proc.stderr}")
    return secs, proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=56_000)
    ap.add_argument("--toilets", type=int, default=20_000, help="published toilets spread over Seoul")
    ap.add_argument("--encoding", default="utf-8", choices=["utf-8", "utf-8-sig", "cp949"])
    opts = ap.parse_args()
    from bench.export import generate

    with tempfile.TemporaryDirectory() as tmp, scratch_database(DB) as (url, conninfo):
        file = Path(tmp) / "public_toilets_56k.csv"
        rows = make_file(file, opts.rows, opts.encoding)
        print(f"file: {rows} rows, {file.stat().st_size / 1024 / 1024:.1f} MB, {opts.encoding}", flush=True)
        with psycopg.connect(conninfo) as conn:
            generate(conn, opts.toilets)
            at_points = publish_at_subset_points(conn)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        print(f"published toilets: {opts.toilets} spread over Seoul + {at_points} at the subset's points", flush=True)
        env = {**os.environ, "DATABASE_URL": url}
        # --here: in this process (a bench has no worker; without it the command waits for one)
        cli = [str(Path(sys.executable).parent / "reachable"), "reference", "import", "--here", str(file)]
        imp_s, imp_out = timed(cli, env)
        re_s, re_out = timed(cli, env)
        ogr_s, _ = timed(["ogr2ogr", "-f", "PostgreSQL", f"PG:{conninfo}", str(file), "-nln", "ogr_reference",
                          "-oo", "X_POSSIBLE_NAMES=WGS84경도", "-oo", "Y_POSSIBLE_NAMES=WGS84위도",
                          "-oo", "KEEP_GEOM_COLUMNS=YES", "-a_srs", "EPSG:4326", "-lco", "GEOMETRY_NAME=geom",
                          "--config", "PG_USE_COPY", "YES"], env)
        with psycopg.connect(conninfo) as conn:
            ours = conn.execute("SELECT count(*), count(location) FROM reference_toilets").fetchone()
            ogr = conn.execute("SELECT count(*), count(geom) FROM ogr_reference").fetchone()
    print("\n" + imp_out.strip())
    print(f"\n{rows} rows · {os.cpu_count()} cores · {opts.toilets + at_points} published toilets")
    print(f"{'tool':34} {'seconds':>8} {'rows/s':>9} {'× ogr2ogr':>10} {'rows':>7} {'points':>7}")
    for name, s, (n, pts) in (("reachable reference import", imp_s, ours),
                              ("reachable reference import (again)", re_s, ours),
                              ("ogr2ogr -f PostgreSQL", ogr_s, ogr)):
        print(f"{name:34} {s:8.2f} {rows / s:9.0f} {s / ogr_s:10.2f} {n:7} {pts:7}")
    print("\nre-import: " + next((ln.strip() for ln in re_out.splitlines() if "unchanged" in ln), ""))


if __name__ == "__main__":
    main()
