"""A database that refuses or is exhausted answers 503 database_unavailable with Retry-After, in
the uniform error shape, never 500 (api/errors.py). The restart under load is in tests/faults/."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image

from accounts.security import issue_token
from api.app import create_app
from tests.factories import report_body

NOWHERE = "postgresql+psycopg://reachable@/reachable?host=%2Fnonexistent-reachable-socket&port=1"


def assert_unavailable(r) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"] == "5"
    body = r.json()
    assert set(body) == {"code", "message_ko", "message_en", "fields"}
    assert body["code"] == "database_unavailable" and body["message_ko"] and body["fields"] == []


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(out, "JPEG")
    return out.getvalue()


def test_every_kind_of_request_gets_503_when_the_database_refuses(settings):
    app = create_app(settings, database_url=NOWHERE)  # starts: photo recovery waits for the next start
    token = issue_token(account_id=1, role="volunteer", secret=settings.secret_key, minutes=5)
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert_unavailable(client.post("/api/v1/volunteers", json={"nickname": "nobody1", "password": "correct horse",
                                                                  "age_band": "30s"}))
        assert_unavailable(client.post("/api/v1/auth/token", data={"username": "a", "password": "b"}))
        assert_unavailable(client.get("/api/v1/toilets"))
        assert_unavailable(client.post("/api/v1/reports", headers=auth, json=report_body()))
        assert_unavailable(client.post("/api/v1/reports/1/photos", headers=auth,
                                       files={"file": ("p.jpg", jpeg(), "image/jpeg")}, data={"kind": "door"}))
        exporter = issue_token(account_id=2, role="exporter", secret=settings.secret_key, minutes=5)
        assert_unavailable(client.get("/api/v1/exports/toilets.csv", headers={"Authorization": f"Bearer {exporter}"}))
    app.state.engine.dispose()


def test_an_exhausted_pool_is_503_not_500(settings, database_url):
    settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout_s = 1, 0, 0.3
    app = create_app(settings, database_url=database_url)
    with TestClient(app) as client:
        assert client.get("/api/v1/toilets").status_code == 200
        with app.state.engine.connect():  # the only connection, held elsewhere
            assert_unavailable(client.get("/api/v1/toilets"))
        assert client.get("/api/v1/toilets").status_code == 200
    app.state.engine.dispose()
