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

    def _make_dirs(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        if _as_root():
            shutil.chown(self.data_dir, "postgres", "postgres")
            shutil.chown(self.socket_dir, "postgres", "postgres")
            self.log_file.touch(exist_ok=True)
            shutil.chown(self.log_file, "postgres", "postgres")

    def init(self) -> None:
        self._make_dirs()
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
        # wal_level/max_wal_senders: a replica (LocalReplica) can stream from this cluster; initdb's
        # pg_hba.conf already lets local replication connections in. A standby needs settings such
        # as max_connections at least the primary's, so both start with the same options.
        # hot_standby_feedback: long public reads on a replica are not cancelled by the primary's
        # vacuum (ignored on the primary).
        options = (
            f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' "
            "-c max_connections=200 -c shared_buffers=256MB -c unix_socket_permissions=0777 "
            "-c wal_level=replica -c max_wal_senders=10 -c hot_standby_feedback=on"
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
        self._init_and_start()
        self.create_database()

    def _init_and_start(self) -> None:
        if not self.is_initialised():
            self.init()
        if not self.is_running():
            self.start()
            for _ in range(50):
                if self.is_running():
                    break
                time.sleep(0.2)


class LocalReplica(LocalCluster):
    """A streaming replica of the local cluster, for read scaling (DATABASE_READ_URL,
    docs/scaling.md): `pg_basebackup -R` of the primary into a folder of its own under the
    primary's (`replica/`), its own socket and port (the primary's + 1), the same binaries and
    start options. It is a hot standby: it answers reads and refuses writes."""

    def __init__(self, settings: Settings, *, name: str = "replica", port: int | None = None):
        super().__init__(settings)
        self.primary = LocalCluster(settings)
        self.base = self.primary.base / name
        self.data_dir = self.base / "pgdata"
        self.socket_dir = self.base / "run"
        self.log_file = self.base / "postgres.log"
        self.port = port or self.primary.port + 1

    def init(self) -> None:
        """Copy the running primary, streaming the WAL written meanwhile; -R writes the standby
        signal and primary_conninfo (the primary's socket), so starting it starts replication."""
        self._make_dirs()
        self._run([str(_pg_bindir() / "pg_basebackup"), "-D", str(self.data_dir), "-R", "-X", "stream",
                   "-c", "fast", "-h", str(self.primary.socket_dir), "-p", str(self.primary.port),
                   "-U", DB_USER, "-w"], stdout=subprocess.DEVNULL)

    def ensure_running(self) -> None:
        self.primary.ensure_running()
        self._init_and_start()

    def create_database(self, name: str = DB_NAME) -> bool:
        raise LocalDbError("a replica is read-only: create databases on the primary")

    def catch_up(self, timeout_s: float = 60.0) -> None:
        """Wait until the replica has replayed everything the primary had written when called."""
        with psycopg.connect(self.primary.conninfo("postgres"), autocommit=True) as conn:
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout_s
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            while True:
                behind = conn.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) > 0",
                                      (target,)).fetchone()[0]
                if not behind:
                    return
                if time.monotonic() > deadline:
                    raise LocalDbError(f"the replica did not reach {target} in {timeout_s} s")
                time.sleep(0.05)

    def remove(self) -> None:
        """Stop the replica and delete its folder (the primary is untouched)."""
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
