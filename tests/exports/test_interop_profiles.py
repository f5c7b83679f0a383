"""Issue 15 item 5: the interop profiles. `a11yjson` features validate against the published
A11yJSON schema (npm @sozialhelden/a11yjson, run in node, strictly: nothing cleaned first);
`osm` tags follow the OSM wiki and never say wheelchair=yes unless the verdict is accessible;
unknown is no key; crowd text is neutralised in CSV. A hand-made expected item for each."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from core.errors import DomainError
from exports.profiles.osm import TAG_KEYS
from exports.request import parse_request
from tests.exports.helpers import export_bytes, export_json, publish
from tests.hostile_text import report_fields

VALIDATOR = Path(__file__).with_name("a11yjson_validate.mjs")
ROOT = Path(__file__).resolve().parents[2]


def a11yjson_errors(features: list[dict]) -> list[list[dict]]:
    """Each feature's PlaceInfo (the Feature envelope's `type` and `id` set aside) checked by the
    A11yJSON package's own schema; one list of errors per feature."""
    places = [{k: v for k, v in f.items() if k not in ("type", "id")} for f in features]
    out = subprocess.run(["node", str(VALIDATOR)], input=json.dumps(places), capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return json.loads(out.stdout)


def _four_verdicts(db):
    """One published toilet per verdict."""
    return {
        "accessible": publish(db),
        "partially_accessible": publish(db, lon=126.9783, lat=37.5668, **{
            "toilet.grab_bars": "one_side", "toilet.grab_bar_foldable": False}),
        "not_accessible": publish(db, lon=126.9790, lat=37.5670, **{"toilet.door_clear_width_cm": 70}),
        "unknown": publish(db, lon=126.9795, lat=37.5672, **{
            "toilet.door_clear_width_cm": None, "toilet.turning_space_150cm": None, "toilet.grab_bars": None,
            "toilet.grab_bar_foldable": None, "toilet.seat_height_cm": None, "toilet.baby_changing_table": None,
            "toilet.washbasin_accessible": None, "access_route.entrance_step_free": None,
            "access_route.entrance_door": None, "toilet.door_type": None, "toilet.threshold_height_cm": None}),
    }


def _by_id(doc):
    return {f["id"]: f for f in doc["features"]}


def test_a11yjson_item_by_hand(db, settings):
    toilet = publish(db)
    f = export_json(db, settings, layer="toilets", fmt="geojson", profile="a11yjson")["features"][0]
    assert f["type"] == "Feature" and f["id"] == str(toilet.id)
    assert f["geometry"] == {"type": "Point", "coordinates": [126.9779, 37.5663]}
    assert f["properties"] == {
        "category": "toilets",
        "name": {"ko": "서울시청 본관 1층 장애인 화장실"},
        "description": {"ko": "안내데스크 왼쪽"},
        "address": {"text": {"ko": "서울특별시 중구 세종대로 110"}, "building": {"ko": "서울특별시청"},
                    "levelName": {"ko": "1"}, "district": {"ko": "중구", "en": "Jung-gu"},
                    "city": {"ko": "서울특별시", "en": "Seoul"}, "countryCode": "KOR"},
        "originalId": str(toilet.id),
        "accessibility": {
            "wheelchairAccessibilityGrade": "fully",
            "accessibleWith": {"wheelchair": True},
            "entrances": [{"properties": {"isMainEntrance": True, "isLevel": True, "door": {
                "isAutomatic": True, "isSliding": False, "isRevolving": False}}}],
            "restrooms": [{
                "isAccessibleWithWheelchair": True,
                "entrance": {"door": {"width": {"value": 100, "unit": "cm"},
                                      "thresholdHeight": {"value": 0, "unit": "cm"},
                                      "isAutomatic": True, "isSliding": False}},
                "turningSpaceInside": {"value": 150, "unit": "cm", "operator": ">="},
                "hasSupportRails": True,
                "toilet": {"heightOfBase": {"value": 43, "unit": "cm"},
                           "grabBars": {"onUsersLeftSide": True, "onUsersRightSide": True, "foldable": True}},
                "hasChangingTableForBabies": True,
                "washBasin": {"accessibleWithWheelchair": True},
            }],
        },
    }
    assert a11yjson_errors([f]) == [[]]


def test_every_a11yjson_feature_passes_the_published_schema_and_unknown_is_left_out(db, settings):
    toilets = _four_verdicts(db)
    doc = export_json(db, settings, layer="toilets", fmt="geojson", profile="a11yjson")
    assert a11yjson_errors(doc["features"]) == [[]] * 4
    by = _by_id(doc)
    grades = {v: by[str(t.id)]["properties"]["accessibility"].get("wheelchairAccessibilityGrade")
              for v, t in toilets.items()}
    assert grades == {"accessible": "fully", "partially_accessible": "partially", "not_accessible": "not",
                      "unknown": None}
    unknown = by[str(toilets["unknown"].id)]["properties"]["accessibility"]
    restroom = unknown["restrooms"][0]
    assert "isAccessibleWithWheelchair" not in restroom and "turningSpaceInside" not in restroom
    assert restroom["entrance"]["door"] == {} and "heightOfBase" not in restroom["toilet"]
    assert "partiallyAccessibleWith" not in unknown and "accessibleWith" not in unknown
    assert "null" not in json.dumps(doc["features"])
    partial = by[str(toilets["partially_accessible"].id)]["properties"]["accessibility"]
    assert partial["partiallyAccessibleWith"] == {"wheelchair": True}
    # one bar, side not recorded: no side claimed, but support rails are there
    assert partial["restrooms"][0]["toilet"]["grabBars"] == {"foldable": False}
    assert partial["restrooms"][0]["hasSupportRails"] is True


def test_the_validator_is_not_a_rubber_stamp(db, settings):
    publish(db)
    f = export_json(db, settings, layer="toilets", fmt="geojson", profile="a11yjson")["features"][0]
    f["properties"]["accessibility"]["restrooms"][0]["turningSpaceInside"]["unit"] = "kg"
    f["properties"]["tapeColour"] = "red"
    names = {e["name"] for e in a11yjson_errors([f])[0]}
    assert names == {"turningSpaceInside.unit", "properties.tapeColour"}


def test_hostile_text_still_validates_and_travels_unchanged_in_json(db, settings):
    names = set()
    for i in range(4):
        fields = report_fields("a11y", i)
        names.add(fields["place.name"])
        publish(db, lon=126.97 + i / 1000, lat=37.56, **fields)
    doc = export_json(db, settings, layer="toilets", fmt="geojson", profile="a11yjson")
    assert a11yjson_errors(doc["features"]) == [[]] * 4
    assert {f["properties"]["name"]["ko"] for f in doc["features"]} == names
    osm = export_json(db, settings, layer="toilets", fmt="geojson", profile="osm")
    assert {f["properties"]["name"] for f in osm["features"]} == names


def test_a11yjson_csv_one_row_per_toilet_and_neutralised(db, settings):
    toilet = publish(db, **{"place.name": "=HYPERLINK(\"http://evil.example\",\"x\")"})
    rows = list(csv.DictReader(io.StringIO(export_bytes(db, settings, layer="toilets", fmt="csv",
                                                       profile="a11yjson").decode())))
    assert list(rows[0]) == ["id", "name", "lon", "lat", "wheelchairAccessibilityGrade", "properties"]
    assert rows[0]["id"] == str(toilet.id) and rows[0]["name"].startswith("'=")
    assert rows[0]["lon"] == "126.9779000" and rows[0]["wheelchairAccessibilityGrade"] == "fully"
    props = json.loads(rows[0]["properties"])
    assert props["accessibility"]["restrooms"][0]["entrance"]["door"]["width"] == {"value": 100, "unit": "cm"}


def test_osm_tags_by_hand(db, settings):
    toilet = publish(db, **{"place.opening": "always", "place.floor": "B1"})
    f = export_json(db, settings, layer="toilets", fmt="geojson", profile="osm")["features"][0]
    assert f["id"] == str(toilet.id) and f["geometry"]["type"] == "Point"
    assert f["properties"] == {
        "amenity": "toilets", "name": "서울시청 본관 1층 장애인 화장실", "wheelchair": "yes",
        "toilets:wheelchair": "yes", "door:width": "1", "changing_table": "yes", "opening_hours": "24/7",
        "male": "yes", "female": "yes", "level": "-1", "level:ref": "B1",
        "check_date": toilet.last_verified_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul")).strftime(
            "%Y-%m-%d"),
    }


@pytest.mark.parametrize(("overrides", "tags"), [
    ({"toilet.door_clear_width_cm": 90}, {"door:width": "0.9"}),
    ({"toilet.door_clear_width_cm": 92.5}, {"door:width": "0.925"}),
    ({"toilet.door_clear_width_cm": None}, {"door:width": None, "wheelchair": None, "toilets:wheelchair": None}),
    ({"toilet.arrangement": "unisex_accessible"}, {"unisex": "yes", "male": None, "female": None}),
    ({"toilet.baby_changing_table": False}, {"changing_table": "no"}),
    ({"toilet.baby_changing_table": None}, {"changing_table": None}),
    ({"place.opening": "business_hours"}, {"opening_hours": None}),  # free text is no opening_hours syntax
    ({"place.floor": "3"}, {"level": "2", "level:ref": "3"}),
    ({"place.floor": "로비층"}, {"level": None, "level:ref": "로비층"}),
    ({"toilet.grab_bars": "one_side", "toilet.grab_bar_foldable": False},
     {"wheelchair": "limited", "toilets:wheelchair": None}),
    ({"toilet.door_clear_width_cm": 70}, {"wheelchair": "no", "toilets:wheelchair": "no"}),
])
def test_osm_tag_values(db, settings, overrides, tags):
    publish(db, **overrides)
    props = export_json(db, settings, layer="toilets", fmt="geojson", profile="osm")["features"][0]["properties"]
    for key, value in tags.items():
        assert props.get(key) == value, key
    assert None not in props.values()  # unknown is no tag


def test_osm_never_claims_wheelchair_yes_unless_accessible(db, settings):
    toilets = _four_verdicts(db)
    by = _by_id(export_json(db, settings, layer="toilets", fmt="geojson", profile="osm"))
    got = {v: (by[str(t.id)]["properties"].get("wheelchair"), by[str(t.id)]["properties"].get("toilets:wheelchair"))
           for v, t in toilets.items()}
    assert got == {"accessible": ("yes", "yes"), "partially_accessible": ("limited", None),
                   "not_accessible": ("no", "no"), "unknown": (None, None)}
    for t in toilets.values():
        tags = by[str(t.id)]["properties"]
        assert (tags.get("wheelchair") == "yes") == (t.verdict == "accessible")
        assert (tags.get("toilets:wheelchair") == "yes") == (t.verdict == "accessible")


def test_osm_tag_csv(db, settings):
    toilet = publish(db, **{"place.name": "@SUM(1+1)*cmd|' /C calc'!A0"})
    rows = list(csv.DictReader(io.StringIO(export_bytes(db, settings, layer="toilets", fmt="csv",
                                                       profile="osm").decode())))
    assert list(rows[0]) == ["id", "lon", "lat", *TAG_KEYS]
    row = rows[0]
    assert row["id"] == str(toilet.id) and row["lat"] == "37.5663000"
    assert row["name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"  # neutralised (csv_safe)
    assert (row["amenity"], row["wheelchair"], row["door:width"]) == ("toilets", "yes", "1")
    assert row["opening_hours"] == ""  # unknown: an empty cell


@pytest.mark.parametrize("profile", ["a11yjson", "osm"])
def test_interop_profiles_offer_toilets_only(profile):
    with pytest.raises(DomainError) as e:
        parse_request(layer="routes", fmt="geojson", profile=profile)
    assert e.value.fields[0].path == "layer"
    with pytest.raises(DomainError):
        parse_request(layer="toilets", fmt="json", profile=profile)
