"""The finder's questions on the public API: `q`, `criteria` (open_now included) on the list and
nearby, every toilet's `criteria` and `verified_age`, and bilingual 422s for bad values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.exports.helpers import publish
from tests.factories import count_rows, report_body
from toilets.schemas import NearbyCollection, ToiletCollection, ToiletFeature
from toilets.service import create_toilet

GANGNAM = (127.0473, 37.5172)  # 강남구청 부근


def _names(resp) -> list[str]:
    assert resp.status_code == 200, resp.text
    return sorted(f["properties"]["name"] for f in resp.json()["features"])


def test_q_finds_name_building_address_and_district_in_korean_and_english(client, db):
    publish(db, **{"place.name": "시청 화장실"})
    publish(db, lon=GANGNAM[0], lat=GANGNAM[1], **{"place.name": "강남역 11번 출구", "place.building_name": "역사",
                                                   "place.road_address": "서울특별시 강남구 강남대로 396",
                                                   "place.lot_address": None, "place.district": "강남구"})
    assert _names(client.get("/api/v1/toilets", params={"q": "강남역"})) == ["강남역 11번 출구"]
    assert _names(client.get("/api/v1/toilets", params={"q": "세종대로"})) == ["시청 화장실"]  # road address
    assert _names(client.get("/api/v1/toilets", params={"q": "서울특별시청"})) == ["시청 화장실"]  # building
    assert _names(client.get("/api/v1/toilets", params={"q": "gangnam-gu"})) == ["강남역 11번 출구"]
    assert _names(client.get("/api/v1/toilets", params={"q": "jung-GU"})) == ["시청 화장실"]
    assert _names(client.get("/api/v1/toilets", params={"q": "중구 화장실"})) == ["시청 화장실"]  # every word
    assert _names(client.get("/api/v1/toilets", params={"q": "강남 화장실"})) == []
    assert _names(client.get("/api/v1/toilets", params={"q": "100%_"})) == []  # LIKE wildcards are literal
    assert len(_names(client.get("/api/v1/toilets", params={"q": "  "}))) == 2


def test_criteria_filter_the_list_and_nearby(client, db):
    publish(db, **{"place.name": "넓은 문", "place.opening_hours": "24시간"})
    publish(db, **{"place.name": "좁은 문", "toilet.door_clear_width_cm": 85, "place.opening_hours": "24시간"})
    publish(db, **{"place.name": "손잡이 한쪽", "toilet.grab_bars": "one_side", "place.opening_hours": "24시간"})
    r = client.get("/api/v1/toilets", params={"criteria": "door_90,grab_bars_both"})
    ToiletCollection.model_validate(r.json())
    assert _names(r) == ["넓은 문"] and r.json()["numberMatched"] == 1
    near = client.get("/api/v1/toilets/nearby", params={"lon": 126.9779, "lat": 37.5663, "radius_m": 300,
                                                        "criteria": "door_90"})
    NearbyCollection.model_validate(near.json())
    assert _names(near) == ["넓은 문", "손잡이 한쪽"]
    assert _names(client.get("/api/v1/toilets/nearby", params={"lon": 126.9779, "lat": 37.5663,
                                                               "q": "좁은"})) == ["좁은 문"]


def test_open_now_uses_the_time_in_seoul(client, db):
    now = datetime.now(ZoneInfo("Asia/Seoul"))

    def hhmm(dt: datetime) -> str:
        return dt.strftime("%H:%M")

    publish(db, **{"place.name": "지금 열림", "place.opening_hours":
                   f"{hhmm(now - timedelta(hours=1))}~{hhmm(now + timedelta(hours=1))}"})
    publish(db, **{"place.name": "지금 닫힘", "place.opening_hours":
                   f"{hhmm(now + timedelta(hours=2))}~{hhmm(now + timedelta(hours=3))}"})
    publish(db, **{"place.name": "시간 모름", "place.opening_hours": "(평일)09:00~18:00"})
    r = client.get("/api/v1/toilets", params={"criteria": "open_now"})
    assert _names(r) == ["지금 열림"]
    by = {f["properties"]["name"]: f["properties"]["criteria"]["open_now"]
          for f in client.get("/api/v1/toilets").json()["features"]}
    assert by == {"지금 열림": True, "지금 닫힘": False, "시간 모름": None}


def test_an_old_verification_says_it_is_ageing_with_its_date(client, db, settings):
    fresh = publish(db)
    old = create_toilet(db, payload=report_body(**{"place.name": "오래된 확인"}), report_id=None, review_id=None,
                        verified_at=datetime(2024, 3, 5, 1, 0, tzinfo=UTC))
    db.flush()
    one = client.get(f"/api/v1/toilets/{old.id}").json()
    ToiletFeature.model_validate(one)
    age = one["properties"]["verified_age"]
    assert age["ageing"] is True and age["verified_on"] == "2024-03-05"
    assert age["reverify_after_months"] == settings.reverify_after_months == 12 and age["months"] >= 12
    assert client.get(f"/api/v1/toilets/{fresh.id}").json()["properties"]["verified_age"]["ageing"] is False


def test_the_setting_moves_the_line(app, client, db):
    old = create_toilet(db, payload=report_body(), report_id=None, review_id=None,
                        verified_at=datetime.now(UTC) - timedelta(days=100))
    db.flush()
    app.state.settings = app.state.settings.model_copy(update={"reverify_after_months": 3})
    age = client.get(f"/api/v1/toilets/{old.id}").json()["properties"]["verified_age"]
    assert age["ageing"] is True and age["reverify_after_months"] == 3 and age["months"] == 3


@pytest.mark.parametrize("params, path", [
    ({"criteria": "door_90,wide"}, "criteria"),
    ({"criteria": "<script>"}, "criteria"),
    ({"q": "x" * 101}, "q"),
    ({"q": " ".join("abcdefghi")}, "q"),
    ({"q": "a\u0000b"}, "q"),
    ({"q": "\u202eevil"}, "q"),
])
def test_bad_finder_values_are_422_in_both_languages_and_change_nothing(client, db, params, path):
    before = count_rows(db, "toilets")
    for url in ("/api/v1/toilets", "/api/v1/toilets/nearby?lon=126.97&lat=37.56"):
        r = client.get(url, params=params)
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["code"] == "invalid_query" and body["fields"][0]["path"] == path
        assert body["fields"][0]["message_ko"] and body["fields"][0]["message_en"]
    assert count_rows(db, "toilets") == before


def test_the_districts_are_a_typed_feature_collection(client):
    from geo.schemas import DistrictCollection

    r = client.get("/api/v1/districts")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    body = DistrictCollection.model_validate(r.json())
    assert len(body.features) == 25
    assert {f.properties.name_en for f in body.features} >= {"Jung-gu", "Gangnam-gu"}


def test_a_toilet_serves_its_own_published_photos_only(client, db, settings):
    from tests.exports.helpers import report_with_photos
    from toilets.service import retire_toilet

    report, body, photos = report_with_photos(db, settings, kinds=("entrance", "interior"))
    toilet = create_toilet(db, payload=body, report_id=report.id, review_id=None)
    _, _, other = report_with_photos(db, settings, kinds=("door",))
    db.flush()
    names = client.get(f"/api/v1/toilets/{toilet.id}").json()["properties"]["photos"]
    assert names == [p.public_name for p in photos]
    base = f"/api/v1/toilets/{toilet.id}/photos"
    full, thumb = client.get(f"{base}/{names[0]}"), client.get(f"{base}/{names[1]}?size=thumb")
    assert full.status_code == 200 and thumb.status_code == 200 and len(thumb.content) <= len(full.content) * 4
    assert client.get(f"{base}/{other[0].public_name}").status_code == 404  # another report's photo
    assert client.get(f"{base}/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get(f"{base}/%00").status_code == 404
    assert client.get(f"{base}/{names[0]}?size=huge").status_code == 422
    retire_toilet(db, toilet=toilet, reason="철거", report_id=None, review_id=None)
    db.flush()
    assert client.get(f"{base}/{names[0]}").status_code == 404
