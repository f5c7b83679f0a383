"""Each rule of the known consumer (계단뿌셔클럽's CSV import), with a failing and a passing row,
and our smart-seoul-map export passing them by construction."""

from __future__ import annotations

import csv
import io
import json

import pytest

from exports.consumer_check import MAX_FILE_BYTES, check_bytes, check_file
from tests.exports.helpers import export_bytes, publish, report_with_photos
from toilets.service import create_toilet, retire_toilet


def _good_export(db, settings) -> bytes:
    report, body, _ = report_with_photos(db, settings, kinds=("entrance",))
    create_toilet(db, payload=body, report_id=report.id, review_id=None)
    db.flush()
    return export_bytes(db, settings, layer="toilets", fmt="csv", profile="smart-seoul-map")


def _rows(raw: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    return list(reader.fieldnames), list(reader)


def _csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode()


def test_our_export_passes_every_rule(db, settings):
    report = check_bytes(_good_export(db, settings), kind="csv").as_dict()
    assert report["ok"] and report["rows"] == 1 and report["rows_imported"] == 1
    assert report["dropped"] == [] and report["misread"] == []


ROW_RULES = [  # (column, bad value, code, category, good value)
    ("cot_conts_id", "", "blank_id", "aborts", "6a1802b1-d685-4f4f-88d0-40d8052078e2"),
    ("cot_conts_id", "x" * 37, "id_too_long", "aborts", "x" * 36),
    ("cot_conts_name", " ", "blank_name", "aborts", "시청 화장실"),
    ("cot_conts_name", "가" * 65, "name_too_long", "aborts", "가" * 64),
    ("cot_addr_full_new", "가" * 65, "address_too_long", "aborts", "가" * 64),
    ("cot_addr_full_old", "가" * 65, "address_too_long", "aborts", "가" * 64),
    ("cot_img_main_url", "", "blank_image", "dropped", "/reachable/photos/a.png"),
    ("cot_addr_full_new", "", "blank_road_address", "dropped", "서울특별시 중구 세종대로 110"),
    ("cot_addr_full_old", "", "blank_lot_address", "dropped", "서울특별시 중구 태평로1가 31"),
    ("lat", "north", "bad_coordinate", "dropped", "37.5663000"),
    ("lng", "126,9779", "comma_decimal", "dropped", "126.9779000"),
    ("cot_img_main_url", "https://example.org/a.png", "image_not_relative", "misread", "/p/a.png"),
    ("cot_value_01", "남자화장실(1층)", "sex_read_as_both", "misread", "남자화장실"),
    ("cot_value_03", "이용 가능", "usability_unrecognised", "misread", "사용가능(일부 불편)"),
    ("cot_value_04", "턱 없음", "entrance_unrecognised", "misread", "무단차/경사로"),
    ("cot_value_07", "접이문", "door_unrecognised", "misread", "미닫이문"),
    ("cot_value_05", "", "one_dimension_only", "misread", "200cm"),
]


@pytest.mark.parametrize("column, bad, code, category, good", ROW_RULES)
def test_each_row_rule_fails_and_passes(db, settings, column, bad, code, category, good):
    header, rows = _rows(_good_export(db, settings))

    def run(value: str) -> dict:
        return check_bytes(_csv(header, [{**rows[0], column: value}]), kind="csv").as_dict()

    failing = run(bad)
    found = [f["code"] for f in failing[category]] if category != "dropped" else \
        [r["code"] for d in failing["dropped"] for r in d["reasons"]]
    assert code in found
    if category == "aborts":
        assert not failing["ok"] and failing["rows_imported"] == 0
    if category == "dropped":
        assert failing["ok"] and failing["rows_imported"] == 0
    passing = run(good)
    assert passing["ok"] and passing["rows_imported"] == 1
    assert code not in [f["code"] for f in passing["misread"]]


def test_file_rules_bom_header_short_row_and_size(db, settings, tmp_path):
    raw = _good_export(db, settings)
    header, rows = _rows(raw)
    assert check_bytes(raw, kind="csv").ok
    bom = check_bytes(b"\xef\xbb\xbf" + raw, kind="csv")
    assert not bom.ok and [f.code for f in bom.aborts] == ["bom"]
    blank_header = check_bytes(_csv(header + [""], [{**rows[0], "": "x"}]), kind="csv")
    assert "blank_header" in [f.code for f in blank_header.aborts]
    missing = check_bytes(_csv([h for h in header if h != "lat"], [{k: v for k, v in rows[0].items() if k != "lat"}]),
                          kind="csv")
    assert [f.column for f in missing.aborts if f.code == "missing_column"] == ["lat"]
    short = check_bytes(raw + b"only,two\n", kind="csv")
    assert "short_row" in [f.code for f in short.aborts]
    row = raw.split(b"\n", 1)[1]
    big = raw + row * (MAX_FILE_BYTES // len(row) + 1)
    assert "file_too_large" in [f.code for f in check_bytes(big, kind="csv").aborts]
    path = tmp_path / "with_bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + raw)
    assert [f.code for f in check_file(path).aborts] == ["bom"]


def test_check_reads_geojson_and_retired_rows_stay_importable(db, settings, tmp_path):
    report, body, _ = report_with_photos(db, settings, kinds=("entrance",))
    toilet = create_toilet(db, payload=body, report_id=report.id, review_id=None)
    retire_toilet(db, toilet=toilet, reason="철거", report_id=None, review_id=None)
    other = publish(db, lon=127.0473, lat=37.5172)
    db.flush()
    doc = json.loads(export_bytes(db, settings, layer="toilets", fmt="geojson", profile="smart-seoul-map"))
    # a file from elsewhere (the export itself leaves out rows without a photo): one image blanked
    next(f for f in doc["features"] if f["id"] == str(other.id))["properties"]["COT_IMG_MAIN_URL"] = ""
    path = tmp_path / "layer.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    result = check_file(path).as_dict()
    assert result["ok"] and result["rows"] == 2 and result["rows_imported"] == 1  # the retired one upserts as 사용불가
    assert [r["code"] for d in result["dropped"] for r in d["reasons"]] == ["blank_image"]


def test_consumer_column_variant_is_smaller_and_still_passes(db, settings):
    full = _good_export(db, settings)
    lean = export_bytes(db, settings, layer="toilets", fmt="csv", profile="smart-seoul-map", columns="consumer")
    header, rows = _rows(lean)
    assert header == ["cot_conts_id", "cot_conts_name", "cot_img_main_url", "cot_addr_full_old", "cot_addr_full_new",
                      *[f"cot_value_{i:02d}" for i in range(1, 13)], "lat", "lng"]
    _, full_rows = _rows(full)
    assert all(rows[0][h] == full_rows[0][h] for h in header)  # same values, fewer columns
    assert len(lean) * 1.6 < len(full)
    report = check_bytes(lean, kind="csv").as_dict()
    assert report["ok"] and report["rows_imported"] == 1 and report["misread"] == []
