"""Shared pieces of the benchmarks: a scratch database on the project's cluster and a server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.config import PROJECT_ROOT, Settings
from core.migrate import upgrade

PYTHON = str(Path(sys.executable))


@contextmanager
def scratch_database(name: str):
    """A fresh migrated database `name` on DATABASE_URL's server or the project's own cluster."""
    settings = Settings()
    if settings.database_url:
        import psycopg
        from sqlalchemy.engine import make_url

        from core.db import resolve_database_url

        server = make_url(resolve_database_url(settings))
        admin = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = server.set(database=name).render_as_string(hide_password=False)
        conninfo = server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)

        def drop():
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        from core.localdb import LocalCluster

        cluster = LocalCluster(settings)
        cluster.ensure_running()
        cluster.drop_database(name)
        cluster.create_database(name)
        url, conninfo = cluster.url(name), cluster.conninfo(name)

        def drop():
            cluster.drop_database(name)
    upgrade(url)
    try:
        yield url, conninfo
    finally:
        drop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(database_url: str, *, workers: int = 2, extra_env: dict[str, str] | None = None):
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, **(extra_env or {}))
    proc = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        cwd=PROJECT_ROOT, env=env,
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
