"""Form v2 in the plain exports: a bounded measurement keeps its bound beside its number (GeoJSON
in the group, CSV as its own column), and the new heights are columns of their own."""

from __future__ import annotations

import csv
import io

from tests.exports.helpers import export_bytes, export_json
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
