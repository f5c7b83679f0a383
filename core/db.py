"""Engine, sessions and the declarative base shared by every domain package.

Sync SQLAlchemy 2 + psycopg 3: the well-trodden path with GeoAlchemy2 (STYLE.md pitfalls).
Service functions only flush; the edge (request dependency, CLI command) commits once.
"""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from core.config import Settings

# Named constraints keep migrations readable and downgrades working.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint's text: `column` is one of `values` (the domain's enum tuple)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _psycopg_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def resolve_database_url(settings: Settings) -> str:
    if settings.database_url:
        return _psycopg_url(settings.database_url)
    from core.localdb import LocalCluster

    return LocalCluster(settings).url()


def resolve_read_url(settings: Settings) -> str | None:
    """DATABASE_READ_URL (a replica for public reads), or None: every read on the primary."""
    return _psycopg_url(settings.database_read_url) if settings.database_read_url else None


def _connection_is_dead(dbapi_connection) -> bool:
    """Whether a pooled psycopg connection, idle in the pool, is known dead without a round trip:
    closed on our side, or its socket readable. An idle connection is owed nothing by the server,
    so anything to read is the end: the FATAL of a shutdown or restart, or the socket's EOF. (Any
    other message, a NOTIFY nobody listens to here, only costs a fresh connection.)"""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    try:
        poller = select.poll()
        poller.register(dbapi_connection.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    except (OSError, ValueError):  # no socket any more
        return True


def check_connections_on_checkout(engine: Engine) -> Engine:
    """The pool's liveness check at checkout, as pool_pre_ping but without its `SELECT 1` round
    trip: a connection found dead (`_connection_is_dead`) is discarded and the pool hands out
    another, a fresh one if need be (SQLAlchemy retries a checkout that raises
    DisconnectionError). A server that vanished without closing its sockets is not seen here;
    the first statement then fails and the request gets its 503 (api/errors.py)."""

    @event.listens_for(engine, "checkout")
    def _discard_dead(dbapi_connection, _record, _proxy) -> None:
        if _connection_is_dead(dbapi_connection):
            raise DisconnectionError("the server closed this pooled connection")

    return engine


def make_engine(settings: Settings, url: str | None = None, *, pool_size: int | None = None,
                max_overflow: int | None = None, generic_plans: bool = False) -> Engine:
    """generic_plans: statements psycopg prepares (run 5 times on a connection) keep one plan
    instead of being planned again on each run; only for an engine whose few statements are all
    known to run as fast on their generic plan (the abuse counters')."""
    return check_connections_on_checkout(create_engine(
        url or resolve_database_url(settings),
        pool_size=settings.db_pool_size if pool_size is None else pool_size,
        max_overflow=settings.db_max_overflow if max_overflow is None else max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        connect_args={"options": "-c plan_cache_mode=force_generic_plan"} if generic_plans else {},
    ))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
