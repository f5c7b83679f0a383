"""bench/scale: public read throughput with 1 and 2 API processes, and with the primary only
versus primary + streaming replica (DATABASE_READ_URL), as ratios, in one run.

    .venv/bin/python -m bench.scale [--toilets 20000] [--seconds 20] [--concurrency 32] [--rounds 2]

A cluster of the bench's own (core.localdb, under .reachable/bench-scale) and a replica of it
(core.localdb.LocalReplica, pg_basebackup -R), N published toilets generated inside Seoul (the
rows of bench/export). The finder's reads, anonymous (so they may go to the replica): 70 %
`/api/v1/toilets/nearby` around a random published toilet (500 m, 50 results), 20 %
`/api/v1/toilets/{id}`, 10 % `/api/v1/toilets?district=…&page_size=50`, the same sequence in
every case, from two load-generating processes with `--concurrency` connections in all.

Each API process is one uvicorn worker (one process per machine, as behind a load balancer);
two processes are served round-robin by the load generator. The reference, in the same run:
the same service functions (toilets.public) called on a direct session from as many threads,
no HTTP, on the primary only and split between primary and replica: what the database side
alone does with one and with two servers.

The machine is shared (2 cores, other work running; the load average is printed before and
after): every process here — load generator, API processes, both PostgreSQL servers — takes
its CPU from the same two cores, so a second process or a replica can only show its cost here,
not the capacity it adds on a machine of its own. Not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import shutil
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import psycopg

from bench.common import percentile, running_server
from bench.export import generate
from core.config import PROJECT_ROOT, Settings
from core.localdb import LocalCluster, LocalReplica
from core.migrate import upgrade

SHARES = (("nearby", 70), ("one", 20), ("list", 10))


@dataclass(frozen=True)
class Read:
    kind: str
    path: str
    params: dict


def make_reads(conninfo: str, n: int, seed: int = 14) -> list[Read]:
    """`n` reads in a fixed random order, over toilets sampled from the layer."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT id, ST_X(location), ST_Y(location), district_code FROM toilets "
                            "ORDER BY md5(id::text) LIMIT 5000").fetchall()
    rng = random.Random(seed)
    kinds = [kind for kind, share in SHARES for _ in range(share)]
    reads = []
    for _ in range(n):
        toilet, lon, lat, district = rng.choice(rows)
        kind = rng.choice(kinds)
        if kind == "nearby":
            reads.append(Read(kind, "/api/v1/toilets/nearby", {"lon": round(lon + rng.uniform(-0.002, 0.002), 6),
                                                               "lat": round(lat + rng.uniform(-0.002, 0.002), 6),
                                                               "radius_m": 500, "limit": 50}))
        elif kind == "one":
            reads.append(Read(kind, f"/api/v1/toilets/{toilet}", {}))
        else:
            reads.append(Read(kind, "/api/v1/toilets", {"district": district, "page_size": 50,
                                                        "page": rng.randint(1, 3)}))
    return reads


# -- the load generator (its own processes, so its CPU is not the orchestrator's GIL) ----------

async def _drive(bases: list[str], reads: list[Read], concurrency: int, warmup_s: float, seconds: float,
                 offset: int) -> tuple[int, list[float], int]:
    clients = [httpx.AsyncClient(base_url=b, timeout=60, limits=httpx.Limits(max_connections=concurrency))
               for b in bases]
    latencies: list[float] = []
    failures = 0
    done = 0
    start = time.perf_counter()
    measure_from, stop_at = start + warmup_s, start + warmup_s + seconds

    async def worker(w: int) -> None:
        nonlocal failures, done
        i = offset + w * 7919
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                return
            read = reads[i % len(reads)]
            client = clients[i % len(clients)]  # round-robin over the API processes
            i += 1
            t0 = time.perf_counter()
            r = await client.get(read.path, params=read.params)
            t1 = time.perf_counter()
            if t0 >= measure_from and t1 <= stop_at:
                if r.status_code != 200:
                    failures += 1
                latencies.append(t1 - t0)
                done += 1

    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    for c in clients:
        await c.aclose()
    return done, latencies, failures


def drive(args: tuple) -> tuple[int, list[float], int]:
    return asyncio.run(_drive(*args))


def through_api(pool, bases: list[str], reads: list[Read], *, concurrency: int, warmup_s: float,
                seconds: float) -> dict:
    per = max(1, concurrency // 2)
    parts = pool.map(drive, [(bases, reads, per, warmup_s, seconds, k * 104729) for k in range(2)])
    latencies = [x for _, lat, _ in parts for x in lat]
    return {"reqs": sum(d for d, _, _ in parts) / seconds, "p50": percentile(latencies, 50) * 1000,
            "p95": percentile(latencies, 95) * 1000, "failures": sum(f for _, _, f in parts)}


# -- the reference: the same service functions on direct sessions, no HTTP ----------------------

def direct(urls: list[str], reads: list[Read], *, concurrency: int, warmup_s: float, seconds: float) -> dict:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from toilets import public
    from toilets.filters import LayerFilter

    engines = [create_engine(u, pool_size=concurrency, max_overflow=0) for u in urls]
    counts = [0] * concurrency
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    start = time.perf_counter()
    measure_from, stop_at = start + warmup_s, start + warmup_s + seconds

    def one(db, read: Read) -> None:
        if read.kind == "nearby":
            p = read.params
            public.nearby_toilets(db, lon=p["lon"], lat=p["lat"], radius_m=p["radius_m"], limit=p["limit"])
        elif read.kind == "one":
            public.get_toilet_feature(db, uuid.UUID(read.path.rsplit("/", 1)[1]))
        else:
            p = read.params
            public.list_toilets(db, where=LayerFilter(districts=(p["district"],)), page=p["page"],
                                page_size=p["page_size"])

    def worker(w: int) -> None:
        i = w * 7919
        with Session(engines[w % len(engines)]) as db:
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                one(db, reads[i % len(reads)])
                db.rollback()
                t1 = time.perf_counter()
                i += 1
                if t0 >= measure_from and t1 <= stop_at:
                    counts[w] += 1
                    latencies[w].append(t1 - t0)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    flat = [x for lat in latencies for x in lat]
    return {"reqs": sum(counts) / seconds, "p50": percentile(flat, 50) * 1000, "p95": percentile(flat, 95) * 1000,
            "failures": 0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--toilets", type=int, default=20000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    print(f"bench/scale: {args.toilets:,} toilets, {args.concurrency} connections, {args.seconds:.0f} s a case; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()} (shared machine)", flush=True)
    settings = Settings(local_db_dir=PROJECT_ROOT / ".reachable" / "bench-scale", local_db_port=54397)
    primary = LocalCluster(settings)
    replica = LocalReplica(settings)
    try:
        primary.ensure_running()
        upgrade(primary.url())
        with psycopg.connect(primary.conninfo()) as conn:
            conn.execute("TRUNCATE toilets, toilet_routes, toilet_versions, change_log, report_photos, reports, "
                         "accounts RESTART IDENTITY CASCADE")
            conn.commit()
            generate(conn, args.toilets)
            conn.autocommit = True
            conn.execute("VACUUM ANALYZE")
        replica.ensure_running()
        replica.catch_up()
        reads = make_reads(primary.conninfo(), 20000)
        run(args, primary, replica, reads)
    finally:
        replica.remove()
        primary.stop()
        shutil.rmtree(primary.base, ignore_errors=True)
    print(f"load average after: {os.getloadavg()}")


def run(args, primary: LocalCluster, replica: LocalReplica, reads: list[Read]) -> None:
    """Every case `--rounds` times, in alternating order (the machine's load drifts; alternating
    keeps that drift from favouring the cases that happen to run first); the mean of the rounds."""
    timing = {"concurrency": args.concurrency, "warmup_s": args.warmup, "seconds": args.seconds}
    runs: dict[str, list[dict]] = {}
    api_cases = [(processes, with_replica) for processes in (1, 2) for with_replica in (False, True)]
    direct_cases = [("direct, primary only", [primary.url()]),
                    ("direct, primary + replica", [primary.url(), replica.url()])]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        for k in range(args.rounds):
            print(f"round {k + 1} of {args.rounds}", flush=True)
            for processes, with_replica in (api_cases if k % 2 == 0 else api_cases[::-1]):
                env = {"DATABASE_READ_URL": replica.url()} if with_replica else {}
                name = f"API, {processes} process{'es' if processes > 1 else ''}, " + (
                    "primary + replica" if with_replica else "primary only")
                with ExitStack() as stack:
                    bases = [stack.enter_context(running_server(primary.url(), workers=1, extra_env=env))[0]
                             for _ in range(processes)]
                    runs.setdefault(name, []).append(through_api(pool, bases, reads, **timing))
                print_row(name, runs[name][-1], os.getloadavg())
            for name, urls in (direct_cases if k % 2 == 0 else direct_cases[::-1]):
                runs.setdefault(name, []).append(direct(urls, reads, **timing))
                print_row(name, runs[name][-1], os.getloadavg())
    results = {name: {key: sum(r[key] for r in rs) / len(rs) for key in rs[0]} for name, rs in runs.items()}
    print_summary(results)


def print_row(name: str, r: dict, load: tuple[float, float, float]) -> None:
    print(f"  {name:<40} {r['reqs']:8.1f} req/s  p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  "
          f"non-200 {r['failures']}  (load {load[0]:.1f})", flush=True)


def print_summary(results: dict[str, dict]) -> None:
    def rate(name: str) -> float:
        return results[name]["reqs"]

    print("\nmean of the rounds:\n| case | req/s | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['reqs']:,.0f} | {r['p50']:,.0f} | {r['p95']:,.0f} |")
    one, two = "API, 1 process, primary only", "API, 2 processes, primary only"
    print("\nratios (same run):")
    print(f"  2 API processes / 1 (primary only):        {rate(two) / rate(one):.2f}")
    print(f"  2 API processes / 1 (primary + replica):   "
          f"{rate('API, 2 processes, primary + replica') / rate('API, 1 process, primary + replica'):.2f}")
    print(f"  primary + replica / primary (1 process):   {rate('API, 1 process, primary + replica') / rate(one):.2f}")
    print(f"  primary + replica / primary (2 processes): "
          f"{rate('API, 2 processes, primary + replica') / rate(two):.2f}")
    print(f"  direct: primary + replica / primary:       "
          f"{rate('direct, primary + replica') / rate('direct, primary only'):.2f}")
    print(f"  API (1 process) / direct (primary only):   {rate(one) / rate('direct, primary only'):.2f}")


if __name__ == "__main__":
    main()
