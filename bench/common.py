"""Shared pieces of the benchmarks: a scratch database on the project's cluster and a server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.config import PROJECT_ROOT
from core.migrate import upgrade
from core.scratchdb import create_scratch_database

PYTHON = str(Path(sys.executable))


@contextmanager
def scratch_database(name: str):
    """A fresh migrated database `name`; yields (SQLAlchemy URL, libpq conninfo); dropped after."""
    scratch = create_scratch_database(name)
    upgrade(scratch.url)
    try:
        yield scratch.url, scratch.conninfo
    finally:
        scratch.drop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(**extra: str) -> dict[str, str]:
    """The environment for a bench's server: a random signing key of its own (production mode
    refuses to start without one, core/secrets.py), and abuse limits far above what a bench sends
    from one address (still counted, so their cost stays in the figures)."""
    import secrets

    from core.rate_limit import RULES

    rates = {f"RATE_LIMIT_{rule.upper()}": "100000000/minute" for rule in RULES}
    return {**os.environ, "SECRET_KEY": secrets.token_urlsafe(48), **rates, **extra}


@contextmanager
def running_server(database_url: str, *, workers: int = 2, extra_env: dict[str, str] | None = None,
                   root: Path = PROJECT_ROOT, preexec_fn=None):
    """uvicorn serving the app of the checkout at `root` (another checkout: a before/after run)."""
    port = free_port()
    env = server_env(DATABASE_URL=database_url, **(extra_env or {}))
    proc = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-access-log",
         "--timeout-keep-alive", "60"],
        cwd=root, env=env, preexec_fn=preexec_fn,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run_threads(target, n: int) -> float:
    """Start `n` threads running `target` together; seconds until the last one ends."""
    threads = [threading.Thread(target=target) for _ in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0
