"""Issue 15 item 4, the export side: the smart-seoul-map export holds only toilets the known
consumer keeps (a main photo, both addresses, not public-layer-only); the snapshot manifest lists
the others with the reasons; the consumer's rules are one definition (the export's filter, the
check of a file and the moderation console agree); and the demo's SSM CSV imports whole."""

from __future__ import annotations

import csv
import io

from sqlalchemy import text

from exports.consumer_check import check_csv_bytes, record_findings, severity
from exports.request import parse_request
from exports.snapshots import write_snapshot
from tests.exports.helpers import export_bytes, export_json, publish, report_with_photos
from toilets.changelog import append_change
from toilets.service import create_toilet


def _with_photo(db, settings, **overrides):
    report, body, _ = report_with_photos(db, settings, kinds=("entrance",))
    for dotted, value in overrides.items():
        group, key = dotted.split(".")
        body[group][key] = value
    toilet = create_toilet(db, payload=body, report_id=report.id, review_id=None)
    db.flush()
    return toilet


def _ids(doc):
    return {f["id"] for f in doc["features"]}


def _world(db, settings):
    complete = _with_photo(db, settings)
    no_photo = publish(db, lon=126.9790, lat=37.5670, main_photo=False)
    no_lot = _with_photo(db, settings, **{"place.lot_address": None})
    blank_road = _with_photo(db, settings, **{"place.road_address": " \t"})
    chosen = _with_photo(db, settings)
    db.execute(text("UPDATE toilets SET public_layer_only = true WHERE id = :i"), {"i": chosen.id})
    return {"complete": complete, "no_photo": no_photo, "no_lot": no_lot, "blank_road": blank_road, "chosen": chosen}


def test_only_complete_toilets_are_exported_to_smart_seoul_map(db, settings):
    w = _world(db, settings)
    assert _ids(export_json(db, settings, layer="toilets", fmt="geojson")) == {str(w["complete"].id)}
    assert _ids(export_json(db, settings, layer="routes", fmt="geojson")) <= {str(w["complete"].id)}
    everyone = {str(t.id) for t in w.values()}
    assert _ids(export_json(db, settings, layer="toilets", fmt="geojson", profile="geojson")) == everyone
    report = check_csv_bytes(export_bytes(db, settings, layer="toilets", fmt="csv"))
    assert (report.rows, report.dropped_rows, report.ok) == (1, {}, True)


def test_the_manifest_lists_the_toilets_left_out_with_the_reasons(db, settings, tmp_path):
    w = _world(db, settings)
    manifest = write_snapshot(db, settings, parse_request(layer="toilets", fmt="csv"), tmp_path / "snap")
    assert manifest["feature_count"] == 1 and manifest["consumer_check"]["dropped_total"] == 0
    excluded = {item["id"]: [r["code"] for r in item["reasons"]] for item in manifest["excluded"]["items"]}
    assert manifest["excluded"]["total"] == 4
    assert excluded == {str(w["no_photo"].id): ["blank_image"], str(w["no_lot"].id): ["blank_lot_address"],
                        str(w["blank_road"].id): ["blank_road_address"], str(w["chosen"].id): ["public_layer_only"]}
    item = next(i for i in manifest["excluded"]["items"] if i["id"] == str(w["no_photo"].id))
    assert item["name"] == "서울시청 본관 1층 장애인 화장실"
    assert item["reasons"][0]["message_en"] == "The photo path is blank: the row is silently dropped."
    # other profiles hold everyone and list nobody
    plain = write_snapshot(db, settings, parse_request(layer="toilets", fmt="csv", profile="geojson"), tmp_path / "g")
    assert plain["excluded"] is None and plain["feature_count"] == 5


def test_the_filter_and_the_record_check_are_one_definition(db, settings):
    """The toilets the export leaves out are exactly those the console's record check says the
    consumer would drop (or a moderator kept to the public layer)."""
    w = _world(db, settings)
    exported = _ids(export_json(db, settings, layer="toilets", fmt="geojson"))
    for toilet in w.values():
        db.refresh(toilet)
        place = toilet.data["place"]
        dropped = [f.code for f in record_findings(name=toilet.name, road_address=place.get("road_address"),
                                                   lot_address=place.get("lot_address"),
                                                   has_main_photo=bool(toilet.photo_files))
                   if severity(f.code) == "dropped"]
        assert (str(toilet.id) in exported) == (not dropped and not toilet.public_layer_only), (toilet.name, dropped)


def test_a_toilet_that_leaves_the_layer_reaches_incremental_consumers_as_a_tombstone(db, settings):
    toilet = _with_photo(db, settings)
    seq = db.execute(text("SELECT max(seq) FROM change_log")).scalar_one()
    db.execute(text("UPDATE toilets SET public_layer_only = true WHERE id = :i"), {"i": toilet.id})
    append_change(db, entity="toilet", entity_id=toilet.id, op="update", version=1)
    rows = list(csv.DictReader(io.StringIO(export_bytes(db, settings, layer="toilets", fmt="csv",
                                                       since=seq).decode())))
    assert [(r["cot_conts_id"], r["x_change"]) for r in rows] == [(str(toilet.id), "delete")]


def test_the_demo_smart_seoul_map_csv_imports_whole(db, settings, tmp_path):
    from demo.loader import load_demo

    load_demo(db, settings=settings, report_count=30)
    published = db.execute(text("SELECT count(*) FROM toilets")).scalar_one()
    manifest = write_snapshot(db, settings, parse_request(layer="toilets", fmt="csv"), tmp_path / "demo")
    check = manifest["consumer_check"]
    assert check["ok"] and check["rows"] == manifest["feature_count"] > 0
    assert check["dropped_total"] == 0 and check["misread_total"] == 0, check
    assert check["rows_imported"] == check["rows"]
    excluded = manifest["excluded"]
    assert manifest["feature_count"] + excluded["total"] == published
    codes = {r["code"] for item in excluded["items"] for r in item["reasons"]}
    assert codes <= {"blank_lot_address", "public_layer_only"}
    # every exported row points at a photo bundled with the snapshot, and it is the demo's placeholder
    assert manifest["photos"]["missing"] == [] and manifest["photos"]["count"] >= manifest["feature_count"]
    photos = db.execute(text("SELECT count(*) FROM report_photos")).scalar_one()
    reports = db.execute(text("SELECT count(*) FROM reports")).scalar_one()
    assert photos == 3 * reports
