"""The PostGIS cluster the project starts by itself when DATABASE_URL is not set.

It lives under a git-ignored folder (`.reachable/` by default), listens only on a Unix socket
inside that folder (so it never clashes with a server already on 5432), and is idempotent:
`ensure_running()` installs PostGIS if missing, runs initdb once, starts the server if stopped,
and creates the database with its extensions. initdb refuses to run as root, so as root the
cluster is owned by the `postgres` system user, as Debian's own clusters are.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import psycopg

from core.config import Settings

DB_NAME = "reachable"
DB_USER = "reachable"


class LocalDbError(RuntimeError):
    pass


def _pg_bindir() -> Path:
    explicit = os.environ.get("PG_BINDIR")
    if explicit:
        return Path(explicit)
    candidates = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise LocalDbError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; "
            "install them with: sudo apt-get install postgresql"
        )
    return candidates[-1]


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _apt_install(package: str) -> None:
    prefix: list[str] = [] if _as_root() else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*prefix, "apt-get", "install", "-y", "-q", package], check=True, env=env)


def _postgres_can_reach(path: Path) -> bool:
    return subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(path)], check=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def cluster_base(settings: Settings) -> Path:
    """Where the cluster lives: the git-ignored project folder; as root, if the `postgres` user
    cannot reach it (a checkout under a private 0700 directory such as mktemp's), a folder
    under /var/lib/reachable named after the project path, noted in the project folder."""
    base = Path(settings.local_db_dir).resolve()
    if not _as_root():
        return base
    base.mkdir(parents=True, exist_ok=True)
    if _postgres_can_reach(base):
        return base
    import hashlib

    fallback = Path("/var/lib/reachable") / hashlib.sha256(str(base).encode()).hexdigest()[:16]
    fallback.mkdir(parents=True, exist_ok=True)
    (base / "CLUSTER_LOCATION").write_text(
        f"The postgres user cannot reach this folder, so the cluster lives in {fallback}\n")
    return fallback


class LocalCluster:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.base = cluster_base(settings)
        self.data_dir = self.base / "pgdata"
        self.socket_dir = self.base / "run"
        self.log_file = self.base / "postgres.log"
        self.port = settings.local_db_port

    # -- addressing -------------------------------------------------------------------------
    def url(self, database: str = DB_NAME) -> str:
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql+psycopg://{DB_USER}@/{database}?host={host}&port={self.port}"

    def conninfo(self, database: str = DB_NAME) -> str:
        return f"host={self.socket_dir} port={self.port} user={DB_USER} dbname={database}"

    # -- commands ---------------------------------------------------------------------------
    def _run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        if _as_root():
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(args, check=True, **kwargs)

    def ensure_postgis_installed(self) -> None:
        bindir = _pg_bindir()
        version = bindir.parent.name
        control = Path(f"/usr/share/postgresql/{version}/extension/postgis.control")
        if control.exists():
            return
        print(f"PostGIS is missing; installing postgresql-{version}-postgis-3 …", flush=True)
        _apt_install(f"postgresql-{version}-postgis-3")
        if not control.exists():
            raise LocalDbError(f"PostGIS still missing after install ({control})")

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        result = subprocess.run(
            [str(_pg_bindir() / "pg_isready"), "-h", str(self.socket_dir), "-p", str(self.port), "-q"],
            check=False,
        )
        return result.returncode == 0

    def init(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if _as_root():
            shutil.chown(self.data_dir, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")
            os.chmod(self.data_dir, 0o700)
            self.log_file.touch(exist_ok=True)
            shutil.chown(self.log_file, "postgres", "postgres")
        self._run(
            [
                str(_pg_bindir() / "initdb"),
                "-D", str(self.data_dir),
                "-U", DB_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = (
            f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' "
            "-c max_connections=200 -c shared_buffers=256MB -c unix_socket_permissions=0777"
        )
        self._run(
            [str(_pg_bindir() / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
             "-o", options, "-w", "-t", "60", "start"],
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> bool:
        if not self.is_running():
            return False
        self._run([str(_pg_bindir() / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
                  stdout=subprocess.DEVNULL)
        return True

    def create_database(self, name: str = DB_NAME) -> bool:
        """Create the database and its extensions; returns False if it already existed."""
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(self.conninfo(name), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        return not exists

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def ensure_running(self) -> None:
        self.ensure_postgis_installed()
        if not self.is_initialised():
            self.init()
        if not self.is_running():
            self.start()
            for _ in range(50):
                if self.is_running():
                    break
                time.sleep(0.2)
        self.create_database()
