"""A real uvicorn server in its own process group, so a test can SIGKILL all of it at once."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.config import PROJECT_ROOT
from tests.browser import free_port


class ApiProcess:
    def __init__(self, *, database_url: str, photo_dir: Path, snapshot_dir: Path, workers: int = 2,
                 log: Path, extra_env: dict[str, str] | None = None, secret_key: str | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.workers = workers
        # An explicit secret: the server may refuse to start on a default one. Processes that serve
        # one service share theirs (tokens and rate-limit keys are signed with it).
        self.env = dict(os.environ, DATABASE_URL=database_url, PHOTO_DIR=str(photo_dir),
                        SNAPSHOT_DIR=str(snapshot_dir), SECRET_KEY=secret_key or secrets.token_hex(32),
                        **(extra_env or {}))
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, limit_s: float = 60) -> None:
        assert self.proc is None or self.proc.poll() is not None
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(self.workers), "--log-level", "warning", "--no-access-log"],
                cwd=PROJECT_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"server exited: {self.log.read_text()[-3000:]}"
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not start in {limit_s} s: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the master and every worker: nothing gets to clean up."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)  # the group this test started (start_new_session)
        self.proc.wait(timeout=30)
        # Workers die with the group; wait until the port is free before starting again.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.base}/healthz", timeout=0.5)
            except httpx.HTTPError:
                return
            time.sleep(0.05)
        raise AssertionError("killed server still answers")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
