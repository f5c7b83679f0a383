"""Issue 11 item 10: no input answers 5xx. The cases the issue names, and their neighbours;
the schemathesis run (tests/api/test_fuzz_openapi.py) covers every route."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories import count_rows, join_and_login, login, make_account


def assert_4xx(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "message_ko", "message_en", "fields"} and body["message_ko"] and body["message_en"]
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture
def quiet(app):
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("path", [
    "/api/v1/reports/{big}", "/api/v1/reports/{big}/history", "/api/v1/reports/{big}/photos",
    "/api/v1/moderation/reports/{big}", "/api/v1/moderation/reports/{big}/map",
])
def test_ids_beyond_their_column_are_404(quiet, db, path):
    make_account(db, "moderator", "range-mod")
    mod = login(quiet, "range-mod", "correct horse")
    for big in ("99999999999999999999999", "9223372036854775808", "-9223372036854775809"):
        assert_4xx(quiet.get(path.format(big=big), headers=mod), 404, "not_found")


def test_write_routes_with_huge_ids_are_404_and_change_nothing(quiet, db):
    make_account(db, "moderator", "range-mod2")
    make_account(db, "admin", "range-admin")
    mod, admin = login(quiet, "range-mod2", "correct horse"), login(quiet, "range-admin", "correct horse")
    big = "99999999999999999999999"
    before = count_rows(db, "audit_log")
    assert_4xx(quiet.post(f"/api/v1/moderation/reports/{big}/release", headers=mod), 404)
    assert_4xx(quiet.post(f"/api/v1/moderation/reports/{big}/decision", json={"action": "reject"}, headers=mod), 404)
    assert_4xx(quiet.post(f"/api/v1/moderation/reviews/{big}/second-review", json={"outcome": "confirm"},
                          headers=mod), 404)
    assert_4xx(quiet.delete(f"/api/v1/admin/api-keys/{2**31}", headers=admin), 404)
    # an id in a body is a field: 422 naming it, not a DataError
    body = assert_4xx(quiet.post("/api/v1/admin/api-keys", json={"account_id": 2**31, "label": "x"},
                                 headers=admin), 422)
    assert [f["path"] for f in body["fields"]] == ["account_id"]
    assert count_rows(db, "audit_log") == before


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/volunteers", "/api/v1/moderation/claims"])
def test_deeply_nested_json_is_400(quiet, db, path):
    make_account(db, "moderator", "deep-mod")
    headers = {**join_and_login(quiet), "content-type": "application/json"} if path == "/api/v1/reports" \
        else {**login(quiet, "deep-mod", "correct horse"), "content-type": "application/json"}
    for body in (b"[" * 100_000, b"[" * 40 + b"]" * 40, b'{"a":' * 5_000 + b"1" + b"}" * 5_000):
        r = quiet.post(path, content=body, headers=headers)
        assert r.status_code in (400, 422), (path, body[:10], r.status_code, r.text)
        assert_4xx(r, r.status_code)
    assert count_rows(db, "reports") == 0


def test_deep_report_is_refused_by_depth_not_by_the_parser(quiet):
    volunteer = {**join_and_login(quiet), "content-type": "application/json"}
    nested = b'{"schema_version": 1, "notes": ' + b"[" * 33 + b"]" * 33 + b"}"
    assert_4xx(quiet.post("/api/v1/reports", content=nested, headers=volunteer), 400, "json_too_deep")
    assert_4xx(quiet.post("/api/v1/reports", content=b"[" * 100_000, headers=volunteer), 400, "json_too_deep")


@pytest.mark.parametrize("name", ["-" * 36 + ".jpg", "-" * 36, "0" * 36 + ".jpg", "x.jpg", "%00.jpg", "..%2F..%2Fetc",
                                  "00000000-0000-0000-0000-000000000000.jpg"])
def test_malformed_preview_photo_names_are_404(quiet, name):
    assert_4xx(quiet.get(f"/maps/photos/{name}"), 404)
