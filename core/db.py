"""Engine, sessions and the declarative base shared by every domain package.

Sync SQLAlchemy 2 + psycopg 3: the well-trodden path with GeoAlchemy2 (STYLE.md pitfalls).
Service functions only flush; the edge (request dependency, CLI command) commits once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Engine
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


def make_engine(settings: Settings, url: str | None = None) -> Engine:
    return create_engine(
        url or resolve_database_url(settings),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        pool_pre_ping=True,
    )


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
