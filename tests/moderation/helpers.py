"""Small steps the moderation tests share: a volunteer's report, moderators, claims."""

from __future__ import annotations

from typing import Any

from tests.factories import join_and_login, login, make_account, report_body


def submit(client, headers=None, **overrides: Any) -> tuple[int, dict[str, str]]:
    headers = headers or join_and_login(client)
    r = client.post("/api/v1/reports", json=report_body(**overrides), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["id"], headers


def moderator(db, client) -> dict[str, str]:
    name = make_account(db, "moderator")
    return login(client, name, "correct horse")


def claim_one(client, headers, report_id: int | None = None) -> dict[str, Any]:
    r = client.post("/api/v1/moderation/claims", json={"count": 1}, headers=headers)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert items, "nothing to claim"
    if report_id is not None:
        assert items[0]["id"] == report_id
    return items[0]


def decide(client, headers, report_id: int, **body: Any):
    return client.post(f"/api/v1/moderation/reports/{report_id}/decision", json=body, headers=headers)


def assert_error_shape(r, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "message_ko", "message_en", "fields"}
    assert body["message_ko"] and body["message_en"]
    if code:
        assert body["code"] == code, body
    return body
