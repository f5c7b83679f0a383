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
                   root: Path = PROJECT_ROOT, preexec_fn=None, app: str = "api.main:app"):
    """uvicorn serving the app of the checkout at `root` (another checkout: a before/after run);
    `app` another ASGI app of it (bench/floor_app.py)."""
    port = free_port()
    env = server_env(DATABASE_URL=database_url, **(extra_env or {}))
    proc = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
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


@contextmanager
def running_worker(database_url: str, *, extra_env: dict[str, str] | None = None, root: Path = PROJECT_ROOT,
                   concurrency: int | None = None, preexec_fn=None):
    """`reachable worker` (the job queue's worker, as scripts/run starts it) of the checkout at `root`;
    its log goes to a temporary file (named if it ends early), not over the bench's table."""
    import tempfile

    env = server_env(DATABASE_URL=database_url, **(extra_env or {}))
    cmd = [PYTHON, "-m", "cli.main", "worker"] + (["--concurrency", str(concurrency)] if concurrency else [])
    log = tempfile.NamedTemporaryFile(prefix="reachable-bench-worker-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=root, env=env, preexec_fn=preexec_fn, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield proc
        if proc.poll() is not None:
            print(f"the worker ended early: its log is {log.name}")
    finally:
        log.close()
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


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


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields after "(comm)": state is [0], ppid [1]


def tree_cpu_seconds(root_pid: int) -> float:
    """CPU seconds (user + system) of a process, its live descendants and the children it has
    already reaped (a PostgreSQL backend that ended): a cost figure that other work on a shared
    machine does not inflate the way it inflates wall time."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack, root = 0.0, [root_pid], True
    while stack:
        pid = stack.pop()
        fields = _stat(pid)
        if fields is None:
            continue
        # utime, stime are fields 14, 15 of stat (11, 12 here); cutime, cstime 16, 17 (13, 14)
        total += int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if root else 0)
        root = False
        stack.extend(children.get(pid, []))
    return total / tick


def postgres_pid() -> int | None:
    """The postmaster of the project's own cluster (None for another DATABASE_URL server)."""
    from core.config import Settings

    if Settings().database_url:
        return None
    from core.localdb import LocalCluster

    pidfile = LocalCluster(Settings()).data_dir / "postmaster.pid"
    try:
        return int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class CpuMeter:
    """CPU seconds spent by this process (the load generator), a server's process tree and the
    database cluster between start() and stop()."""

    def __init__(self, server_pid: int | None = None):
        self.server_pid, self.pg_pid = server_pid, postgres_pid()
        self.client = self.server = self.database = 0.0

    def _now(self) -> tuple[float, float, float]:
        me = os.times()
        return (me.user + me.system,
                tree_cpu_seconds(self.server_pid) if self.server_pid else 0.0,
                tree_cpu_seconds(self.pg_pid) if self.pg_pid else 0.0)

    def start(self) -> CpuMeter:
        self._start = self._now()
        return self

    def stop(self) -> CpuMeter:
        end = self._now()
        self.client, self.server, self.database = (b - a for a, b in zip(self._start, end, strict=True))
        return self

    def per(self, n: int) -> str:
        ms = [x / max(1, n) * 1e3 for x in (self.client, self.server, self.database)]
        return (f"load generator {ms[0]:.2f} · server {ms[1]:.2f} · PostgreSQL {ms[2]:.2f} · "
                f"total {sum(ms):.2f}")
