"""Joining, logging in, roles: each role against each endpoint it must not reach."""

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.factories import count_rows, join_and_login, login, make_account


def test_volunteer_joins_with_organisation_and_logs_in_with_nickname(client, db):
    db.execute(text("INSERT INTO organisations (code, name) VALUES ('SNU-SSC', '서울대')"))
    r = client.post("/api/v1/volunteers", json={"nickname": "휠체어탐험가", "password": "long enough",
                                                "organisation_code": "snu-ssc", "age_band": "60_plus"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["role"] == "volunteer" and body["age_band"] == "60_plus" and body["organisation_id"] is not None
    assert "password" not in r.text and "hash" not in r.text
    headers = login(client, "휠체어탐험가", "long enough")
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["username"] == "휠체어탐험가"
    stored = db.execute(text("SELECT password_hash FROM accounts WHERE id = :i"),
                        {"i": me["id"]}).scalar_one()
    assert stored.startswith("$argon2id$")


@pytest.mark.parametrize("body, path", [
    ({"nickname": "a", "password": "long enough", "age_band": "20s"}, "nickname"),
    ({"nickname": "ok-name", "password": "short", "age_band": "20s"}, "password"),
    ({"nickname": "ok-name", "password": "long enough", "age_band": "teen"}, "age_band"),
    ({"nickname": "ok-name", "password": "long enough"}, "age_band"),
    ({"nickname": "ok-name", "password": "long enough", "age_band": "20s", "role": "admin"}, "role"),
])
def test_join_rejects_bad_input_with_field_and_both_languages(client, db, body, path):
    before = count_rows(db, "accounts")
    r = client.post("/api/v1/volunteers", json=body)
    assert r.status_code == 422
    err = r.json()
    assert err["code"] and err["message_ko"] and err["message_en"]
    assert [f["path"] for f in err["fields"]] == [path]
    assert all(f["message_ko"] and f["message_en"] for f in err["fields"])
    assert count_rows(db, "accounts") == before


def test_unknown_organisation_code_is_a_field_error(client, db):
    r = client.post("/api/v1/volunteers", json={"nickname": "someone", "password": "long enough",
                                                "organisation_code": "NOPE", "age_band": "20s"})
    assert r.status_code == 422
    assert r.json()["fields"][0]["path"] == "organisation_code"
    assert count_rows(db, "accounts") == 0


def test_nickname_is_unique_regardless_of_case(client, db):
    join_and_login(client, "Wheelie")
    r = client.post("/api/v1/volunteers", json={"nickname": "wheelie", "password": "long enough", "age_band": "20s"})
    assert r.status_code == 409 and r.json()["code"] == "nickname_taken"
    assert count_rows(db, "accounts") == 1


def test_bad_credentials_and_tokens_are_401(client):
    join_and_login(client, "someone")
    r = client.post("/api/v1/auth/token", data={"username": "someone", "password": "wrong password"})
    assert r.status_code == 401 and r.json()["code"] == "bad_credentials"
    r = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "wrong password"})
    assert r.status_code == 401
    assert client.get("/api/v1/me").status_code == 401
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer not.a.token"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"


def test_admin_creates_staff_accounts_audited_and_others_cannot(client, db):
    make_account(db, "admin", "root-admin")
    admin = login(client, "root-admin", "correct horse")
    r = client.post("/api/v1/accounts", headers=admin,
                    json={"username": "partner-mod", "password": "correct horse", "role": "moderator"})
    assert r.status_code == 201 and r.json()["role"] == "moderator"
    audit = db.execute(text(
        "SELECT action, detail->>'role' FROM audit_log WHERE object_type = 'account'")).all()
    assert ("account.create", "moderator") in [tuple(a) for a in audit]
    for role in ("volunteer", "moderator", "exporter"):
        name = make_account(db, role)
        headers = login(client, name, "correct horse")
        before = count_rows(db, "accounts")
        r = client.post("/api/v1/accounts", headers=headers,
                        json={"username": f"x-{role}", "password": "correct horse", "role": "admin"})
        assert r.status_code == 403, role
        assert r.json()["code"] == "forbidden_role"
        assert count_rows(db, "accounts") == before
        assert client.get("/api/v1/accounts", headers=headers).status_code == 403
        assert client.post("/api/v1/organisations", headers=headers, json={"code": "X1", "name": "x"}).status_code == 403
    assert client.post("/api/v1/accounts", json={"username": "anon", "password": "correct horse",
                                                 "role": "admin"}).status_code == 401


def test_admin_manages_organisations(client, db):
    make_account(db, "admin", "root-admin")
    admin = login(client, "root-admin", "correct horse")
    r = client.post("/api/v1/organisations", headers=admin, json={"code": "swca", "name": "서울시사회복지관협회"})
    assert r.status_code == 201 and r.json()["code"] == "SWCA"
    assert client.post("/api/v1/organisations", headers=admin, json={"code": "SWCA", "name": "dup"}).status_code == 409
    codes = [o["code"] for o in client.get("/api/v1/organisations", headers=admin).json()]
    assert codes == ["SWCA"]


def test_cli_creates_accounts_of_every_role(committed_engine, database_url, monkeypatch):
    from cli.main import app as cli
    from core.config import get_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        for role in ("volunteer", "moderator", "exporter", "admin"):
            result = runner.invoke(cli, ["accounts", "create", "--role", role, "--username", f"cli-{role}",
                                         "--password", "correct horse"] + (["--age-band", "40s"] if role == "volunteer" else []))
            assert result.exit_code == 0, result.output
            assert f"created {role} 'cli-{role}'" in result.output
        bad = runner.invoke(cli, ["accounts", "create", "--role", "boss", "--username", "x1", "--password", "correct horse"])
        assert bad.exit_code == 2 and "Unknown role" in bad.output
    finally:
        get_settings.cache_clear()
    with committed_engine.connect() as conn:
        roles = sorted(r[0] for r in conn.execute(text("SELECT role FROM accounts")))
    assert roles == ["admin", "exporter", "moderator", "volunteer"]
