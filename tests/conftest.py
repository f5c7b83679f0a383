"""Test fixtures: a fresh database of our own on a real PostGIS, a transaction per test.

The database is created on the project's own cluster (started by `core.localdb`, exactly as
`reachable db start` does) or, if DATABASE_URL is set, on that server; it is migrated with
Alembic and dropped at the end. Each test runs in one outer transaction that is rolled back
(SQLAlchemy's "join a Session into an external transaction" recipe), so request commits
become savepoints. Tests that need real commits from several connections (concurrency,
browser, live server) use `committed_engine` and clean up after themselves.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from core.config import Settings
from core.migrate import upgrade
from tests.browser import chromium, guarded_context, serve
from tests.factories import dispose, fresh_rate_limits, settings_for, truncate_all
from tests.workers import WorkerProcess


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    from core.scratchdb import create_scratch_database

    scratch = create_scratch_database(f"reachable_test_{os.getpid()}_{uuid.uuid4().hex[:6]}")
    upgrade(scratch.url)
    try:
        yield scratch.url
    finally:
        scratch.drop()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = create_engine(database_url, pool_size=10, max_overflow=40)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        if outer.is_active:
            outer.rollback()
        conn.close()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


@pytest.fixture
def app(settings: Settings, database_url: str, connection: Connection):
    """The real app; its sessions join the test's outer transaction."""
    application = create_app(settings, database_url=database_url)
    application.state.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    fresh_rate_limits(application)
    yield application
    dispose(application)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def committed_engine(engine: Engine) -> Iterator[Engine]:
    """For tests that need real commits (concurrency, live server); tables are emptied after."""
    truncate_all(engine)
    yield engine
    truncate_all(engine)


@pytest.fixture
def committed_app(settings: Settings, database_url: str, committed_engine: Engine):
    application = create_app(settings, database_url=database_url)
    fresh_rate_limits(application)
    yield application
    dispose(application)


# -- background workers (tests/workers.py) ----------------------------------------------------

@pytest.fixture
def start_worker(database_url: str, settings: Settings, committed_engine: Engine, tmp_path: Path):
    """Start real `reachable worker` processes on the committed test database (call it once per
    worker); each is stopped at the end of the test, before the tables are emptied."""
    started: list[WorkerProcess] = []

    def start(**kwargs) -> WorkerProcess:
        worker = WorkerProcess(database_url, settings, tmp_path, **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def job_worker(start_worker) -> WorkerProcess:
    """One real worker process for the test."""
    return start_worker()


# -- a live server and a real browser (tests/browser.py) -------------------------------------

@pytest.fixture
def live_server(committed_app) -> Iterator[str]:
    """The app served by uvicorn on a loopback port, over the committed test database."""
    with serve(committed_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no downloaded browser)."""
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, live_server):
    """A page in a guarded context (see `tests.browser.guarded_context`)."""
    context = guarded_context(browser, live_server)
    pg = context.new_page()
    pg.outside_requests = context.outside_requests  # type: ignore[attr-defined]
    yield pg
    context.close()
