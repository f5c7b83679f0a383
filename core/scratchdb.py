"""Throw-away databases (tests, benchmarks) on DATABASE_URL's server or the project's own cluster."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from sqlalchemy.engine import make_url

from core.config import Settings
from core.db import resolve_database_url


@dataclass(frozen=True)
class ScratchDatabase:
    url: str  # SQLAlchemy URL (postgresql+psycopg://…)
    conninfo: str  # for psycopg / libpq tools
    drop: Callable[[], None]


def create_scratch_database(name: str, settings: Settings | None = None) -> ScratchDatabase:
    """Create (replacing any leftover) database `name` with PostGIS and pg_trgm; not migrated."""
    settings = settings or Settings()
    if settings.database_url:
        server = make_url(resolve_database_url(settings))
        admin = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)

        def drop() -> None:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        drop()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        target = server.set(database=name)
        conninfo = target.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        return ScratchDatabase(target.render_as_string(hide_password=False), conninfo, drop)

    from core.localdb import LocalCluster

    cluster = LocalCluster(settings)
    cluster.ensure_running()
    cluster.drop_database(name)
    cluster.create_database(name)
    return ScratchDatabase(cluster.url(name), cluster.conninfo(name), lambda: cluster.drop_database(name))
