"""Each profile's mapping, slot by slot, against hand-made expected items."""

from __future__ import annotations

import csv
import io

from tests.exports.helpers import export_bytes, export_json, publish, report_with_photos
from toilets.service import create_toilet, retire_toilet


def _only(fc: dict) -> dict:
    assert len(fc["features"]) == 1
    return fc["features"][0]


def test_smart_seoul_map_toilet_item_matches_every_slot(db, settings):
    report, body, photos = report_with_photos(db, settings, kinds=("interior", "entrance", "door"))
    toilet = create_toilet(db, payload=body, report_id=report.id, review_id=None)
    db.flush()
    db.refresh(toilet)
    kst_date = toilet.last_verified_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul"))
    created = toilet.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul"))
    by_kind = {p.kind: f"{p.id}.png" for p in photos}
    expected = {
        "COT_THEME_ID": "reachable-toilets", "COT_THEME_SUB_ID": "", "COT_CONTS_ID": str(toilet.id),
        "COT_CONTS_NAME": "서울시청 본관 1층 장애인 화장실", "COT_CONTS_LAN_TYPE": "KOR",
        "COT_COORD_X": "126.9779000", "COT_COORD_Y": "37.5663000", "COT_COORD_TYPE": "1", "COT_COORD_DATA": "",
        "COT_LINE_COLOR": "", "COT_LINE_WEIGHT": "", "COT_LINE_PATTERN": "",
        "COT_ADDR_FULL_NEW": "서울특별시 중구 세종대로 110", "COT_ADDR_FULL_OLD": "서울특별시 중구 태평로1가 31",
        "COT_SI_NAME": "서울특별시", "COT_GU_NAME": "중구", "COT_DONG_NAME": "", "COT_TEL_NO": "",
        "COT_KW": "공공기관",
        "COT_NAME_01": "이용성별", "COT_VALUE_01": "남녀 각각",
        "COT_NAME_02": "추천접근로", "COT_VALUE_02": "접근로 단차 없음, 건물 입구 무단차, 입구 자동문, 승강기 있음, 장애물 1곳",
        "COT_NAME_03": "사용가능여부", "COT_VALUE_03": "사용가능",
        "COT_NAME_04": "화장실입구구조", "COT_VALUE_04": "무단차/경사로",
        "COT_NAME_05": "내부가로너비", "COT_VALUE_05": "200cm",
        "COT_NAME_06": "내부세로너비", "COT_VALUE_06": "210cm",
        "COT_NAME_07": "대변기출입문", "COT_VALUE_07": "자동문",
        "COT_NAME_08": "대변기옆공간", "COT_VALUE_08": "휠체어 활동공간(150×150cm) 있음",
        "COT_NAME_09": "세면대아래공간", "COT_VALUE_09": "휠체어 사용 가능",
        "COT_NAME_10": "세면대손잡이", "COT_VALUE_10": "",
        "COT_NAME_11": "기타참고사항", "COT_VALUE_11": "업무시간 개방 09:00~18:00 / 기저귀교환대 있음 / 손잡이 접이식",
        "COT_NAME_12": "상세주소", "COT_VALUE_12": "서울특별시청 1층 안내데스크 왼쪽",
        "COT_NAME_13": "출입문유효폭", "COT_VALUE_13": "100cm",
        "COT_NAME_14": "출입구턱높이", "COT_VALUE_14": "0cm",
        "COT_NAME_15": "대변기손잡이", "COT_VALUE_15": "양쪽",
        "COT_NAME_16": "비상벨", "COT_VALUE_16": "있음(바닥에서도 사용 가능)",
        "COT_NAME_17": "변기높이", "COT_VALUE_17": "43cm",
        "COT_NAME_18": "접근성판정", "COT_VALUE_18": "접근 가능",
        "COT_NAME_19": "최종확인일", "COT_VALUE_19": kst_date.strftime("%Y-%m-%d"),
        "COT_NAME_20": "접근로단차", "COT_VALUE_20": "없음",
        # entrance first, then door, interior: the main photo shows the way in
        "COT_IMG_MAIN_URL": f"/reachable/photos/{by_kind['entrance']}",
        "COT_IMG_MAIN_URL2": f"/reachable/photos/{by_kind['door']}",
        "COT_IMG_MAIN_URL3": f"/reachable/photos/{by_kind['interior']}",
        "COT_IMG_MAIN_URL4": "", "COT_IMG_MAIN_URL5": "",
        "COT_REG_DATE": created.strftime("%Y-%m-%d %H:%M:%S") + ".0",
        "COT_UPDATE_DATE": created.strftime("%Y-%m-%d %H:%M:%S") + ".0",
        "x_status": "active", "x_version": "1", "x_verdict": "accessible", "x_district_code": "11140",
        "x_full_name": "서울시청 본관 1층 장애인 화장실", "x_full_addr_new": "서울특별시 중구 세종대로 110",
        "x_full_addr_old": "서울특별시 중구 태평로1가 31",
        # the reasons, where the profile has room for them: our metadata, one line per language
        "x_verdict_reasons_ko": "; ".join(r["text"]["ko"] for r in toilet.verdict_reasons),
        "x_verdict_reasons_en": "; ".join(r["text"]["en"] for r in toilet.verdict_reasons),
    }
    feature = _only(export_json(db, settings, layer="toilets", fmt="geojson", profile="smart-seoul-map"))
    assert list(feature["properties"]) == list(expected)  # the order is part of the profile
    for key, value in expected.items():
        assert feature["properties"][key] == value, key
    assert feature["id"] == str(toilet.id)
    assert feature["geometry"] == {"type": "Point", "coordinates": [126.9779, 37.5663]}
    # nothing about the volunteer travels
    text = export_bytes(db, settings, layer="toilets", fmt="geojson", profile="smart-seoul-map").decode()
    assert str(report.volunteer_id) not in (feature["properties"]["COT_CONTS_ID"],)
    assert report.client_submission_id.hex not in text and str(report.client_submission_id) not in text


def test_smart_seoul_map_unknown_stays_blank_and_folding_door_is_explained(db, settings):
    publish(db, **{"toilet.door_type": "folding", "toilet.interior_width_cm": None, "toilet.threshold_height_cm": None,
                   "toilet.turning_space_150cm": None, "toilet.washbasin_accessible": None,
                   "toilet.arrangement": None, "toilet.seat_height_cm": None})
    p = _only(export_json(db, settings, layer="toilets", fmt="geojson", profile="smart-seoul-map"))["properties"]
    assert p["COT_VALUE_07"] == "기타(접이문)" and "접이문" in p["COT_VALUE_11"]
    assert p["COT_VALUE_01"] == ""  # arrangement unknown: no guess
    assert p["COT_VALUE_03"] == ""  # verdict unknown → usability not claimed
    assert p["COT_VALUE_18"] == "판정 보류(정보 부족)"
    # why, in our metadata: the unknowns say so, never a guess
    assert "장애인 화장실: 확인 안 됨" in p["x_verdict_reasons_ko"].split("; ")
    assert "Threshold height: not checked" in p["x_verdict_reasons_en"].split("; ")
    for slot in ("04", "05", "08", "09", "17"):
        assert p[f"COT_VALUE_{slot}"] == "", slot
    assert p["COT_VALUE_06"] == "210cm"
    # (a toilet without an address is not exported at all: tests/exports/test_ssm_completeness.py)


def test_smart_seoul_map_threshold_door_and_sex_vocabulary(db, settings):
    publish(db, **{"toilet.threshold_height_cm": 3, "toilet.door_type": "hinged_outward",
                   "toilet.arrangement": "unisex_accessible", "toilet.grab_bars": "one_side"})
    p = _only(export_json(db, settings, layer="toilets", fmt="geojson", profile="smart-seoul-map"))["properties"]
    assert p["COT_VALUE_04"] == "단차(턱)/계단"
    assert p["COT_VALUE_07"] == "여닫이문(바깥쪽)"
    assert p["COT_VALUE_01"] == "남녀공용"
    assert p["COT_VALUE_03"] == "사용가능(일부 불편)" and p["COT_VALUE_15"] == "한쪽"


def test_long_name_and_address_are_clipped_with_the_full_text_kept(db, settings):
    long_name = "가" * 70
    long_addr = "서울특별시 중구 세종대로 110 " + "나" * 60
    publish(db, **{"place.name": long_name, "place.road_address": long_addr})
    p = _only(export_json(db, settings, layer="toilets", fmt="geojson", profile="smart-seoul-map"))["properties"]
    assert len(p["COT_CONTS_NAME"]) == 64 and p["COT_CONTS_NAME"].endswith("…")
    assert p["x_full_name"] == long_name
    assert len(p["COT_ADDR_FULL_NEW"]) == 64 and p["x_full_addr_new"] == long_addr
    rows = list(csv.DictReader(io.StringIO(export_bytes(
        db, settings, layer="toilets", fmt="csv", profile="smart-seoul-map").decode())))
    assert rows[0]["cot_conts_name"] == p["COT_CONTS_NAME"] and rows[0]["x_full_name"] == long_name


def test_retired_toilet_stays_in_smart_seoul_map_marked_unusable_but_not_in_geojson(db, settings):
    toilet = publish(db)
    retire_toilet(db, toilet=toilet, reason="리모델링으로 폐쇄", report_id=None, review_id=None)
    db.flush()
    p = _only(export_json(db, settings, layer="toilets", fmt="geojson", profile="smart-seoul-map"))["properties"]
    assert p["COT_VALUE_03"] == "사용불가(폐쇄)" and p["x_status"] == "retired"
    assert "폐쇄: 리모델링으로 폐쇄" in p["COT_VALUE_11"]
    assert export_json(db, settings, layer="toilets", fmt="geojson", profile="geojson")["features"] == []
    route = _only(export_json(db, settings, layer="routes", fmt="geojson", profile="smart-seoul-map"))
    assert route["properties"]["x_status"] == "retired"


def test_smart_seoul_map_route_item(db, settings):
    toilet = publish(db, **{"access_route.step_free": "partial"})
    f = _only(export_json(db, settings, layer="routes", fmt="geojson", profile="smart-seoul-map"))
    p = f["properties"]
    coords = [[126.97745, 37.56605], [126.9777, 37.56622], [126.9779, 37.5663]]
    assert f["geometry"] == {"type": "LineString", "coordinates": coords}
    assert p["COT_CONTS_ID"] == str(toilet.id) and p["COT_COORD_TYPE"] == "3"
    assert __import__("json").loads(p["COT_COORD_DATA"]) == coords
    assert (p["COT_COORD_X"], p["COT_COORD_Y"]) == ("126.9774500", "37.5660500")  # the street end
    assert (p["COT_LINE_COLOR"], p["COT_LINE_WEIGHT"], p["COT_LINE_PATTERN"]) == ("#F39C12", "4", "D")
    assert [p[f"COT_NAME_{i:02d}"] for i in range(1, 7)] == ["접근로단차", "승강기", "경사로기울기", "장애물", "길이", "화장실"]
    assert [p[f"COT_VALUE_{i:02d}"] for i in range(1, 7)] == [
        "일부 있음", "승강기 있음", "", "1곳", "49m", "서울시청 본관 1층 장애인 화장실"]


def test_geojson_profile_uses_our_field_names(db, settings):
    report, body, photos = report_with_photos(db, settings, kinds=("door",))
    toilet = create_toilet(db, payload=body, report_id=report.id, review_id=None)
    db.flush()
    f = _only(export_json(db, settings, layer="toilets", fmt="geojson", profile="geojson"))
    p = f["properties"]
    assert list(p) == ["id", "version", "status", "retired_reason", "name", "building_name", "floor",
                       "district_code", "district_name_ko", "district_name_en", "verdict", "verdict_reasons",
                       "last_verified_at", "reverify_due_on",
                       "created_at", "updated_at", "place", "toilet", "access_route", "main_photo_url", "photo_urls"]
    assert p["id"] == str(toilet.id) and p["version"] == 1 and p["retired_reason"] is None
    assert p["district_name_en"] == "Jung-gu" and p["verdict"] == "accessible"
    assert p["place"] == body["place"] and p["toilet"] == body["toilet"]
    expected_route = {k: v for k, v in body["access_route"].items() if k != "path"}
    assert p["access_route"] == expected_route
    assert p["toilet"]["door_clear_width_cm"] == 100 and p["access_route"]["ramp_slope_percent"] is None
    assert p["main_photo_url"] == f"/reachable/photos/{photos[0].id}.png"
    assert p["photo_urls"] == [p["main_photo_url"]]
    assert p["last_verified_at"].endswith("Z")
    assert p["verdict_reasons"] == toilet.verdict_reasons  # as stored with the version, structured
    route = _only(export_json(db, settings, layer="routes", fmt="geojson", profile="geojson"))
    assert route["properties"]["toilet_id"] == str(toilet.id) and route["properties"]["length_m"] == 48.8


def test_geojson_profile_csv_flattens_groups(db, settings):
    publish(db, **{"toilet.seat_height_cm": None})
    rows = list(csv.DictReader(io.StringIO(export_bytes(db, settings, layer="toilets", fmt="csv",
                                                       profile="geojson").decode())))
    assert rows[0]["toilet.door_clear_width_cm"] == "100" and rows[0]["toilet.seat_height_cm"] == ""
    assert rows[0]["toilet.turning_space_150cm"] == "true" and rows[0]["lon"] == "126.9779000"
    assert __import__("json").loads(rows[0]["access_route.obstacles"])[0]["kind"] == "heavy_door"
    reasons = __import__("json").loads(rows[0]["verdict_reasons"])
    assert [r["criterion"] for r in reasons][:2] == ["arrangement", "step_free"]
    assert rows[0]["verdict_reasons_ko"] == "; ".join(r["text"]["ko"] for r in reasons)
    assert "출입문 유효폭 100 cm ≥ 90 cm" in rows[0]["verdict_reasons_ko"]
    assert "Door clear width 100 cm ≥ 90 cm" in rows[0]["verdict_reasons_en"]
