"""bench/moderation: claim-and-decide throughput of N concurrent moderators on a queue of
queued reports, through the HTTP API of a real server (uvicorn workers) on the project's PostGIS.

    .venv/bin/python -m bench.moderation [--reports 20000] [--moderators 8] [--batch 5]
                                         [--decisions 4000] [--workers 2] [--root OTHER_CHECKOUT]

The queue is filled with plain INSERTs (ingest is bench/ingest's business, not this one's):
demo places with made-up measurements, each row as a valid form payload. Each moderator is a
thread with its own HTTP client looping: claim `--batch` reports, then decide each (about 60 %
approve, which publishes a toilet with version, change log and audit; 25 % reject; 15 %
request changes) until `--decisions` decisions in total have been made. It prints
decisions/s, the p50/p95/p99 latency of a decision and of a claim, and checks that no report
was handed to two moderators. Not a test: nothing here asserts a speed.

`--root` serves the app of another checkout (e.g. `git archive` of the commit before, for a
before/after pair of runs under the same load); the scratch database is then migrated down to
that checkout's newest migration, so the server runs on the schema it was written for.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

from bench.common import CpuMeter, percentile, running_server, scratch_database
from core.config import PROJECT_ROOT
from demo.loader import demo_payload, read_sample

PASSWORD = "bench-password"


def fill_queue(conninfo: str, n: int, volunteer_id: int) -> None:
    rng = random.Random(11)
    places = read_sample()
    rows = []
    for i in range(n):
        body = demo_payload(places[i % len(places)], rng)
        body["client_submission_id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        body["notes"] = f"bench #{i}"
        body["access_route"]["path"] = None  # keep rows small; routes are not what is measured
        loc = body["location"]
        rows.append((volunteer_id, body["client_submission_id"], json.dumps(body), loc["lon"], loc["lat"],
                     body["place"]["name"], body["place"]["floor"], body["observed_at"],
                     f"{i / n * 72:.3f} hours"))
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.executemany("""
            INSERT INTO reports (volunteer_id, client_submission_id, body_sha256, schema_version, raw_payload,
                                 payload, observed_at, submitted_at, location, accuracy_m, location_source,
                                 name, floor, district_code)
            SELECT %s, %s::uuid, md5(%s), 1, %s::jsonb, %s::jsonb, %s::timestamptz, now() - %s::interval,
                   ST_SetSRID(ST_MakePoint(%s, %s), 4326), 8, 'gps', %s, %s,
                   coalesce((SELECT code FROM districts WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
                             LIMIT 1), '11140')
        """, [(v, sid, body, body, body, obs, age, lon, lat, name, floor, lon, lat)
              for v, sid, body, lon, lat, name, floor, obs, age in rows])
        conn.commit()


@contextmanager
def _schema_of(root: Path, url: str):
    """The database migrated down to `root`'s newest migration (nothing to do for this checkout)."""
    if root.resolve() != PROJECT_ROOT.resolve():
        from alembic import command

        from core.migrate import alembic_config

        newest = max(re.findall(r'^revision = ["\'](\w+)', p.read_text(), re.M)[0]
                     for p in (root / "migrations" / "versions").glob("*.py"))
        command.downgrade(alembic_config(url), newest)
    yield


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=20_000)
    ap.add_argument("--moderators", type=int, default=8)
    ap.add_argument("--batch", type=int, default=5)
    ap.add_argument("--decisions", type=int, default=4_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--root", type=Path, default=PROJECT_ROOT, help="checkout whose app is served")
    args = ap.parse_args()
    print(f"server from {args.root}")

    with scratch_database("reachable_bench_moderation") as (url, conninfo), \
            _schema_of(args.root, url), \
            running_server(url, workers=args.workers, extra_env={"CLAIM_MAX_COUNT": "50"},
                           root=args.root) as (base, proc):
        with httpx.Client(base_url=base, timeout=60) as c:
            assert c.post("/api/v1/volunteers", json={"nickname": "benchvol", "password": PASSWORD,
                                                      "age_band": "20s"}).status_code == 201
        with psycopg.connect(conninfo) as conn:
            volunteer_id = conn.execute("SELECT id FROM accounts WHERE username = 'benchvol'").fetchone()[0]
            from accounts.security import hash_password
            for i in range(args.moderators):
                conn.execute("INSERT INTO accounts (username, password_hash, role) VALUES (%s, %s, 'moderator')",
                             (f"benchmod{i}", hash_password(PASSWORD)))
            conn.commit()
        t0 = time.perf_counter()
        fill_queue(conninfo, args.reports, volunteer_id)
        print(f"queue filled: {args.reports} reports in {time.perf_counter() - t0:.1f} s")

        lock = threading.Lock()
        decided: list[tuple[str, float]] = []
        claim_latencies: list[float] = []
        claimed_ids: list[int] = []
        failures: Counter[str] = Counter()
        budget = [args.decisions]

        def moderator(i: int, barrier: threading.Barrier) -> None:
            rng = random.Random(i)
            with httpx.Client(base_url=base, timeout=60) as c:
                token = c.post("/api/v1/auth/token", data={"username": f"benchmod{i}", "password": PASSWORD})
                c.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
                barrier.wait()
                while True:
                    with lock:
                        if budget[0] <= 0:
                            return
                        take = min(args.batch, budget[0])
                        budget[0] -= take
                    t = time.perf_counter()
                    r = c.post("/api/v1/moderation/claims", json={"count": take})
                    with lock:
                        claim_latencies.append(time.perf_counter() - t)
                    if r.status_code != 200:
                        failures[f"claim {r.status_code}"] += 1
                        continue
                    items = r.json()["items"]
                    if not items:
                        return
                    with lock:
                        claimed_ids.extend(item["id"] for item in items)
                    for item in items:
                        roll = rng.random()
                        if roll < 0.60:
                            body = {"action": "approve"}
                        elif roll < 0.85:
                            body = {"action": "reject", "reason_code": "insufficient_evidence"}
                        else:
                            body = {"action": "request_changes", "message": "사진을 더 보내 주세요"}
                        t = time.perf_counter()
                        r = c.post(f"/api/v1/moderation/reports/{item['id']}/decision", json=body)
                        elapsed = time.perf_counter() - t
                        with lock:
                            if r.status_code == 200:
                                decided.append((body["action"], elapsed))
                            else:
                                code = r.json().get("code") if r.headers.get("content-type", "").startswith(
                                    "application/json") else r.text[:40]
                                failures[f"decide {r.status_code} {code}"] += 1

        load_before = tuple(round(x, 2) for x in os.getloadavg())
        barrier = threading.Barrier(args.moderators)
        threads = [threading.Thread(target=moderator, args=(i, barrier)) for i in range(args.moderators)]
        cpu = CpuMeter(proc.pid).start()
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        cpu.stop()

        latencies = [e for _, e in decided]
        doubles = [rid for rid, n in Counter(claimed_ids).items() if n > 1]
        with psycopg.connect(conninfo) as conn:
            toilets = conn.execute("SELECT count(*) FROM toilets").fetchone()[0]
            log = conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
        by_action = Counter(a for a, _ in decided)
        print(f"moderators: {args.moderators} (threads, HTTP) · server workers: {args.workers} · "
              f"queue: {args.reports} reports · claim batch: {args.batch} · "
              f"load average before {load_before} → after {tuple(round(x, 2) for x in os.getloadavg())} "
              f"(2 cores, shared with other work)")
        print(f"decisions: {len(decided)} in {wall:.1f} s → {len(decided) / wall:.1f} decisions/s "
              f"({dict(by_action)})")
        print(f"decision latency: p50 {percentile(latencies, 50) * 1000:.0f} ms · "
              f"p95 {percentile(latencies, 95) * 1000:.0f} ms · p99 {percentile(latencies, 99) * 1000:.0f} ms")
        print(f"claim latency ({len(claim_latencies)} claims): p50 {percentile(claim_latencies, 50) * 1000:.0f} ms · "
              f"p95 {percentile(claim_latencies, 95) * 1000:.0f} ms")
        print(f"published toilets: {toilets} · change-log entries: {log} · failures: {dict(failures) or 0} · "
              f"reports handed to two moderators: {len(doubles)}")
        # CPU per decision, claims included: what 200 decisions/s on two cores would have to fit in 10 ms
        print(f"CPU ms per decision (its share of the claims included): {cpu.per(len(decided))}")


if __name__ == "__main__":
    main()
