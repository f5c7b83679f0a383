"""The audit trail and the histories; one transaction per decision."""

from __future__ import annotations

from sqlalchemy import text

from tests.factories import count_rows
from tests.moderation.helpers import assert_error_shape, claim_one, decide, moderator, submit


def test_report_history_lists_every_step_with_who_for_moderators_only(client, db):
    report_id, volunteer = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    decide(client, mod, report_id, action="request_changes", message="바닥 사진을 더 보내 주세요")
    r = client.get(f"/api/v1/reports/{report_id}/history", headers=mod)
    assert r.status_code == 200
    events = r.json()["events"]
    assert [e["action"] for e in events] == ["report.submit", "report.claim", "report.request_changes"]
    assert events[0]["actor_role"] == "volunteer"
    assert events[2]["reason"] == "바닥 사진을 더 보내 주세요" and events[2]["actor"].startswith("moderator-")
    assert r.json()["reviews"][0]["action"] == "request_changes"
    own = client.get(f"/api/v1/reports/{report_id}/history", headers=volunteer).json()
    assert [e["action"] for e in own["events"]] == ["report.submit", "report.claim", "report.request_changes"]
    assert all("actor" not in e for e in own["events"]) and "moderator" not in own["reviews"][0]
    other_volunteer = submit(client)[1]
    assert_error_shape(client.get(f"/api/v1/reports/{report_id}/history", headers=other_volunteer), 404)
    assert_error_shape(client.get(f"/api/v1/reports/{report_id}/history"), 401)


def test_toilet_history_shows_versions_with_edits(client, db):
    first, _ = submit(client)
    a, b = moderator(db, client), moderator(db, client)
    claim_one(client, a, first)
    toilet_id = decide(client, a, first, action="approve",
                       edits={"place.opening_hours": "06:00~24:00"}).json()["toilet_id"]
    second, _ = submit(client, **{"toilet.seat_height_cm": 45})
    claim_one(client, a, second)
    review_id = decide(client, a, second, action="merge", merge_into=toilet_id).json()["review"]["id"]
    client.post(f"/api/v1/moderation/reviews/{review_id}/second-review", json={"outcome": "confirm"}, headers=b)
    h = client.get(f"/api/v1/toilets/{toilet_id}/history").json()
    assert [v["version"] for v in h["versions"]] == [1, 2]
    assert h["versions"][0]["review_edits"] == [{"path": "place.opening_hours", "before": "09:00~18:00",
                                                 "after": "06:00~24:00"}]
    assert h["versions"][1]["review_action"] == "merge" and h["versions"][1]["review_status"] == "confirmed"
    assert [c["op"] for c in h["changes"] if c["entity"] == "toilet"] == ["create", "update"]
    assert [e["action"] for e in h["events"]] == ["toilet.create", "toilet.update"]
    audit = db.execute(text("SELECT action, actor_id IS NOT NULL FROM audit_log WHERE object_type = 'review'")).all()
    assert [tuple(a) for a in audit] == [("review.confirm", True)]


def test_a_confirm_that_cannot_apply_changes_nothing(client, db):
    """The merge target was retired meanwhile: the confirm fails as a whole, the review stays pending."""
    first, _ = submit(client)
    a, b = moderator(db, client), moderator(db, client)
    claim_one(client, a, first)
    toilet_id = decide(client, a, first, action="approve").json()["toilet_id"]
    second, _ = submit(client, **{"toilet.seat_height_cm": 45})
    claim_one(client, a, second)
    merge_review = decide(client, a, second, action="merge", merge_into=toilet_id).json()["review"]["id"]
    retire_review = client.post(f"/api/v1/moderation/toilets/{toilet_id}/retire", json={"reason": "철거"},
                                headers=a).json()["review"]["id"]
    client.post(f"/api/v1/moderation/reviews/{retire_review}/second-review", json={"outcome": "confirm"}, headers=b)
    before = {t: count_rows(db, t) for t in ("toilet_versions", "change_log", "audit_log")}
    r = client.post(f"/api/v1/moderation/reviews/{merge_review}/second-review", json={"outcome": "confirm"},
                    headers=b)
    assert_error_shape(r, 409, "toilet_retired")
    assert {t: count_rows(db, t) for t in before} == before
    status = db.execute(text("SELECT status FROM reviews WHERE id = :id"), {"id": merge_review}).scalar_one()
    assert status == "pending"
    assert db.execute(text("SELECT status FROM reports WHERE id = :id"),
                      {"id": second}).scalar_one() == "pending_second_review"
