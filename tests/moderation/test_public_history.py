"""Issue 11 item 9: the public toilet history carries published fields only."""

from __future__ import annotations

import json

from tests.factories import make_account, login
from tests.moderation.helpers import claim_one, decide, submit

NOTE_BEFORE = "비공개-메모-원본 private note as sent"
NOTE_AFTER = "비공개-메모-수정 private note edited"
COMMENT = "검수자-자유글 moderator free text"
SECOND = "2차-검토-의견 second reviewer free text"
RAW_ROUTE = [[126.977431, 37.566041], [126.977702, 37.566215], [126.977903, 37.566307]]  # only in `before`
NEW_ROUTE = [[126.97746, 37.56606], [126.97791, 37.56631]]


def test_public_history_has_no_unpublished_before_values_free_text_or_identities(client, db):
    first, _ = submit(client, notes=NOTE_BEFORE, **{"location.accuracy_m": 83.0625, "access_route.path": {
        "type": "LineString", "coordinates": RAW_ROUTE}, "access_route.obstacles": []})
    a_name, b_name = make_account(db, "moderator", "history-mod-a"), make_account(db, "moderator", "history-mod-b")
    a, b = login(client, a_name, "correct horse"), login(client, b_name, "correct horse")
    claim_one(client, a, first)
    r = decide(client, a, first, action="approve", comment=COMMENT, edits={
        "notes": NOTE_AFTER,
        "toilet.door_clear_width_cm": 95,
        "access_route.path": {"type": "LineString", "coordinates": NEW_ROUTE},
        "location": {"lon": 126.97791, "lat": 37.56631, "accuracy_m": 97.8125, "source": "map_pin"},
    })
    assert r.status_code == 200, r.text
    toilet_id = r.json()["toilet_id"]
    second, _ = submit(client, notes=NOTE_BEFORE)
    claim_one(client, a, second)
    review = decide(client, a, second, action="merge", merge_into=toilet_id, comment=COMMENT).json()["review"]["id"]
    assert client.post(f"/api/v1/moderation/reviews/{review}/second-review",
                       json={"outcome": "confirm", "comment": SECOND}, headers=b).status_code == 200
    retire = client.post(f"/api/v1/moderation/toilets/{toilet_id}/retire",
                         json={"reason": "폐쇄됨: 공사 중 closed for works"}, headers=a).json()["review"]["id"]
    assert client.post(f"/api/v1/moderation/reviews/{retire}/second-review",
                       json={"outcome": "confirm", "comment": SECOND}, headers=b).status_code == 200

    # the moderators' own view still has all of it (the data is there to leak)
    inside = json.dumps(client.get(f"/api/v1/reports/{first}/history", headers=a).json(), ensure_ascii=False)
    assert NOTE_BEFORE in inside and COMMENT in inside and a_name in inside

    h = client.get(f"/api/v1/toilets/{toilet_id}/history")
    assert h.status_code == 200
    body = h.json()
    text = json.dumps(body, ensure_ascii=False)
    # (the accuracies are numbers no timestamp or coordinate can contain: seconds stop at 59)
    for secret in (NOTE_BEFORE, NOTE_AFTER, COMMENT, SECOND, a_name, b_name, "83.0625", "97.8125", "map_pin"):
        assert secret not in text, secret
    assert "126.977431" not in text and "37.566041" not in text  # the volunteer's raw GPS trace
    for key in ("moderator", "moderator_id", "actor", "actor_id", "reason", "comment", "volunteer", "report_id"):
        assert f'"{key}"' not in text, key
    edits = body["versions"][0]["review_edits"]
    assert {"path": "toilet.door_clear_width_cm", "before": 100, "after": 95} in edits
    assert {"path": "access_route.path", "after": {"type": "LineString", "coordinates": NEW_ROUTE}} in edits
    assert {"path": "location", "after": {"lon": 126.97791, "lat": 37.56631}} in edits
    assert not [e for e in edits if e["path"] == "notes"]
    assert all("before" not in e for e in edits if e["path"] in ("location", "access_route.path"))
    # times are RFC 3339, as the response model says (schemathesis caught str()'s space form)
    assert all("T" in v["created_at"] for v in body["versions"]) and all("T" in c["changed_at"] for c in body["changes"])
    # the retirement's published reason is the version's retired_reason, as in the layer
    assert body["versions"][-1]["status"] == "retired"
    assert [e["action"] for e in body["events"]] == ["toilet.create", "toilet.update", "toilet.retire_requested",
                                                     "toilet.retire"]
