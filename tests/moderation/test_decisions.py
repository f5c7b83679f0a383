"""Each decision and each invalid transition, through the API, on the real PostGIS."""

from __future__ import annotations

from sqlalchemy import text

from tests.factories import count_rows, report_body
from tests.moderation.helpers import assert_error_shape, claim_one, decide, moderator, submit


def _snapshot(db) -> dict[str, int]:
    return {t: count_rows(db, t) for t in ("toilets", "toilet_versions", "change_log", "reviews", "audit_log")}


def test_approve_publishes_a_toilet_with_version_changelog_and_audit(client, db):
    report_id, _ = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["published"] and out["report_status"] == "approved" and out["toilet_version"] == 1
    toilet_id = out["toilet_id"]
    feature = client.get(f"/api/v1/toilets/{toilet_id}").json()
    assert feature["properties"]["verdict"] == "accessible"
    assert feature["properties"]["route"]["type"] == "LineString"
    version = db.execute(text("SELECT report_id, review_id FROM toilet_versions WHERE toilet_id = :t"),
                         {"t": toilet_id}).one()
    assert version.report_id == report_id and version.review_id == out["review"]["id"]
    ops = db.execute(text("SELECT entity, op FROM change_log WHERE entity_id = :t ORDER BY seq"),
                     {"t": toilet_id}).all()
    assert [tuple(o) for o in ops] == [("toilet", "create"), ("route", "create")]
    actions = db.execute(text("SELECT action FROM audit_log WHERE object_type IN ('report', 'toilet') AND object_id IN (:r, :t) ORDER BY id"),
                         {"r": str(report_id), "t": toilet_id}).scalars().all()
    assert actions == ["report.submit", "report.claim", "toilet.create", "report.approve"]


def test_approve_with_edits_stores_the_diff_and_publishes_the_edited_fields(client, db):
    report_id, _ = submit(client, **{"toilet.door_clear_width_cm": 85})
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve",
               edits={"toilet.door_clear_width_cm": 95, "place.name": "서울시청 본관 1층 화장실 (정제)",
                      "location": {"lon": 126.97785, "lat": 37.56628, "accuracy_m": 3, "source": "map_pin"}})
    assert r.status_code == 200, r.text
    review = r.json()["review"]
    assert {"path": "toilet.door_clear_width_cm", "before": 85, "after": 95} in review["edits"]
    props = client.get(f"/api/v1/toilets/{r.json()['toilet_id']}").json()
    assert props["properties"]["name"] == "서울시청 본관 1층 화장실 (정제)"
    assert props["properties"]["verdict"] == "accessible"
    assert props["geometry"]["coordinates"] == [126.97785, 37.56628]
    # the volunteer's own payload is untouched
    raw = db.execute(text("SELECT payload FROM reports WHERE id = :id"), {"id": report_id}).scalar_one()
    assert raw["toilet"]["door_clear_width_cm"] == 85


def test_edit_that_breaks_the_form_is_422_and_changes_nothing(client, db):
    report_id, _ = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    before = _snapshot(db)
    r = decide(client, mod, report_id, action="approve", edits={"toilet.grab_bars": "maybe"})
    assert_error_shape(r, 422)
    r = decide(client, mod, report_id, action="approve", edits={"location": {"lon": 127.5, "lat": 37.9,
                                                                              "source": "map_pin"}})
    assert_error_shape(r, 422)
    r = decide(client, mod, report_id, action="approve", edits={"volunteer_id": 1})
    assert_error_shape(r, 422, "invalid_edits")
    assert _snapshot(db) == before
    assert db.execute(text("SELECT status FROM reports WHERE id = :id"), {"id": report_id}).scalar_one() == "in_review"


def test_confirmed_criteria_lift_unknowns_but_never_a_failing_measurement(client, db):
    report_id, _ = submit(client, **{"toilet.emergency_bell": None})
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve", confirmed=["emergency_bell"])
    assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/toilets/{r.json()['toilet_id']}").json()["properties"]["verdict"] == "accessible"
    # one bar and no fold-down one: a failing measurement (one side + a fold-down bar would be unknown)
    report_id, _ = submit(client, **{"toilet.grab_bars": "one_side", "toilet.grab_bar_foldable": False})
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve", confirmed=["grab_bars"])
    verdict = client.get(f"/api/v1/toilets/{r.json()['toilet_id']}").json()["properties"]["verdict"]
    assert verdict == "partially_accessible"
    report_id, _ = submit(client)
    claim_one(client, mod, report_id)
    assert_error_shape(decide(client, mod, report_id, action="approve", confirmed=["vibes"]), 422)


def test_reject_needs_a_known_reason_code(client, db):
    report_id, volunteer = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    assert_error_shape(decide(client, mod, report_id, action="reject"), 422)
    assert_error_shape(decide(client, mod, report_id, action="reject", reason_code="ugly"), 422)
    assert_error_shape(decide(client, mod, report_id, action="reject", reason_code="other"), 422)
    r = decide(client, mod, report_id, action="reject", reason_code="not_a_toilet", comment="창고입니다")
    assert r.status_code == 200 and r.json()["report_status"] == "rejected"
    assert r.json()["review"]["reason_label"][1].startswith("Not a toilet")
    assert count_rows(db, "toilets") == 0
    assert client.get("/api/v1/reports/" + str(report_id), headers=volunteer).json()["status"] == "rejected"


def test_request_changes_shows_the_message_to_the_volunteer(client, db):
    report_id, volunteer = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    assert_error_shape(decide(client, mod, report_id, action="request_changes", message="  "), 422)
    r = decide(client, mod, report_id, action="request_changes", message="문 폭을 줄자로 재서 다시 보내 주세요.")
    assert r.status_code == 200 and r.json()["report_status"] == "changes_requested"
    mine = client.get(f"/api/v1/reports/{report_id}", headers=volunteer).json()
    assert mine["status"] == "changes_requested"
    assert mine["moderator_message"] == "문 폭을 줄자로 재서 다시 보내 주세요."
    # not claimable any more until the volunteer revises it
    assert client.post("/api/v1/moderation/claims", json={"count": 5}, headers=mod).json()["items"] == []


def test_only_the_claim_holder_may_decide_or_release(client, db):
    report_id, volunteer = submit(client)
    holder, other = moderator(db, client), moderator(db, client)
    claim_one(client, holder, report_id)
    before = _snapshot(db)
    assert_error_shape(decide(client, other, report_id, action="approve"), 403, "not_claim_holder")
    assert_error_shape(client.post(f"/api/v1/moderation/reports/{report_id}/release", headers=other),
                       403, "not_claim_holder")
    assert_error_shape(decide(client, volunteer, report_id, action="approve"), 403, "forbidden_role")
    assert_error_shape(client.post(f"/api/v1/moderation/reports/{report_id}/decision",
                                   json={"action": "approve"}), 401)
    assert _snapshot(db) == before


def test_invalid_transitions_are_409(client, db):
    report_id, _ = submit(client)
    mod = moderator(db, client)
    # unclaimed (queued) report
    assert_error_shape(decide(client, mod, report_id, action="approve"), 409, "invalid_transition")
    claim_one(client, mod, report_id)
    assert decide(client, mod, report_id, action="reject", reason_code="duplicate").status_code == 200
    # decided reports cannot be decided, released or re-decided
    for action in ({"action": "approve"}, {"action": "reject", "reason_code": "duplicate"},
                   {"action": "request_changes", "message": "x"}):
        assert_error_shape(decide(client, mod, report_id, **action), 409, "invalid_transition")
    assert_error_shape(client.post(f"/api/v1/moderation/reports/{report_id}/release", headers=mod), 409)
    assert_error_shape(decide(client, mod, 999_999, action="approve"), 404, "report_not_found")
    assert_error_shape(decide(client, mod, report_id, action="publish"), 422)


def test_merge_into_a_published_toilet_waits_for_second_review_then_updates_it(client, db):
    first_id, _ = submit(client)
    a, b = moderator(db, client), moderator(db, client)
    claim_one(client, a, first_id)
    toilet_id = decide(client, a, first_id, action="approve").json()["toilet_id"]
    second_id, _ = submit(client, **{"toilet.baby_changing_table": False, "place.floor": "1"})
    claim_one(client, a, second_id)
    assert_error_shape(decide(client, a, second_id, action="merge"), 422)
    assert_error_shape(decide(client, a, second_id, action="merge",
                              merge_into="00000000-0000-0000-0000-000000000000"), 404, "toilet_not_found")
    r = decide(client, a, second_id, action="merge", merge_into=toilet_id)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["report_status"] == "pending_second_review" and not out["published"]
    assert out["review"]["second_review_reasons"] == ["merge"]
    assert client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]["version"] == 1
    review_id = out["review"]["id"]
    pending = client.get("/api/v1/moderation/reviews", headers=b).json()["items"]
    assert [p["id"] for p in pending] == [review_id]
    # the first moderator may not be the second
    assert_error_shape(client.post(f"/api/v1/moderation/reviews/{review_id}/second-review",
                                   json={"outcome": "confirm"}, headers=a), 403, "second_reviewer_must_differ")
    r = client.post(f"/api/v1/moderation/reviews/{review_id}/second-review", json={"outcome": "confirm"}, headers=b)
    assert r.status_code == 200, r.text
    assert r.json()["report_status"] == "merged" and r.json()["toilet_version"] == 2
    props = client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]
    assert props["version"] == 2 and props["toilet"]["baby_changing_table"] is False
    # a decided review cannot be decided again
    assert_error_shape(client.post(f"/api/v1/moderation/reviews/{review_id}/second-review",
                                   json={"outcome": "overturn", "comment": "x"}, headers=b), 409)


def test_overturned_second_review_sends_the_report_back_and_publishes_nothing(client, db):
    first_id, _ = submit(client)
    a, b = moderator(db, client), moderator(db, client)
    claim_one(client, a, first_id)
    toilet_id = decide(client, a, first_id, action="approve").json()["toilet_id"]
    # a report that makes the accessible toilet partially accessible: needs a second review
    second_id, _ = submit(client, **{"toilet.grab_bars": "one_side"})
    claim_one(client, a, second_id)
    out = decide(client, a, second_id, action="merge", merge_into=toilet_id).json()
    assert out["review"]["second_review_reasons"] == ["merge", "accessible_downgrade"]
    changes_before = count_rows(db, "change_log")
    review_id = out["review"]["id"]
    assert_error_shape(client.post(f"/api/v1/moderation/reviews/{review_id}/second-review",
                                   json={"outcome": "overturn"}, headers=b), 422)
    r = client.post(f"/api/v1/moderation/reviews/{review_id}/second-review",
                    json={"outcome": "overturn", "comment": "사진상 손잡이가 양쪽에 있음"}, headers=b)
    assert r.status_code == 200 and r.json()["report_status"] == "queued"
    assert count_rows(db, "change_log") == changes_before
    props = client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]
    assert props["verdict"] == "accessible" and props["version"] == 1


def test_retire_waits_for_second_review_and_leaves_a_tombstone(client, db):
    report_id, _ = submit(client)
    a, b = moderator(db, client), moderator(db, client)
    claim_one(client, a, report_id)
    toilet_id = decide(client, a, report_id, action="approve").json()["toilet_id"]
    assert_error_shape(client.post(f"/api/v1/moderation/toilets/{toilet_id}/retire", json={"reason": " "},
                                   headers=a), 422)
    r = client.post(f"/api/v1/moderation/toilets/{toilet_id}/retire", json={"reason": "리모델링으로 철거됨"}, headers=a)
    assert r.status_code == 200 and not r.json()["published"]
    review_id = r.json()["review"]["id"]
    r = client.post(f"/api/v1/moderation/reviews/{review_id}/second-review", json={"outcome": "confirm"}, headers=b)
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/toilets").json()["numberMatched"] == 0
    assert client.get("/api/v1/toilets?include_retired=true").json()["features"][0]["properties"]["status"] == "retired"
    ops = db.execute(text("SELECT op FROM change_log WHERE entity = 'toilet' AND entity_id = :t ORDER BY seq"),
                     {"t": toilet_id}).scalars().all()
    assert ops == ["create", "retire"]
    history = client.get(f"/api/v1/toilets/{toilet_id}/history").json()
    assert [v["status"] for v in history["versions"]] == ["active", "retired"]
    assert "toilet.retire" in [e["action"] for e in history["events"]]


def test_a_report_saying_the_toilet_is_gone_retires_it_through_review(client, db):
    report_id, _ = submit(client)
    a, b = moderator(db, client), moderator(db, client)
    claim_one(client, a, report_id)
    toilet_id = decide(client, a, report_id, action="approve").json()["toilet_id"]
    gone_id, _ = submit(client, **{"toilet.arrangement": "none"})
    claim_one(client, a, gone_id)
    assert_error_shape(decide(client, a, gone_id, action="retire", toilet_id=toilet_id), 422)
    out = decide(client, a, gone_id, action="retire", toilet_id=toilet_id, comment="장애인 화장실 없어짐").json()
    assert out["report_status"] == "pending_second_review"
    r = client.post(f"/api/v1/moderation/reviews/{out['review']['id']}/second-review", json={"outcome": "confirm"},
                    headers=b)
    assert r.json()["report_status"] == "merged"
    assert client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]["status"] == "retired"


def test_second_review_rule_is_configurable(client, db, settings):
    settings.second_review_on_merge = False
    first_id, _ = submit(client)
    a = moderator(db, client)
    claim_one(client, a, first_id)
    toilet_id = decide(client, a, first_id, action="approve").json()["toilet_id"]
    second_id, _ = submit(client, **{"toilet.seat_height_cm": 45})
    claim_one(client, a, second_id)
    out = decide(client, a, second_id, action="merge", merge_into=toilet_id).json()
    assert out["published"] and out["report_status"] == "merged" and out["toilet_version"] == 2
    settings.second_review_on_new_toilet = True
    third_id, _ = submit(client, **{"place.name": "시청 별관 화장실"})
    claim_one(client, a, third_id)
    out = decide(client, a, third_id, action="approve").json()
    assert not out["published"] and out["review"]["second_review_reasons"] == ["new_toilet"]


def test_report_map_is_local_and_shows_nearby_toilets_and_pending_reports(client, db):
    a = moderator(db, client)
    published, _ = submit(client, **{"place.name": "이미 게시된 화장실"})
    claim_one(client, a, published)
    decide(client, a, published, action="approve")
    pending, _ = submit(client, **{"place.name": "다른 대기 제보"})
    report_id, _ = submit(client)
    r = client.get(f"/api/v1/moderation/reports/{report_id}/map", headers=a)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "/static/vendor/leaflet/leaflet.js" in html and "cdn" not in html.lower()
    assert "이미 게시된 화장실" in html and f"Pending report #{pending}" in html and f"This report #{report_id}" in html
    assert "접근로 Access route" in html
    assert_error_shape(client.get(f"/api/v1/moderation/reports/{report_id}/map"), 401)


def test_held_and_sent_back_reports_cannot_be_decided_or_claimed(client, db):
    first, _ = submit(client)
    a = moderator(db, client)
    claim_one(client, a, first)
    toilet_id = decide(client, a, first, action="approve").json()["toilet_id"]
    held, _ = submit(client, **{"toilet.seat_height_cm": 45})
    claim_one(client, a, held)
    decide(client, a, held, action="merge", merge_into=toilet_id)
    sent_back, _ = submit(client, **{"place.name": "보완 필요"})
    claim_one(client, a, sent_back)
    decide(client, a, sent_back, action="request_changes", message="층수를 알려 주세요")
    before = _snapshot(db)
    for report_id in (held, sent_back):
        assert_error_shape(decide(client, a, report_id, action="approve"), 409, "invalid_transition")
        assert_error_shape(client.post(f"/api/v1/moderation/reports/{report_id}/release", headers=a), 409)
    assert client.post("/api/v1/moderation/claims", json={"count": 10}, headers=a).json()["items"] == []
    assert _snapshot(db) == before


def test_request_changes_revision_round_trip_through_the_api(client, db):
    report_id, volunteer = submit(client, **{"toilet.door_clear_width_cm": None})
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    decide(client, mod, report_id, action="request_changes", message="문 폭을 재 주세요")
    revision = report_body(**{"toilet.door_clear_width_cm": 93})
    r = client.post(f"/api/v1/reports/{report_id}/revisions", json=revision, headers=volunteer)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "queued" and r.json()["revision"] == 2
    item = claim_one(client, mod, report_id)
    assert item["payload"]["toilet"]["door_clear_width_cm"] == 93 and item["revision"] == 2
    out = decide(client, mod, report_id, action="approve").json()
    assert out["review"]["report_revision"] == 2
    props = client.get(f"/api/v1/toilets/{out['toilet_id']}").json()["properties"]
    assert props["toilet"]["door_clear_width_cm"] == 93 and props["verdict"] == "accessible"
    reviews = client.get(f"/api/v1/reports/{report_id}/history", headers=mod).json()["reviews"]
    assert [(rv["action"], rv["report_revision"]) for rv in reviews] == [("request_changes", 1), ("approve", 2)]
