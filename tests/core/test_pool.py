"""The pool's liveness check at checkout (core/db.py): a pooled connection whose server process
is gone is replaced without a `SELECT 1` per checkout, and a live one is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from core.config import Settings
from core.db import make_engine


@pytest.fixture
def small_engine(database_url):
    engine = make_engine(Settings(), database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_live_pooled_connection_is_reused_without_a_ping(small_engine):
    first = _backend(small_engine)
    statements: list[str] = []
    event.listen(small_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert _backend(small_engine) == first
    assert statements == ["SELECT pg_backend_pid()"]  # no pre-ping round trip before it


def test_a_pooled_connection_the_server_ended_is_replaced_at_checkout(small_engine, engine):
    first = _backend(small_engine)  # back in the pool, idle
    with engine.connect() as other:  # what a restart does to every backend: ended by the server
        assert other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": first}).scalar_one()
    second = _backend(small_engine)  # would raise OperationalError if the dead one were handed out
    assert second != first
    assert _backend(small_engine) == second  # and the new one is kept
