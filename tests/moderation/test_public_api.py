"""The public read API: GeoJSON, filters, paging, nearby; nothing pending, rejected or personal."""

from __future__ import annotations

import json

from tests.factories import join_and_login
from tests.moderation.helpers import assert_error_shape, claim_one, decide, moderator, submit

GANGNAM = {"location.lon": 127.0490, "location.lat": 37.5045, "place.district": "강남구",
           "place.road_address": "서울특별시 강남구 강남대로 396", "place.lot_address": "서울특별시 강남구 역삼동 858",
           "access_route.path": None, "access_route.obstacles": [], "place.name": "선릉역 화장실"}


def _publish(client, mod, **overrides) -> str:
    report_id, _ = submit(client, **overrides)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve")
    assert r.status_code == 200, r.text
    return r.json()["toilet_id"]


def test_only_published_toilets_appear_never_pending_or_rejected_reports(client, db):
    mod = moderator(db, client)
    nick = join_and_login(client, "비공개닉네임")
    report_id, _ = submit(client, nick)
    claim_one(client, mod, report_id)
    published = decide(client, mod, report_id, action="approve").json()["toilet_id"]
    rejected, _ = submit(client, nick, **{"place.name": "거절될 제보"})
    claim_one(client, mod, rejected)
    decide(client, mod, rejected, action="reject", reason_code="spam_or_abuse")
    in_review, _ = submit(client, **{"place.name": "검토 중 제보"})
    claim_one(client, mod, in_review)
    changes, _ = submit(client, **{"place.name": "보완 요청 제보"})
    claim_one(client, mod, changes)
    decide(client, mod, changes, action="request_changes", message="사진을 더 주세요")
    submit(client, **{"place.name": "대기 중 제보"})  # queued
    r = client.get("/api/v1/toilets")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and fc["numberMatched"] == 1
    assert [f["id"] for f in fc["features"]] == [published]
    text_out = json.dumps(fc, ensure_ascii=False)
    for name in ("거절될 제보", "대기 중 제보", "검토 중 제보", "보완 요청 제보"):
        assert name not in text_out
    # no volunteer identity: no ids, no nicknames, no report numbers
    for key in ("volunteer", "volunteer_id", "report_id", "client_submission_id"):
        assert f'"{key}"' not in text_out
    assert "비공개닉네임" not in text_out
    feature = client.get(f"/api/v1/toilets/{published}").json()
    assert "volunteer" not in json.dumps(feature) and "report_id" not in json.dumps(feature)
    history = json.dumps(client.get(f"/api/v1/toilets/{published}/history").json())
    assert "actor" not in history and "report_id" not in history and "moderator" not in history


def test_filters_bbox_district_verdict_and_paging(client, db):
    mod = moderator(db, client)
    jung = _publish(client, mod)
    partial = _publish(client, mod, **{"toilet.grab_bars": "one_side", "place.name": "시청 별관"})
    gangnam = _publish(client, mod, **GANGNAM)
    ids = lambda r: {f["id"] for f in r.json()["features"]}  # noqa: E731
    assert ids(client.get("/api/v1/toilets?district=강남구")) == {gangnam}
    assert ids(client.get("/api/v1/toilets?district=11140")) == {jung, partial}
    assert ids(client.get("/api/v1/toilets?district=Jung-gu")) == {jung, partial}
    assert ids(client.get("/api/v1/toilets?verdict=partially_accessible")) == {partial}
    assert ids(client.get("/api/v1/toilets?verdict=accessible,partially_accessible&district=11140")) == {jung, partial}
    assert ids(client.get("/api/v1/toilets?bbox=127.04,37.50,127.06,37.51")) == {gangnam}
    page1 = client.get("/api/v1/toilets?page_size=2").json()
    page2 = client.get("/api/v1/toilets?page_size=2&page=2").json()
    assert page1["numberMatched"] == 3 and page1["numberReturned"] == 2 and page1["has_next"]
    assert page2["numberReturned"] == 1 and not page2["has_next"]
    assert {f["id"] for f in page1["features"] + page2["features"]} == {jung, partial, gangnam}
    assert_error_shape(client.get("/api/v1/toilets?bbox=1,2,3"), 422, "invalid_query")
    assert_error_shape(client.get("/api/v1/toilets?bbox=127.1,37.5,127.0,37.6"), 422)
    assert_error_shape(client.get("/api/v1/toilets?district=Gotham"), 422)
    assert_error_shape(client.get("/api/v1/toilets?verdict=great"), 422)
    assert_error_shape(client.get("/api/v1/toilets?page=0"), 422)


def test_nearby_is_nearest_first_within_the_radius(client, db):
    mod = moderator(db, client)
    jung = _publish(client, mod)
    gangnam = _publish(client, mod, **GANGNAM)
    r = client.get("/api/v1/toilets/nearby?lon=126.9779&lat=37.5663&radius_m=200")
    features = r.json()["features"]
    assert [f["id"] for f in features] == [jung] and features[0]["properties"]["distance_m"] < 200
    r = client.get("/api/v1/toilets/nearby?lon=126.9779&lat=37.5663&radius_m=5000")
    assert [f["id"] for f in r.json()["features"]] == [jung]  # 선릉 is ~8 km away
    r = client.get("/api/v1/toilets/nearby?lon=127.0485&lat=37.5040&radius_m=500")
    assert [f["id"] for f in r.json()["features"]] == [gangnam]
    assert_error_shape(client.get("/api/v1/toilets/nearby?lon=126.97&lat=37.56&radius_m=0"), 422)
    assert_error_shape(client.get("/api/v1/toilets/nearby?lon=200&lat=37.56"), 422)
    assert_error_shape(client.get("/api/v1/toilets/nearby?lat=37.56"), 422)


def test_unknown_toilet_is_404_in_the_error_shape(client):
    assert_error_shape(client.get("/api/v1/toilets/00000000-0000-0000-0000-000000000000"), 404, "toilet_not_found")
    assert_error_shape(client.get("/api/v1/toilets/00000000-0000-0000-0000-000000000000/history"), 404)
    # a path that does not parse names nothing, like one that matches no row (issue 11)
    assert_error_shape(client.get("/api/v1/toilets/not-a-uuid"), 404, "not_found")
