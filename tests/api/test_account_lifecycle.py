"""Account lifecycle: deactivate / reactivate, change own password, admin reset, token lives.
Every change ends the account's earlier tokens on their next request (token_version)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import jwt
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from accounts.models import Account
from accounts.security import BoundedSection
from core.audit import AuditEntry
from core.errors import DomainError
from tests.factories import login, make_account, report_body

PASSWORD = "correct horse"


def _id(db, username: str) -> int:
    return db.scalar(select(Account.id).where(Account.username == username))


def _audit(db, account_id: int) -> list[tuple]:
    return [tuple(r) for r in db.execute(text(
        "SELECT action, actor_id, reason, detail FROM audit_log WHERE object_type = 'account' AND object_id = :i "
        "ORDER BY id"), {"i": str(account_id)})]


def _error(r, status: int, code: str, path: str | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code and body["message_ko"] and body["message_en"]
    if path is not None:
        assert [f["path"] for f in body["fields"]] == [path]
    return body


@pytest.fixture
def admin(client, db):
    name = make_account(db, "admin", "office-admin")
    return {"id": _id(db, name), "headers": login(client, name, PASSWORD)}


def test_deactivation_ends_tokens_at_once_and_reactivation_needs_a_new_login(client, db, admin):
    name = make_account(db, "volunteer", "quitter")
    vid = _id(db, name)
    token = login(client, name, PASSWORD)
    assert client.get("/api/v1/me", headers=token).json()["is_active"] is True

    r = client.post(f"/api/v1/accounts/{vid}/deactivate", headers=admin["headers"], json={"reason": "spam reports"})
    assert r.status_code == 200 and r.json()["is_active"] is False
    _error(client.get("/api/v1/me", headers=token), 401, "account_unusable")
    _error(client.post("/api/v1/reports", headers=token, json=report_body()), 401, "account_unusable")
    assert db.execute(text("SELECT count(*) FROM reports")).scalar_one() == 0
    # The right password learns the account is stopped; a wrong one learns nothing more.
    _error(client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD}), 401,
           "account_deactivated")
    _error(client.post("/api/v1/auth/token", data={"username": name, "password": "wrong guess"}), 401,
           "bad_credentials")
    # Idempotent: a second deactivation changes and audits nothing.
    assert client.post(f"/api/v1/accounts/{vid}/deactivate", headers=admin["headers"]).status_code == 200

    r = client.post(f"/api/v1/accounts/{vid}/reactivate", headers=admin["headers"])
    assert r.status_code == 200 and r.json()["is_active"] is True
    _error(client.get("/api/v1/me", headers=token), 401, "invalid_token")  # the old token stays dead
    fresh = login(client, name, PASSWORD)
    assert client.get("/api/v1/me", headers=fresh).json()["username"] == name

    audit = _audit(db, vid)
    assert [(a[0], a[1], a[2]) for a in audit] == [("account.deactivate", admin["id"], "spam reports"),
                                                    ("account.reactivate", admin["id"], None)]
    assert audit[0][3]["username"] == name
    stored = db.get(Account, vid)
    db.refresh(stored)
    assert stored.deactivated_at is None and stored.token_version == 1


def test_a_deactivated_exporters_api_key_stops_too(client, db, admin):
    exporter = make_account(db, "exporter")
    eid = _id(db, exporter)
    key = client.post("/api/v1/admin/api-keys", json={"account_id": eid, "label": "map team"},
                      headers=admin["headers"]).json()["key"]
    url = "/api/v1/exports/toilets.geojson"
    assert client.get(url, headers={"X-API-Key": key}).status_code == 200
    client.post(f"/api/v1/accounts/{eid}/deactivate", headers=admin["headers"])
    _error(client.get(url, headers={"X-API-Key": key}), 401, "invalid_api_key")


def test_an_admin_cannot_deactivate_themself(client, db, admin):
    _error(client.post(f"/api/v1/accounts/{admin['id']}/deactivate", headers=admin["headers"]), 409,
           "cannot_deactivate_self")
    assert client.get("/api/v1/me", headers=admin["headers"]).status_code == 200
    assert _audit(db, admin["id"]) == []


@pytest.mark.parametrize("role", ["volunteer", "exporter"])  # the same route and service for every role
def test_any_account_changes_its_own_password_and_its_old_tokens_stop(client, db, role):
    name = make_account(db, role)
    aid = _id(db, name)
    phone, laptop = login(client, name, PASSWORD), login(client, name, PASSWORD)
    url = "/api/v1/me/password"

    _error(client.post(url, headers=phone, json={"current_password": "not it", "new_password": "new and long"}),
           422, "wrong_current_password", "current_password")
    _error(client.post(url, headers=phone, json={"current_password": PASSWORD, "new_password": "short"}),
           422, "invalid_request", "new_password")
    _error(client.post(url, headers=phone, json={"current_password": PASSWORD, "new_password": PASSWORD}),
           422, "invalid_password", "new_password")
    _error(client.post(url, json={"current_password": PASSWORD, "new_password": "new and long"}), 401, "unauthorised")
    assert _audit(db, aid) == [] and client.get("/api/v1/me", headers=laptop).status_code == 200  # nothing changed

    r = client.post(url, headers=phone, json={"current_password": PASSWORD, "new_password": "new and long"})
    assert r.status_code == 200, r.text
    fresh = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert client.get("/api/v1/me", headers=fresh).json()["id"] == aid
    for old in (phone, laptop):
        _error(client.get("/api/v1/me", headers=old), 401, "invalid_token")
    _error(client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD}), 401, "bad_credentials")
    login(client, name, "new and long")
    audit = _audit(db, aid)
    assert [(a[0], a[1]) for a in audit] == [("account.password_change", aid)]
    assert "new and long" not in str(audit) and db.get(Account, aid).password_changed_at is not None


def test_admin_resets_a_password_audited_and_the_old_tokens_stop(client, db, admin):
    name = make_account(db, "volunteer", "forgetful")
    vid = _id(db, name)
    token = login(client, name, PASSWORD)
    r = client.post(f"/api/v1/accounts/{vid}/password", headers=admin["headers"],
                    json={"new_password": "given at the desk", "reason": "forgot it at the campaign booth"})
    assert r.status_code == 200 and r.json()["id"] == vid
    _error(client.get("/api/v1/me", headers=token), 401, "invalid_token")
    _error(client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD}), 401, "bad_credentials")
    login(client, name, "given at the desk")
    audit = _audit(db, vid)
    assert [(a[0], a[1], a[2]) for a in audit] == [("account.password_reset", admin["id"],
                                                    "forgot it at the campaign booth")]
    assert "given at the desk" not in str(audit)


def test_only_admins_manage_accounts_and_bad_ids_are_4xx(client, db, admin):
    victim = make_account(db, "moderator")
    vid = _id(db, victim)
    before = db.execute(text("SELECT password_hash, is_active, token_version FROM accounts WHERE id = :i"),
                        {"i": vid}).one()
    calls = [("deactivate", None), ("reactivate", None), ("password", {"new_password": "taken over!"})]
    for role in ("volunteer", "moderator", "exporter"):
        headers = login(client, make_account(db, role), PASSWORD)
        for action, body in calls:
            _error(client.post(f"/api/v1/accounts/{vid}/{action}", headers=headers, json=body), 403, "forbidden_role")
            # A non-admin cannot tell an existing id from a missing one.
            _error(client.post(f"/api/v1/accounts/999999/{action}", headers=headers, json=body), 403, "forbidden_role")
    for action, body in calls:
        _error(client.post(f"/api/v1/accounts/{vid}/{action}", json=body), 401, "unauthorised")
        _error(client.post(f"/api/v1/accounts/999999/{action}", headers=admin["headers"], json=body), 404,
               "account_not_found")
        for bad in ("0", str(2**40), "abc"):  # a path id that does not parse names nothing: 404
            _error(client.post(f"/api/v1/accounts/{bad}/{action}", headers=admin["headers"], json=body), 404,
                   "not_found")
    _error(client.post(f"/api/v1/accounts/{vid}/password", headers=admin["headers"], json={"new_password": "short"}),
           422, "invalid_request", "new_password")
    _error(client.post(f"/api/v1/accounts/{vid}/deactivate", headers=admin["headers"], json={"reason": "x" * 501}),
           422, "invalid_request", "reason")
    after = db.execute(text("SELECT password_hash, is_active, token_version FROM accounts WHERE id = :i"),
                       {"i": vid}).one()
    assert after == before and _audit(db, vid) == []


def test_staff_tokens_live_shorter_than_volunteers(client, db, settings):
    assert settings.staff_token_minutes < settings.access_token_minutes
    for role in ("volunteer", "moderator", "exporter", "admin"):
        name = make_account(db, role)
        body = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD}).json()
        claims = jwt.decode(body["access_token"], settings.secret_key, algorithms=["HS256"])
        minutes = settings.access_token_minutes if role == "volunteer" else settings.staff_token_minutes
        assert claims["exp"] - claims["iat"] == minutes * 60 == body["expires_in"], role


def test_an_expired_staff_token_is_refused(client, db, settings):
    name = make_account(db, "moderator")
    aid = _id(db, name)
    import time

    expired = jwt.encode({"sub": str(aid), "role": "moderator", "ver": 0, "iat": int(time.time()) - 7200,
                          "exp": int(time.time()) - 1}, settings.secret_key, algorithm="HS256")
    _error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}), 401, "invalid_token")
    forged = jwt.encode({"sub": str(aid), "ver": 0, "exp": int(time.time()) + 60}, "another-secret-" + "x" * 40,
                        algorithm="HS256")
    _error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}), 401, "invalid_token")


def test_cli_deactivates_reactivates_and_resets_audited(committed_engine, database_url, monkeypatch):
    from cli.main import app as cli
    from core.config import get_settings
    from sqlalchemy.orm import Session

    with Session(committed_engine) as s:
        make_account(s, "volunteer", "cli-target")
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        r = runner.invoke(cli, ["accounts", "deactivate", "CLI-target", "--reason", "left the campaign"])
        assert r.exit_code == 0 and "deactivated" in r.output, r.output
        r = runner.invoke(cli, ["accounts", "reactivate", "cli-target"])
        assert r.exit_code == 0 and "active" in r.output, r.output
        r = runner.invoke(cli, ["accounts", "reset-password", "cli-target", "--password", "from the terminal"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(cli, ["accounts", "reset-password", "cli-target", "--password", "short"])
        assert r.exit_code == 2 and "new_password" in r.output
        r = runner.invoke(cli, ["accounts", "deactivate", "nobody-here"])
        assert r.exit_code == 2 and "Account not found" in r.output
    finally:
        get_settings.cache_clear()
    with Session(committed_engine) as s:
        account = s.scalars(select(Account).where(Account.username == "cli-target")).one()
        from accounts.service import authenticate

        assert account.is_active and authenticate(s, username="cli-target", password="from the terminal")
        audit = s.scalars(select(AuditEntry).where(AuditEntry.object_id == str(account.id)).order_by(AuditEntry.id)).all()
        assert [(a.action, a.actor_id, a.reason, a.detail.get("via")) for a in audit] == [
            ("account.deactivate", None, "left the campaign", "cli"), ("account.reactivate", None, None, "cli"),
            ("account.password_reset", None, None, "cli")]
        assert account.token_version == 2


@contextmanager
def held(section):
    """`section` entered by another thread until the block ends."""
    inside, release = threading.Event(), threading.Event()

    def hold():
        with section.enter():
            inside.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(5)
    try:
        yield
    finally:
        release.set()
        holder.join()


def test_password_work_is_bounded_and_a_flood_gets_503_not_a_queue():
    section = BoundedSection(concurrent=1, waiting=1, wait_seconds=0.05)
    with held(section):
        with pytest.raises(DomainError) as waited:  # waits its 50 ms, then gives up
            with section.enter():
                pass
        assert waited.value.status == 503 and waited.value.code == "server_busy"
        assert waited.value.headers == {"Retry-After": "2"}
    with section.enter():  # free again
        pass


def test_login_while_password_work_is_saturated_is_503_with_retry_after(client, db, settings):
    from accounts import security

    name = make_account(db, "volunteer")
    security.configure_password_work(concurrent=1, waiting=0, wait_seconds=0.05)
    try:
        with held(security._section):
            r = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
            _error(r, 503, "server_busy")
            assert r.headers["Retry-After"] == "2"
            r = client.post("/api/v1/volunteers", json={"nickname": "flooded", "password": PASSWORD,
                                                        "age_band": "20s"})
            _error(r, 503, "server_busy")
            assert db.execute(text("SELECT count(*) FROM accounts WHERE username = 'flooded'")).scalar_one() == 0
    finally:
        security.configure_password_work(concurrent=settings.argon2_max_concurrent,
                                         waiting=settings.argon2_max_waiting,
                                         wait_seconds=settings.argon2_wait_seconds)
    login(client, name, PASSWORD)
