"""Issue 11 item 3: CSV cells a spreadsheet would run as a formula are neutralised (OWASP: one
single quote before =, +, -, @, tab, CR) in text columns only; numbers stay numbers; the
known consumer's rules still hold. JSON exports carry the text unchanged."""

from __future__ import annotations

import csv
import io

import pytest

from exports.consumer_check import check_csv_bytes
from exports.profiles import PROFILES
from tests.exports.helpers import export_bytes, export_json, publish

FORMULAS = {
    "place.name": "=HYPERLINK(\"http://evil.example\",\"click\")",
    "place.building_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "place.road_address": "+82 서울특별시 중구 세종대로 110",
    "place.lot_address": "-2+3+cmd|' /C calc'!A0",
    "place.location_detail": "\t=1+1",
    "place.opening_hours": "\r=1+1",
}
TRIGGERS = tuple("=+-@\t\r")


def _rows(raw: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def _hostile(db):
    # straight into the published layer, as old data or an import could hold it (the API would
    # have cleaned the tab and CR away, core.text): the export must be safe on its own
    toilet = publish(db, **FORMULAS, **{"toilet.threshold_height_cm": -1, "access_route.ramp_slope_percent": -4.5})
    long_name = "=" + "가" * 80  # clipped for the consumer, then quoted: still within 64
    publish(db, lon=127.0473, lat=37.5172, **{"place.name": long_name, "place.road_address": "=" + "나" * 70,
                                              "place.lot_address": "-" + "다" * 70})
    return toilet


@pytest.mark.parametrize(("profile", "layer", "since"), [
    ("smart-seoul-map", "toilets", None), ("smart-seoul-map", "toilets", 0), ("smart-seoul-map", "routes", None),
    ("geojson", "toilets", None), ("geojson", "toilets", 0), ("geojson", "routes", None)])
def test_no_text_cell_starts_a_formula(db, settings, profile, layer, since):
    _hostile(db)
    rows = _rows(export_bytes(db, settings, layer=layer, fmt="csv", profile=profile, since=since))
    assert rows
    numbers = {c.key.lower() if profile == "smart-seoul-map" else c.key
               for c in PROFILES[profile].layers[layer].csv if c.kind == "number"}
    for row in rows:
        for key, value in row.items():
            if key not in numbers:
                assert not value.startswith(TRIGGERS), (key, value)
            else:
                float(value or 0)  # a number column holds a number, not a quoted text


def test_neutralised_with_one_quote_and_numbers_stay_numbers(db, settings):
    toilet = _hostile(db)
    ssm = {r["cot_conts_id"]: r for r in _rows(export_bytes(db, settings, layer="toilets", fmt="csv"))}
    row = ssm[str(toilet.id)]
    assert row["cot_conts_name"] == "'" + FORMULAS["place.name"]
    assert row["x_full_name"] == "'" + FORMULAS["place.name"]
    assert row["cot_addr_full_new"] == "'" + FORMULAS["place.road_address"]
    assert row["cot_addr_full_old"] == "'" + FORMULAS["place.lot_address"]
    assert row["cot_value_14"] == "'-1cm"  # a text cell (with its unit) that starts with a minus
    assert float(row["lat"]) > 37 and float(row["cot_coord_x"]) > 126 and row["x_version"] == "1"
    plain = {r["id"]: r for r in _rows(export_bytes(db, settings, layer="toilets", fmt="csv", profile="geojson"))}
    g = plain[str(toilet.id)]
    assert g["name"] == "'" + FORMULAS["place.name"]
    assert g["place.location_detail"] == "'\t=1+1" and g["place.opening_hours"] == "'\r=1+1"
    assert g["toilet.threshold_height_cm"] == "-1" and g["access_route.ramp_slope_percent"] == "-4.5"
    assert g["toilet.door_clear_width_cm"] == "100" and g["version"] == "1"
    # JSON is no spreadsheet: the text travels unchanged
    doc = export_json(db, settings, layer="toilets", fmt="geojson", profile="geojson")
    names = {f["properties"]["name"] for f in doc["features"]}
    assert FORMULAS["place.name"] in names


def test_consumer_rules_still_met_with_hostile_text(db, settings):
    _hostile(db)
    raw = export_bytes(db, settings, layer="toilets", fmt="csv", columns="consumer")
    report = check_csv_bytes(raw)
    assert report.ok, report.as_dict()["aborts"]
    assert not [f for f in report.findings if f.code in ("name_too_long", "address_too_long")]
    for row in _rows(raw):
        assert len(row["cot_conts_name"]) <= 64 and len(row["cot_addr_full_new"]) <= 64
        assert row["cot_conts_name"].startswith("'")
