"""Issue 11 item 4 through the API: every text a person sends is cleaned by core.text; refused
characters are a bilingual field error at the field's path and change nothing."""

from __future__ import annotations

import json
import unicodedata

import pytest
from sqlalchemy import text

from tests.factories import count_rows, join_and_login, login, make_account, report_body
from tests.moderation.helpers import claim_one, decide

RLO = "\u202e"
ZWSP = "\u200b"
NFD_NAME = unicodedata.normalize("NFD", "시청 화장실")


def post_json(client, url, body, headers):
    # json.dumps escapes lone surrogates (\ud800) the way a phone's JSON would
    return client.post(url, content=json.dumps(body), headers={**headers, "content-type": "application/json"})


def fields_of(r, status=422):
    assert r.status_code == status, r.text
    body = r.json()
    for f in body["fields"]:
        assert f["message_ko"] and f["message_en"]
    return {f["path"]: f for f in body["fields"]}


def test_report_text_refused_at_its_path_including_nested_obstacle_notes(client, db):
    vol = join_and_login(client)
    body = report_body(**{"place.name": f"화장실{RLO}exe.jpg", "notes": "a\x00b", "place.opening_hours": "\ud800"})
    body["access_route"]["obstacles"][0]["note"] = "문\u2066턱"
    fields = fields_of(post_json(client, "/api/v1/reports", body, vol))
    assert set(fields) >= {"place.name", "notes", "place.opening_hours", "access_route.obstacles.0.note"}
    assert "U+202E" in fields["place.name"]["message_en"] and "U+0000" in fields["notes"]["message_ko"]
    assert count_rows(db, "reports") == 0


def test_report_raw_payload_as_sent_and_payload_normalised(client, db):
    vol = join_and_login(client)
    body = report_body(**{"place.name": NFD_NAME + ZWSP, "notes": "첫 줄\r\n둘째 줄", "place.building_name": "시\ufeff청"})
    body["access_route"]["obstacles"][0]["note"] = "무거운\n문"
    r = post_json(client, "/api/v1/reports", body, vol)
    assert r.status_code == 201, r.text
    raw, payload, name = db.execute(text("SELECT raw_payload, payload, name FROM reports WHERE id = :i"),
                                    {"i": r.json()["id"]}).one()
    assert raw == body  # exactly as sent
    assert payload["place"]["name"] == "시청 화장실" == name and payload["notes"] == "첫 줄\n둘째 줄"
    assert payload["place"]["building_name"] == "시청"
    assert payload["access_route"]["obstacles"][0]["note"] == "무거운\n문"
    # a retry of the same body is still the same submission (the key is the raw body)
    assert post_json(client, "/api/v1/reports", body, vol).status_code == 200


def test_newline_refused_in_a_single_line_field(client):
    vol = join_and_login(client)
    assert "place.name" in fields_of(post_json(client, "/api/v1/reports", report_body(**{"place.name": "a\nb"}), vol))


def test_nicknames_are_cleaned_and_spoofs_refused(client, db):
    r = client.post("/api/v1/volunteers", json={"nickname": f"ad{RLO}min", "password": "correct horse",
                                                "age_band": "30s"})
    assert "nickname" in fields_of(r)
    r = client.post("/api/v1/volunteers", json={"nickname": f"휠체어{ZWSP}탐험", "password": "correct horse",
                                                "age_band": "30s"})
    assert r.status_code == 201 and r.json()["username"] == "휠체어탐험"
    # the invisible twin of a taken name is the same name
    r = client.post("/api/v1/volunteers", json={"nickname": f"휠{ZWSP}체어탐험", "password": "correct horse",
                                                "age_band": "30s"})
    assert r.status_code == 409
    # logging in with the name as typed, invisible character and all, finds the account
    assert login(client, f"휠체어탐험{ZWSP}", "correct horse")
    bad = client.post("/api/v1/auth/token", data={"username": "a\x00b", "password": "correct horse"})
    assert bad.status_code == 401
    r = client.post("/api/v1/volunteers", json={"nickname": "\u3164\u3164", "password": "correct horse",
                                                "age_band": "30s"})
    assert "nickname" in fields_of(r)


def test_admin_texts_organisation_names_usernames_api_key_labels(client, db):
    admin = login(client, make_account(db, "admin"), "correct horse")
    before = count_rows(db, "organisations")
    assert "name" in fields_of(post_json(client, "/api/v1/organisations", {"code": "EVIL-1", "name": "a\x00"}, admin))
    assert count_rows(db, "organisations") == before
    r = client.post("/api/v1/organisations", json={"code": "NFC-1", "name": NFD_NAME}, headers=admin)
    assert r.status_code == 201 and r.json()["name"] == "시청 화장실"
    r = post_json(client, "/api/v1/accounts", {"username": f"map{RLO}team", "password": "correct horse",
                                               "role": "exporter"}, admin)
    assert "username" in fields_of(r)
    exporter = client.post("/api/v1/accounts", json={"username": "exp-nfc", "password": "correct horse",
                                                     "role": "exporter"}, headers=admin).json()["id"]
    r = post_json(client, "/api/v1/admin/api-keys", {"account_id": exporter, "label": f"nightly{RLO}"}, admin)
    assert "label" in fields_of(r)
    assert count_rows(db, "api_keys") == 0
    r = post_json(client, "/api/v1/admin/api-keys", {"account_id": exporter, "label": f"night{ZWSP}ly"}, admin)
    assert r.status_code == 201 and r.json()["label"] == "nightly"


@pytest.fixture
def claimed(client, db):
    vol = join_and_login(client)
    r = client.post("/api/v1/reports", json=report_body(), headers=vol)
    mod = login(client, make_account(db, "moderator"), "correct horse")
    claim_one(client, mod, r.json()["id"])
    return r.json()["id"], mod


def test_moderator_texts_comments_messages_edits(client, db, claimed):
    report_id, mod = claimed
    url = f"/api/v1/moderation/reports/{report_id}/decision"
    fields = fields_of(post_json(client, url, {"action": "reject", "reason_code": "other",
                                               "comment": f"스팸{RLO}"}, mod))
    assert "comment" in fields
    fields = fields_of(post_json(client, url, {"action": "request_changes", "message": "a\x1bb"}, mod))
    assert "message" in fields
    fields = fields_of(post_json(client, url, {"action": "approve", "edits": {
        "place.name": f"이름{RLO}", "access_route.obstacles": [{"kind": "step", "note": "턱\x00"}]}}, mod))
    assert set(fields) == {"edits.place.name", "edits.access_route.obstacles.0.note"}
    assert count_rows(db, "reviews") == 0 and count_rows(db, "toilets") == 0
    # multi-line comments keep their newlines; edited text is stored NFC, invisible marks gone
    r = decide(client, mod, report_id, action="approve", comment="확인함\r\n사진 좋음", edits={
        "place.name": NFD_NAME + ZWSP, "notes": "한 줄\r\n두 줄"})
    assert r.status_code == 200, r.text
    review = r.json()["review"]
    assert review["comment"] == "확인함\n사진 좋음"
    assert {e["path"]: e["after"] for e in review["edits"]} == {"place.name": "시청 화장실", "notes": "한 줄\n두 줄"}
    toilet = client.get(f"/api/v1/toilets/{r.json()['toilet_id']}").json()
    assert toilet["properties"]["name"] == "시청 화장실"


def test_retire_reason_and_second_review_comment(client, db, claimed):
    report_id, mod = claimed
    toilet_id = decide(client, mod, report_id, action="approve").json()["toilet_id"]
    r = post_json(client, f"/api/v1/moderation/toilets/{toilet_id}/retire", {"reason": f"폐쇄{RLO}"}, mod)
    assert "reason" in fields_of(r)
    review = client.post(f"/api/v1/moderation/toilets/{toilet_id}/retire", json={"reason": "공사"},
                         headers=mod).json()["review"]["id"]
    other = login(client, make_account(db, "moderator"), "correct horse")
    r = post_json(client, f"/api/v1/moderation/reviews/{review}/second-review",
                  {"outcome": "overturn", "comment": "\u2067x"}, other)
    assert "comment" in fields_of(r)
