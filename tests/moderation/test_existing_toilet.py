"""Form v2's "this is that published toilet": the moderator sees the report as an update of it
(merge pre-selected), and "it is gone" as a retirement request that goes through second review."""

from __future__ import annotations

from sqlalchemy import text

from tests.factories import join_and_login, report_body_v2
from tests.moderation.helpers import claim_one, decide, moderator, submit


def _published(client, db, mod) -> str:
    report_id, _ = submit(client)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve")
    assert r.status_code == 200, r.text
    return r.json()["toilet_id"]


def _submit_v2(client, **overrides) -> int:
    r = client.post("/api/v1/reports", json=report_body_v2(**overrides), headers=join_and_login(client))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _second(client, db, first, review_id):
    other = moderator(db, client)
    assert other != first
    r = client.post(f"/api/v1/moderation/reviews/{review_id}/second-review", json={"outcome": "confirm"},
                    headers=other)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_report_about_a_published_toilet_opens_as_a_merge_into_it(client, db):
    mod = moderator(db, client)
    toilet_id = _published(client, db, mod)
    report_id = _submit_v2(client, **{"place.existing_toilet_id": toilet_id, "toilet.door_clear_width_cm": 95})
    item = claim_one(client, mod, report_id)
    assert item["suggested_decision"]["action"] == "merge"
    assert item["suggested_decision"]["toilet_id"] == toilet_id
    assert item["suggested_decision"]["toilet"]["name"] == "서울시청 본관 1층 장애인 화장실"
    view = client.get(f"/api/v1/moderation/reports/{report_id}", headers=mod).json()
    assert view["suggested_decision"] == item["suggested_decision"]
    # merge without naming the toilet: the one the report names; held for a second moderator
    r = decide(client, mod, report_id, action="merge")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["report_status"] == "pending_second_review" and out["review"]["toilet_id"] == toilet_id
    done = _second(client, db, mod, out["review"]["id"])
    assert done["published"] and done["toilet_version"] == 2 and done["toilet_id"] == toilet_id
    assert db.execute(text("SELECT status FROM reports WHERE id = :i"), {"i": report_id}).scalar_one() == "merged"
    # what the report said about itself is not a fact about the place: never published
    place = client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]["place"]
    assert "existing_toilet_id" not in place and "existing_toilet_gone" not in place


def test_a_report_saying_the_toilet_is_gone_is_a_retirement_request_through_second_review(client, db):
    mod = moderator(db, client)
    toilet_id = _published(client, db, mod)
    report_id = _submit_v2(client, **{"place.existing_toilet_id": toilet_id, "place.existing_toilet_gone": "closed"})
    item = claim_one(client, mod, report_id)
    s = item["suggested_decision"]
    assert (s["action"], s["toilet_id"], s["reason_ko"], s["reason_en"]) == (
        "retire", toilet_id, "제보: 폐쇄됨", "Report: closed")
    r = decide(client, mod, report_id, action="retire")  # the toilet and the reason come from the report
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["report_status"] == "pending_second_review" and not out["published"]
    assert "retire" in out["review"]["second_review_reasons"]
    assert out["review"]["comment"] == "제보: 폐쇄됨 / Report: closed"
    assert db.execute(text("SELECT status FROM toilets WHERE id = :t"), {"t": toilet_id}).scalar_one() == "active"
    _second(client, db, mod, out["review"]["id"])
    row = db.execute(text("SELECT status, retired_reason FROM toilets WHERE id = :t"), {"t": toilet_id}).one()
    assert row.status == "retired" and row.retired_reason == "제보: 폐쇄됨 / Report: closed"


def test_no_accessible_toilet_any_more_suggests_retiring_it(client, db):
    mod = moderator(db, client)
    toilet_id = _published(client, db, mod)
    report_id = _submit_v2(client, **{"place.existing_toilet_id": toilet_id, "toilet.arrangement": "none"})
    s = claim_one(client, mod, report_id)["suggested_decision"]
    assert s["action"] == "retire" and s["reason_en"] == "Report: no accessible toilet any more"


def test_a_toilet_retired_after_the_report_was_sent_is_offered_as_nothing(client, db):
    mod = moderator(db, client)
    toilet_id = _published(client, db, mod)
    report_id = _submit_v2(client, **{"place.existing_toilet_id": toilet_id})
    db.execute(text("UPDATE toilets SET status = 'retired', retired_reason = 'x' WHERE id = :t"), {"t": toilet_id})
    item = claim_one(client, mod, report_id)
    assert item["suggested_decision"]["action"] is None
    r = decide(client, mod, report_id, action="merge")
    assert r.status_code == 409 and r.json()["code"] == "toilet_retired"


def test_a_new_toilet_report_suggests_nothing(client, db):
    mod = moderator(db, client)
    report_id = _submit_v2(client)
    assert claim_one(client, mod, report_id)["suggested_decision"] is None
