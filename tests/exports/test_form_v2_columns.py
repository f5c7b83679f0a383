"""Form v2 in the plain exports: a bounded measurement keeps its bound beside its number (GeoJSON
in the group, CSV as its own column), and the new heights are columns of their own."""

from __future__ import annotations

import csv
import io

import pytest

from tests.exports.helpers import export_bytes, export_json, publish
from tests.exports.test_interop_profiles import a11yjson_errors
from tests.factories import report_body_v2
from toilets.service import create_toilet


def test_a_bound_travels_with_its_number_in_geojson_and_csv(db, settings):
    body = report_body_v2(**{"toilet.door_clear_width_cm": 90, "toilet.door_clear_width_cm_bound": "at_least",
                             "toilet.grab_bar_height_cm": 65})
    create_toilet(db, payload=body, report_id=None, review_id=None)
    db.flush()
    feature = export_json(db, settings, layer="toilets", fmt="geojson", profile="geojson")["features"][0]
    toilet = feature["properties"]["toilet"]
    assert (toilet["door_clear_width_cm"], toilet["door_clear_width_cm_bound"]) == (90, "at_least")
    rows = list(csv.DictReader(io.StringIO(export_bytes(db, settings, layer="toilets", fmt="csv",
                                                        profile="geojson").decode("utf-8"))))
    assert rows[0]["toilet.door_clear_width_cm"] == "90" and rows[0]["toilet.door_clear_width_cm_bound"] == "at_least"
    assert rows[0]["toilet.grab_bar_height_cm"] == "65" and rows[0]["toilet.seat_height_cm_bound"] == ""
    assert "place.existing_toilet_id" not in rows[0]  # what a report said about itself is not published


@pytest.mark.parametrize(("overrides", "slots"), [
    ({"toilet.door_clear_width_cm": 90, "toilet.door_clear_width_cm_bound": "at_least"},
     {"13": "90cm 이상"}),
    ({"toilet.seat_height_cm": 45, "toilet.seat_height_cm_bound": "at_most", "toilet.interior_width_cm": 200,
      "toilet.interior_width_cm_bound": "at_least"}, {"17": "45cm 이하", "05": "200cm 이상", "06": "210cm"}),
    # slot 04 is decided by the 2 cm line only where the bound settles it
    ({"toilet.threshold_height_cm": 1, "toilet.threshold_height_cm_bound": "at_most"},
     {"14": "1cm 이하", "04": "무단차/경사로"}),
    ({"toilet.threshold_height_cm": 3, "toilet.threshold_height_cm_bound": "at_least"},
     {"14": "3cm 이상", "04": "단차(턱)/계단"}),
    ({"toilet.threshold_height_cm": 1, "toilet.threshold_height_cm_bound": "at_least"}, {"14": "1cm 이상", "04": ""}),
    ({"toilet.threshold_height_cm": 5, "toilet.threshold_height_cm_bound": "at_most"}, {"14": "5cm 이하", "04": ""}),
    ({"toilet.threshold_height_cm": 2}, {"14": "2cm", "04": "무단차/경사로"}),
])
def test_smart_seoul_map_slots_say_a_bound_in_words(db, settings, overrides, slots):
    """A tape that said "more than 90" is never published to the map as an exact 90 cm."""
    publish(db, **overrides)
    p = export_json(db, settings, layer="toilets", fmt="geojson", profile="smart-seoul-map")["features"][0]
    for slot, value in slots.items():
        assert p["properties"][f"COT_VALUE_{slot}"] == value, slot


def test_interop_profiles_carry_a_bound_or_leave_the_number_out(db, settings):
    publish(db, **{"toilet.door_clear_width_cm": 90, "toilet.door_clear_width_cm_bound": "at_least",
                   "toilet.seat_height_cm": 45, "toilet.seat_height_cm_bound": "at_most"})
    place = export_json(db, settings, layer="toilets", fmt="geojson", profile="a11yjson")["features"][0]
    restroom = place["properties"]["accessibility"]["restrooms"][0]
    assert restroom["entrance"]["door"]["width"] == {"value": 90, "unit": "cm", "operator": ">="}
    assert restroom["toilet"]["heightOfBase"] == {"value": 45, "unit": "cm", "operator": "<="}
    assert restroom["entrance"]["door"]["thresholdHeight"] == {"value": 0, "unit": "cm"}  # exact: no operator
    assert a11yjson_errors([place]) == [[]]
    tags = export_json(db, settings, layer="toilets", fmt="geojson", profile="osm")["features"][0]["properties"]
    assert "door:width" not in tags  # OSM has no "at least": an exact 0.9 would be a claim nobody measured
