"""bench/photos: concurrent photo uploads against a real uvicorn server, one case at a time:

  bomb      the issue's worst case: a single-colour PNG of 6,324 × 6,324 px (≈ 40 M pixels, a
            small file); refused by the header cap now
  png-cap   the worst a server still accepts: a single-colour PNG just under the full-decode cap
  phone     a normal phone photo: a 4,032 × 3,024 JPEG of a few MB

Since the job queue (issue 14.3) an upload answers 202 once the header is checked and the bytes
are stored, and a `reachable worker` process (started here beside the server, as scripts/run does)
decodes, cleans and resizes it. For each: N uploads at once (each to its own report), then the
intake's wall time, latency p50/p95 and status codes, the time until every photo job has finished
and how they ended, the peak RSS of the server (master + workers) and of the job worker (from
/proc), and database use sampled from
pg_stat_activity every 20 ms: the most connections open, the most in a transaction at once
(`active` + `idle in transaction`: checked out of the app's pool), and connection-seconds in a
transaction (how long the burst held the pool; decoding inside a transaction shows up here).

    bench/photos [--concurrency 40] [--workers 2] [--cases bomb,png-cap,phone]
                 [--job-concurrency N] [--root OTHER_CHECKOUT] [--no-job-worker] [--memory-limit-mb 4096]

`--root` serves the app of another checkout (e.g. a worktree of the commit before, for a
before/after table on the same machine; `--no-job-worker` for a checkout from before the queue). `--memory-limit-mb` caps each server process's address
space so that a run that would exhaust the machine fails inside the server instead.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import resource
import secrets
import tempfile
import threading
import time
import uuid
from contextlib import nullcontext
from pathlib import Path

import httpx
import psycopg
from PIL import Image

from bench.common import PROJECT_ROOT, percentile, running_server, running_worker, scratch_database
from core.config import Settings


def bomb_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (6324, 6324), (250, 250, 250)).save(out, "PNG")
    return out.getvalue()


def capped_png() -> bytes:
    side = int(Settings().photo_max_pixels_full_decode ** 0.5)
    out = io.BytesIO()
    Image.new("RGB", (side, side), (90, 140, 200)).save(out, "PNG", optimize=True)
    return out.getvalue()


def phone_jpeg() -> bytes:
    """A 12 MP photo-like JPEG: smooth gradients plus sensor-like noise, ~2–4 MB at quality 90."""
    w, h = 4032, 3024
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    noise = Image.effect_noise((w, h), 40).convert("RGB")
    img = Image.blend(base, noise, 0.35)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


CASES = {"bomb": bomb_png, "png-cap": capped_png, "phone": phone_jpeg}
TYPES = {"bomb": "image/png", "png-cap": "image/png", "phone": "image/jpeg"}


def report_body(i: int) -> dict:
    lon, lat = 126.9779 + (i % 20) * 0.0009, 37.5663 + (i // 20) * 0.0009  # around City Hall, 중구
    return {
        "client_submission_id": str(uuid.uuid4()), "schema_version": 1,
        "observed_at": "2026-11-20T10:30:00+09:00",
        "location": {"lon": lon, "lat": lat, "accuracy_m": 8, "source": "gps"},
        "place": {"name": f"벤치 화장실 {i}", "building_type": "public", "category": "government_office"},
        "toilet": {"arrangement": "unisex_accessible"}, "access_route": {"step_free": "yes"}, "notes": None,
    }


class Sampler(threading.Thread):
    """Peak RSS of the server's process tree and peak DB connections, every 20 ms."""

    def __init__(self, pid: int, conninfo: str, worker_pid: int | None = None) -> None:
        super().__init__(daemon=True)
        self.pid, self.conninfo, self.running, self.worker_pid = pid, conninfo, True, worker_pid
        self.peak_worker_rss_kb = 0
        self.peak_rss_kb = self.peak_open = self.peak_in_tx = self.peak_idle_in_tx = 0
        self.tx_connection_s = 0.0  # connections in a transaction, integrated over time

    def tree(self, root: int) -> list[int]:
        pids, todo = [], [root]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            todo.extend(int(c) for c in children)
        return pids

    def rss_kb(self, root: int) -> int:
        rss = 0
        for pid in self.tree(root):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
            except OSError:
                pass
        return rss

    def run(self) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            last = time.perf_counter()
            while self.running:
                self.peak_rss_kb = max(self.peak_rss_kb, self.rss_kb(self.pid))
                if self.worker_pid is not None:
                    self.peak_worker_rss_kb = max(self.peak_worker_rss_kb, self.rss_kb(self.worker_pid))
                row = conn.execute(
                    "SELECT count(*), count(*) FILTER (WHERE state IN ('active', 'idle in transaction')), "
                    "count(*) FILTER (WHERE state = 'idle in transaction') FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'").fetchone()
                self.peak_open = max(self.peak_open, row[0])
                self.peak_in_tx = max(self.peak_in_tx, row[1])
                self.peak_idle_in_tx = max(self.peak_idle_in_tx, row[2])
                now = time.perf_counter()
                self.tx_connection_s += row[1] * (now - last)
                last = now
                time.sleep(0.02)


async def setup_reports(base: str, n: int) -> list[tuple[dict, int]]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        out = []
        for i in range(n):
            nick = f"photobench{i}"
            r = await c.post("/api/v1/volunteers", json={"nickname": nick, "password": "bench-password",
                                                         "age_band": "20s"})
            assert r.status_code == 201, r.text
            r = await c.post("/api/v1/auth/token", data={"username": nick, "password": "bench-password"})
            headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
            r = await c.post("/api/v1/reports", headers=headers, json=report_body(i))
            assert r.status_code == 201, r.text
            out.append((headers, r.json()["id"]))
        return out


async def burst(base: str, targets: list[tuple[dict, int]], data: bytes, content_type: str):
    statuses: dict[str, int] = {}
    latencies: list[float] = []

    async def one(c: httpx.AsyncClient, headers: dict, report_id: int) -> None:
        t0 = time.perf_counter()
        try:
            r = await c.post(f"/api/v1/reports/{report_id}/photos", headers=headers,
                             files={"file": ("p", data, content_type)}, data={"kind": "door"})
            key = f"{r.status_code} {r.json().get('code', '') if r.status_code >= 400 else ''}".strip()
        except httpx.HTTPError as exc:
            key = f"transport error ({type(exc).__name__})"
        except ValueError:
            key = f"{r.status_code} (not JSON)"
        latencies.append(time.perf_counter() - t0)
        statuses[key] = statuses.get(key, 0) + 1

    limits = httpx.Limits(max_connections=len(targets))
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as c:
        t0 = time.perf_counter()
        await asyncio.gather(*(one(c, h, rid) for h, rid in targets))
        return time.perf_counter() - t0, latencies, statuses


def wait_for_photo_jobs(conninfo: str, started: float, timeout_s: float = 900) -> tuple[float, dict[str, int]]:
    """Seconds from the burst's start until no photo job is open, and how the jobs ended."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while True:
            open_ = conn.execute("SELECT count(*) FROM jobs WHERE kind = 'photo' "
                                 "AND status IN ('queued', 'running')").fetchone()[0]
            if open_ == 0 or time.perf_counter() - started > timeout_s:
                break
            time.sleep(0.05)
        done = time.perf_counter() - started
        ended = conn.execute("SELECT status || coalesce(' ' || (error ->> 'code'), ''), count(*) FROM jobs "
                             "WHERE kind = 'photo' GROUP BY 1").fetchall()
        conn.execute("DELETE FROM jobs WHERE kind = 'photo'")  # the next case counts its own
    return done, {k: n for k, n in ended} | ({"still open": open_} if open_ else {})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--concurrency", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cases", default="bomb,png-cap,phone")
    ap.add_argument("--root", type=Path, default=PROJECT_ROOT, help="checkout whose app is served")
    ap.add_argument("--memory-limit-mb", type=int, default=0, help="RLIMIT_AS of each server process")
    ap.add_argument("--job-concurrency", type=int, default=None, help="the worker's jobs at once "
                    "(default JOB_WORKER_CONCURRENCY)")
    ap.add_argument("--no-job-worker", action="store_true", help="the served checkout predates the job queue")
    args = ap.parse_args()
    cases = [c for c in args.cases.split(",") if c]
    images = {c: CASES[c]() for c in cases}
    random.seed(7)

    def limit_memory() -> None:
        if args.memory_limit_mb:
            cap = args.memory_limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    photo_dir = Path(tempfile.mkdtemp(prefix="reachable-bench-photos-"))
    env = {"SECRET_KEY": secrets.token_hex(32), "PHOTO_DIR": str(photo_dir), "MALLOC_ARENA_MAX": "2"}
    print(f"bench/photos: {args.concurrency} concurrent uploads per case · {args.workers} uvicorn workers · "
          f"{os.cpu_count()} cores · server from {args.root}"
          + (f" · RLIMIT_AS {args.memory_limit_mb} MB per process" if args.memory_limit_mb else ""))
    rows = []
    with scratch_database("reachable_bench_photos") as (url, conninfo):
        with running_server(url, workers=args.workers, extra_env=env, root=args.root,
                            preexec_fn=limit_memory) as (base, proc), \
                (nullcontext() if args.no_job_worker else
                 running_worker(url, extra_env=env, root=args.root, concurrency=args.job_concurrency,
                                preexec_fn=limit_memory)) as worker:
            targets = asyncio.run(setup_reports(base, args.concurrency))
            for case in cases:
                data = images[case]
                with Image.open(io.BytesIO(data)) as probe:
                    dims = f"{probe.width}×{probe.height}"
                sampler = Sampler(proc.pid, conninfo, worker_pid=worker.pid if worker else None)
                sampler.start()
                time.sleep(0.3)
                idle_kb, worker_idle_kb = sampler.peak_rss_kb, sampler.peak_worker_rss_kb
                started = time.perf_counter()
                secs, lat, statuses = asyncio.run(burst(base, targets, data, TYPES[case]))
                done_s, jobs = wait_for_photo_jobs(conninfo, started) if worker else (secs, {})
                time.sleep(0.3)
                sampler.running = False
                sampler.join()
                alive = proc.poll() is None and (worker is None or worker.poll() is None)
                rows.append((case, dims, len(data), secs, percentile(lat, 50), percentile(lat, 95), idle_kb,
                             sampler.peak_rss_kb, sampler.peak_open, sampler.peak_in_tx,
                             sampler.peak_idle_in_tx, sampler.tx_connection_s, statuses, alive,
                             done_s, worker_idle_kb, sampler.peak_worker_rss_kb, jobs))
                if not alive:
                    print(f"server or worker died during {case}")
                    break
        with psycopg.connect(conninfo) as conn:
            stored = conn.execute("SELECT count(*) FROM report_photos").fetchone()[0]
    print(f"\n{'case':9}{'pixels':>13}{'file KB':>9}{'s':>7}{'p50 s':>7}{'p95 s':>7}{'idle MB':>9}{'peak MB':>9}"
          f"{'conns':>7}{'in tx':>7}{'idle tx':>8}{'tx conn·s':>10}  statuses")
    for (case, dims, size, secs, p50, p95, idle, peak, open_, in_tx, idle_tx, tx_s, statuses, alive,
         *_) in rows:
        codes = ", ".join(f"{n}× {k}" for k, n in sorted(statuses.items()))
        print(f"{case:9}{dims:>13}{size / 1024:9.0f}{secs:7.1f}{p50:7.2f}{p95:7.2f}{idle / 1024:9.0f}"
              f"{peak / 1024:9.0f}{open_:7}{in_tx:7}{idle_tx:8}{tx_s:10.1f}  {codes}{'' if alive else ' · DIED'}")
    if not args.no_job_worker:
        print(f"\nthe job worker (decode, clean, resize), per case:\n{'case':9}{'all done s':>11}{'idle MB':>9}"
              f"{'peak MB':>9}  jobs")
        for (case, *_, done_s, worker_idle, worker_peak, jobs) in rows:
            ended = ", ".join(f"{n}× {k}" for k, n in sorted(jobs.items())) or "none (all refused at intake)"
            print(f"{case:9}{done_s:11.1f}{worker_idle / 1024:9.0f}{worker_peak / 1024:9.0f}  {ended}")
    print(f"photos stored: {stored}  (conns: most connections open to the database; in tx: most in a "
          f"transaction at once; idle tx: most 'idle in transaction', i.e. held while Python works;\n"
          f"tx conn·s: connections in a transaction integrated over the burst, i.e. how long the pool was held)")


if __name__ == "__main__":
    main()
