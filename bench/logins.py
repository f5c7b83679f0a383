"""bench/logins: a login flood against one API process, with the argon2 bound as configured and
with it lifted, side by side: the server's peak RSS, the answers, the time.

Each argon2id check takes 64 MiB and tens of ms; without a bound, N concurrent logins hold N × 64
MiB at once. Not a test.

    .venv/bin/python -m bench.logins [--logins 40] [--workers 1]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter

import httpx
from sqlalchemy.orm import Session

from bench.common import run_threads, running_server, scratch_database
from bench.photos import Sampler

PASSWORD = "flood-test-password"


def flood(base: str, n: int) -> tuple[float, Counter]:
    codes: Counter = Counter()
    lock, start = threading.Lock(), threading.Barrier(n)

    def one() -> None:
        start.wait()
        r = httpx.post(f"{base}/api/v1/auth/token", data={"username": "flooded", "password": "a wrong guess"},
                       timeout=120)
        with lock:
            codes[r.status_code] += 1

    return run_threads(one, n), codes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--logins", type=int, default=40)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    from sqlalchemy import create_engine

    from accounts.service import create_account

    runs = [("as configured (defaults: 4 at once, 16 waiting ≤ 5 s)", {}),
            ("as configured, every caller let wait", {"ARGON2_MAX_WAITING": "1000", "ARGON2_WAIT_SECONDS": "60"}),
            ("bound lifted", {"ARGON2_MAX_CONCURRENT": "64", "ARGON2_MAX_WAITING": "1000",
                              "ARGON2_WAIT_SECONDS": "60"})]
    print(f"bench/logins: {args.logins} concurrent wrong-password logins, {args.workers} uvicorn worker(s), loopback")
    with scratch_database("reachable_bench_logins") as (url, conninfo):
        engine = create_engine(url)
        with Session(engine) as db:
            create_account(db, username="flooded", password=PASSWORD, role="volunteer", username_field="username")
            db.commit()
        engine.dispose()
        print(f"{'':58}{'peak RSS MB':>12}{'seconds':>9}  answers")
        for label, env in runs:
            with running_server(url, workers=args.workers, extra_env=env) as (base, proc):
                sampler = Sampler(proc.pid, conninfo)
                sampler.start()
                time.sleep(0.3)
                idle_mb = sampler.peak_rss_kb / 1024
                seconds, codes = flood(base, args.logins)
                sampler.running = False
                sampler.join()
            answers = ", ".join(f"{n}× {code}" for code, n in sorted(codes.items()))
            print(f"{label:58}{sampler.peak_rss_kb / 1024:12.0f}{seconds:9.1f}  {answers} (idle {idle_mb:.0f} MB)")


if __name__ == "__main__":
    main()
