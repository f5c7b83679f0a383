"""Abuse limits over HTTP: each limited endpoint answers 429 in the one error shape with
Retry-After and changes nothing; the counts hold across two app instances (two engines) and two
uvicorn processes on one database."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from api.app import create_app
from core.config import PROJECT_ROOT
from tests.browser import free_port
from tests.workers import run_queued_jobs
from tests.factories import settings_for
from tests.factories import count_rows, join_and_login, login, make_account, report_body
from tests.exports.helpers import publish

PASSWORD = "correct horse"
# Per-day windows: the sliding window counter (the default) may admit one more request right after
# a window boundary (it floors the previous window's weighted count), so a test's counts are exact
# only away from a boundary; with a day, that is at midnight UTC only.
TINY = {f"rate_limit_{rule}": "2/day" for rule in (
    "login_per_ip", "login_per_nickname", "join_per_ip", "password_change_per_account", "reports_per_account",
    "photos_per_account", "exports_per_caller", "snapshots_per_caller")}


def assert_429(r) -> int:
    assert r.status_code == 429, r.text
    body = r.json()
    assert set(body) == {"code", "message_ko", "message_en", "fields"} and body["code"] == "rate_limited"
    seconds = int(r.headers["Retry-After"])
    assert 1 <= seconds <= 2 * 86400 and str(seconds) in body["message_en"] and str(seconds) in body["message_ko"]
    return seconds


@pytest.fixture
def settings(tmp_path):
    # Generous per IP (the test client is one address), two a day per account or nickname.
    return settings_for(tmp_path).model_copy(update={**TINY, "rate_limit_login_per_ip": "50/day",
                                                       "rate_limit_join_per_ip": "50/day"})


def _jpeg(shade: int) -> bytes:
    out = io.BytesIO()  # a different picture each time: the same bytes again are a retry (200), not a new photo
    Image.new("RGB", (32, 24), (10, 120, shade)).save(out, "JPEG")
    return out.getvalue()


def test_login_per_nickname_holds_before_the_password_is_checked(client, db):
    name = make_account(db, "volunteer", "guessed-at")
    for guess in ("guess one", "guess two"):
        assert client.post("/api/v1/auth/token", data={"username": name, "password": guess}).status_code == 401
    # Same person whatever the case: the right password is refused too, without being checked.
    assert_429(client.post("/api/v1/auth/token", data={"username": "GUESSED-AT ", "password": PASSWORD}))
    other = make_account(db, "volunteer")
    login(client, other, PASSWORD)  # another nickname from the same address goes on


def test_reports_per_account_and_nothing_stored_past_the_limit(client, db):
    first, second = join_and_login(client), join_and_login(client)
    for _ in range(2):
        assert client.post("/api/v1/reports", headers=first, json=report_body()).status_code == 201
    assert_429(client.post("/api/v1/reports", headers=first, json=report_body()))
    assert count_rows(db, "reports") == 2
    assert client.post("/api/v1/reports", headers=second, json=report_body()).status_code == 201


def test_photo_uploads_per_account(client, db):
    volunteer = join_and_login(client)
    report_id = client.post("/api/v1/reports", headers=volunteer, json=report_body()).json()["id"]

    def upload(shade: int):
        return client.post(f"/api/v1/reports/{report_id}/photos", headers=volunteer,
                           files={"file": ("p.jpg", _jpeg(shade), "image/jpeg")}, data={"kind": "door"})

    assert [upload(shade).status_code for shade in (100, 200)] == [202, 202]
    assert_429(upload(50))
    assert run_queued_jobs(db.connection(), client.app.state.settings) == 2
    assert count_rows(db, "report_photos") == 2


def test_password_change_per_account(client, db):
    name = make_account(db, "moderator")
    headers = login(client, name, PASSWORD)
    for _ in range(2):
        r = client.post("/api/v1/me/password", headers=headers,
                        json={"current_password": "a wrong guess", "new_password": "a new password"})
        assert r.status_code == 422
    assert_429(client.post("/api/v1/me/password", headers=headers,
                           json={"current_password": PASSWORD, "new_password": "a new password"}))
    login(client, name, PASSWORD)  # unchanged


def test_exports_per_caller_and_snapshots(client, db):
    publish(db)
    exporter = login(client, make_account(db, "exporter"), PASSWORD)
    for _ in range(2):
        assert client.get("/api/v1/exports/toilets.geojson", headers=exporter).status_code == 200
    assert_429(client.get("/api/v1/exports/toilets.csv", headers=exporter))
    admin = login(client, make_account(db, "admin"), PASSWORD)
    body = {"layer": "toilets", "profile": "geojson", "format": "geojson"}
    for _ in range(2):
        assert client.post("/api/v1/exports/snapshots", headers=admin, json=body).status_code == 202
    assert_429(client.post("/api/v1/exports/snapshots", headers=admin, json=body))
    assert run_queued_jobs(db.connection(), client.app.state.settings) == 2
    assert count_rows(db, "export_snapshots") == 2


def test_limits_hold_across_two_app_instances_on_one_database(committed_engine, database_url, tmp_path):
    settings = settings_for(tmp_path).model_copy(update={"rate_limit_join_per_ip": "3/day",
                                                           "rate_limit_login_per_nickname": "3/day"})
    with Session(committed_engine) as s:
        make_account(s, "volunteer", "shared-target")
    apps = [create_app(settings, database_url=database_url) for _ in range(2)]
    assert apps[0].state.engine is not apps[1].state.engine
    apps[0].state.rate_limits.storage.reset()
    try:
        with TestClient(apps[0]) as a, TestClient(apps[1]) as b:
            for i, c in enumerate((a, b, a)):
                r = c.post("/api/v1/volunteers", json={"nickname": f"joiner-{i}", "password": PASSWORD,
                                                       "age_band": "20s"})
                assert r.status_code == 201, r.text
            assert_429(b.post("/api/v1/volunteers", json={"nickname": "joiner-3", "password": PASSWORD,
                                                          "age_band": "20s"}))
            for c in (b, a, b):
                assert c.post("/api/v1/auth/token", data={"username": "shared-target", "password": "nope"}
                              ).status_code == 401
            assert_429(a.post("/api/v1/auth/token", data={"username": "shared-target", "password": PASSWORD}))
    finally:
        for app in apps:
            app.state.engine.dispose()
            app.state.rate_limit_engine.dispose()
    with Session(committed_engine) as s:
        assert count_rows(s, "accounts WHERE username LIKE 'joiner-%'") == 3


def test_limits_hold_across_two_api_processes(committed_engine, database_url, tmp_path):
    """Two uvicorn processes, as on two machines behind a load balancer: one count."""
    with Session(committed_engine) as s:
        make_account(s, "volunteer", "two-process-target")
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "two-processes-" + "k" * 40,
           "PHOTO_DIR": str(tmp_path / "photos"), "RATE_LIMIT_LOGIN_PER_IP": "4/day"}
    ports = [free_port(), free_port()]
    servers = [subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
                                 "--port", str(p), "--log-level", "warning"], cwd=PROJECT_ROOT, env=env)
               for p in ports]
    try:
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        deadline = time.monotonic() + 60
        for base in bases:
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "servers did not start"
                time.sleep(0.1)
        statuses = [httpx.post(f"{bases[i % 2]}/api/v1/auth/token", timeout=10,
                               data={"username": "two-process-target", "password": "wrong"}).status_code
                    for i in range(4)]
        assert statuses == [401, 401, 401, 401]
        for base in bases:
            assert_429(httpx.post(f"{base}/api/v1/auth/token", timeout=10,
                                  data={"username": "two-process-target", "password": PASSWORD}))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


def test_the_limited_routes_are_these_and_document_429_with_retry_after(app):
    spec = app.openapi()
    limited = {(method, path) for path, ops in spec["paths"].items() for method, op in ops.items()
               if "429" in op["responses"]}
    assert limited == {
        ("post", "/api/v1/auth/token"), ("post", "/api/v1/volunteers"), ("post", "/api/v1/me/password"),
        ("post", "/api/v1/reports"), ("post", "/api/v1/reports/{report_id}/revisions"),
        ("post", "/api/v1/reports/{report_id}/photos"), ("get", "/api/v1/exports/{layer}.{fmt}"),
        ("post", "/api/v1/exports/snapshots"), ("get", "/api/v1/exports/snapshots/{snapshot_id}/bundle.zip"),
        ("get", "/api/v1/exports/snapshots/{snapshot_id}/files/{name}"),
    }
    login = spec["paths"]["/api/v1/auth/token"]["post"]["responses"]["429"]
    assert "Retry-After" in login["headers"]
