"""Which database a public read uses (api/read_routing.py), in-process; tests/scale/test_replica.py
shows the same against a real streaming replica."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request

from api.app import create_app
from api.read_routing import READ_PRIMARY_COOKIE, public_read_factory, reads_primary
from tests.factories import dispose, fresh_rate_limits


@pytest.fixture
def replica_app(settings, database_url, connection):
    """The app with DATABASE_READ_URL set (here to the same database: which one answered is
    tests/scale's business; this file checks the rule and the cookie)."""
    application = create_app(settings.model_copy(update={"database_read_url": database_url}),
                             database_url=database_url)
    application.state.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    fresh_rate_limits(application)
    yield application
    dispose(application)


def request_to(app, headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/api/v1/toilets", "headers": raw, "app": app})


@pytest.mark.parametrize(("headers", "primary"), [
    ({}, False),
    ({"Authorization": "Bearer x"}, True),
    ({"X-API-Key": "rk_a_b"}, True),
    ({"Cookie": f"{READ_PRIMARY_COOKIE}=1"}, True),
    ({"Cookie": "other=1"}, False),
])
def test_who_reads_the_primary(replica_app, headers, primary):
    request = request_to(replica_app, headers)
    assert reads_primary(request) is primary
    chosen = public_read_factory(request)
    expected = replica_app.state.session_factory if primary else replica_app.state.read_session_factory
    assert chosen is expected
    assert replica_app.state.read_session_factory is not replica_app.state.session_factory


def test_without_a_replica_every_read_is_on_the_primary(app):
    assert app.state.read_session_factory is None
    assert public_read_factory(request_to(app, {})) is app.state.session_factory


def test_a_successful_write_marks_the_browser(replica_app):
    with TestClient(replica_app) as client:
        assert READ_PRIMARY_COOKIE not in client.get("/api/v1/toilets").headers.get("set-cookie", "")
        refused = client.post("/api/v1/volunteers", json={"nickname": "", "password": "x"})
        assert refused.status_code == 422 and "set-cookie" not in refused.headers  # nothing was written
        joined = client.post("/api/v1/volunteers", json={"nickname": "read-routing", "password": "correct horse",
                                                         "age_band": "30s"})
        assert joined.status_code == 201, joined.text
        cookie = joined.headers["set-cookie"]
        assert cookie.startswith(f"{READ_PRIMARY_COOKIE}=1;")
        assert "Max-Age=30" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # plain http here; over https the cookie is Secure


def test_no_cookie_without_a_replica(client):
    joined = client.post("/api/v1/volunteers", json={"nickname": "no-replica", "password": "correct horse",
                                                     "age_band": "30s"})
    assert joined.status_code == 201
    assert "set-cookie" not in joined.headers
