"""Formats (GeoJSON per RFC 7946, the API wrapper, CSV with and without BOM), filters, and GDAL."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from core.errors import ValidationFailed
from exports.request import parse_request
from tests.exports.helpers import export_bytes, export_json, publish

GANGNAM = (127.0473, 37.5172)  # 강남구청
MAPO = (126.9016, 37.5663)  # 마포구청


def _three(db):
    a = publish(db)  # 중구, accessible
    b = publish(db, lon=GANGNAM[0], lat=GANGNAM[1], **{"place.name": "강남구청 화장실",
                                                        "toilet.door_clear_width_cm": 70})
    c = publish(db, lon=MAPO[0], lat=MAPO[1], **{"place.name": "마포구청 화장실", "toilet.grab_bars": "one_side"})
    return a, b, c


def check_rfc7946(doc: dict) -> None:
    """The RFC 7946 rules that can fail for our layers."""
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    for f in doc["features"]:
        assert f["type"] == "Feature" and "crs" not in f and isinstance(f["properties"], dict)
        assert isinstance(f["id"], str | int)
        g = f["geometry"]
        if g is None:
            continue
        assert "crs" not in g
        coords = [g["coordinates"]] if g["type"] == "Point" else g["coordinates"]
        assert g["type"] in ("Point", "LineString") and (g["type"] == "Point" or len(coords) >= 2)
        for pos in coords:
            assert len(pos) == 2 and all(type(c) in (int, float) for c in pos)  # numbers, not strings
            lon, lat = pos
            assert 124 < lon < 132 and 33 < lat < 39  # lon first: Seoul's longitude is ~127, latitude ~37.5


@pytest.mark.parametrize("profile", ["smart-seoul-map", "geojson"])
@pytest.mark.parametrize("layer", ["toilets", "routes"])
def test_geojson_follows_rfc_7946(db, settings, profile, layer):
    publish(db)
    doc = export_json(db, settings, layer=layer, fmt="geojson", profile=profile)
    assert len(doc["features"]) == 1
    check_rfc7946(doc)
    assert doc["x_seq"] >= 1 and doc["x_profile"] == profile


AWKWARD = 'Line\nbreak\r\t"quoted" back\\slash \x01\x02 ,;{}[] 화장실 🚻 \u2028'


@pytest.mark.parametrize(("profile", "fmt"), [("smart-seoul-map", "geojson"), ("smart-seoul-map", "json"),
                                              ("geojson", "geojson")])
def test_json_exports_carry_any_text_unchanged(db, settings, profile, fmt):
    """The JSON rows leave PostgreSQL through COPY in CSV mode with control bytes as quote and
    delimiter: text holding newlines, quotes, backslashes and those very bytes must survive."""
    for i in range(3):  # several rows, so separators between features are exercised too
        publish(db, **{"place.name": f"{AWKWARD} {i}", "place.location_detail": AWKWARD})
    doc = export_json(db, settings, layer="toilets", fmt=fmt, profile=profile)
    items = doc["body"] if fmt == "json" else [f["properties"] for f in doc["features"]]
    key = "x_full_name" if profile == "smart-seoul-map" else "name"
    assert sorted(item[key] for item in items) == [f"{AWKWARD} {i}".strip() for i in range(3)]
    if profile == "geojson":
        assert {item["place"]["location_detail"] for item in items} == {AWKWARD}


def test_api_wrapper_has_header_and_body(db, settings):
    _three(db)
    doc = export_json(db, settings, layer="toilets", fmt="json", profile="smart-seoul-map")
    assert doc["header"]["resultCode"] == "200" and doc["header"]["TOTAL_COUNT"] == "3"
    assert doc["header"]["DATA_COUNT"] == "3" and len(doc["body"]) == 3
    assert all(isinstance(v, str) for item in doc["body"] for v in item.values())
    assert {item["COT_GU_NAME"] for item in doc["body"]} == {"중구", "강남구", "마포구"}
    with pytest.raises(ValidationFailed):
        parse_request(layer="toilets", fmt="json", profile="geojson")


def test_csv_has_no_bom_by_default_and_round_trips(db, settings):
    a, b, c = _three(db)
    raw = export_bytes(db, settings, layer="toilets", fmt="csv", profile="smart-seoul-map")
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.startswith(b"cot_theme_id,")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert len(rows) == 3
    by_id = {r["cot_conts_id"]: r for r in rows}
    assert by_id[str(b.id)]["cot_conts_name"] == "강남구청 화장실"
    assert by_id[str(b.id)]["lat"] == "37.5172000" and by_id[str(b.id)]["lng"] == "127.0473000"
    assert by_id[str(a.id)]["cot_value_02"].count(",") == 4  # commas inside a quoted field survive
    header = raw.split(b"\n", 1)[0].decode().split(",")
    assert all(h == h.lower() and h for h in header)
    for col in ("cot_conts_id", "cot_img_main_url", "cot_addr_full_old", "cot_addr_full_new", "lat", "lng"):
        assert col in header
    with_bom = export_bytes(db, settings, layer="toilets", fmt="csv", profile="smart-seoul-map", bom=True)
    assert with_bom.startswith(b"\xef\xbb\xbf") and with_bom[3:] == raw


def test_filters_district_verdict_bbox(db, settings):
    a, b, c = _three(db)

    def ids(**kw):
        return {f["id"] for f in export_json(db, settings, layer="toilets", fmt="geojson", profile="geojson",
                                              **kw)["features"]}

    assert ids() == {str(a.id), str(b.id), str(c.id)}
    assert ids(district="강남구") == {str(b.id)}
    assert ids(district="11140,Mapo-gu") == {str(a.id), str(c.id)}
    assert ids(verdict="not_accessible") == {str(b.id)}
    assert ids(verdict="accessible,partially_accessible") == {str(a.id), str(c.id)}
    assert ids(bbox="126.95,37.55,127.00,37.58") == {str(a.id)}
    assert ids(bbox="126.85,37.50,127.00,37.60", verdict="partially_accessible") == {str(c.id)}
    routes = export_json(db, settings, layer="routes", fmt="geojson", profile="geojson", district="중구")
    assert [f["id"] for f in routes["features"]] == [str(a.id)]


@pytest.mark.parametrize("kwargs, path", [
    ({"district": "부산진구"}, "district"), ({"verdict": "maybe"}, "verdict"), ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "37.5,126.9,37.6,127.0"}, "bbox"), ({"profile": "kml"}, "profile"), ({"since": -1}, "since"),
    ({"fmt": "shp"}, "format"), ({"layer": "benches"}, "layer"),
])
def test_bad_requests_name_the_field_in_both_languages(kwargs, path):
    args = {"layer": "toilets", "fmt": "geojson", **kwargs}
    with pytest.raises(ValidationFailed) as err:
        parse_request(**args)
    assert err.value.fields[0].path == path and err.value.fields[0].message_ko and err.value.fields[0].message_en


# -- GDAL ----------------------------------------------------------------------------------

def _ogr(*args: str) -> str:
    out = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize("profile", ["smart-seoul-map", "geojson"])
@pytest.mark.parametrize("layer", ["toilets", "routes"])
@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_gdal_opens_every_export_and_converts_it_unchanged(db, settings, tmp_path: Path, profile, layer, fmt):
    _three(db)
    expected = export_json(db, settings, layer=layer, fmt="geojson", profile=profile)["features"]
    src = tmp_path / f"export.{fmt}"
    src.write_bytes(export_bytes(db, settings, layer=layer, fmt=fmt, profile=profile))
    info = _ogr("ogrinfo", "-ro", "-al", "-so", str(src))
    assert f"Feature Count: {len(expected)}" in info
    gpkg = tmp_path / "out.gpkg"
    if fmt == "csv":  # tell GDAL which columns hold the geometry
        geo = (["-oo", "GEOM_POSSIBLE_NAMES=wkt"] if layer == "routes" and profile == "geojson" else
               ["-oo", "X_POSSIBLE_NAMES=lng,lon,cot_coord_x", "-oo", "Y_POSSIBLE_NAMES=lat,cot_coord_y"])
        _ogr("ogr2ogr", "-f", "GPKG", str(gpkg), str(src), "-a_srs", "EPSG:4326", *geo)
    else:
        _ogr("ogr2ogr", "-f", "GPKG", str(gpkg), str(src))
    back = tmp_path / "back.geojson"
    _ogr("ogr2ogr", "-f", "GeoJSON", "-lco", "COORDINATE_PRECISION=7", str(back), str(gpkg))
    features = json.loads(back.read_text())["features"]
    assert len(features) == len(expected)
    want = {_id_of(f, profile): f["geometry"]["coordinates"] for f in expected}
    for f in features:
        fid = _id_of(f, profile)
        got = f["geometry"]["coordinates"]
        if layer == "routes" and fmt == "csv" and profile == "smart-seoul-map":
            # a CSV row is a point (the route's street end); the line travels in cot_coord_data
            assert got == pytest.approx(want[fid][0], abs=1e-7)
            data = f["properties"]["cot_coord_data"]  # GDAL may carry it as a JSON-typed string
            assert (json.loads(data) if isinstance(data, str) else data) == want[fid]
        else:
            assert _flat(got) == pytest.approx(_flat(want[fid]), abs=1e-7)


def _id_of(f: dict, profile: str) -> str:
    p = f["properties"]
    return p.get("COT_CONTS_ID") or p.get("cot_conts_id") or p.get("id") or p.get("toilet_id")


def _flat(coords) -> list[float]:
    return [c for pos in coords for c in pos] if isinstance(coords[0], list) else list(coords)


@pytest.mark.parametrize("kwargs", [{"columns": "consumer", "profile": "geojson", "fmt": "csv"},
                                    {"columns": "consumer", "fmt": "geojson"},
                                    {"columns": "everything", "fmt": "csv"}])
def test_column_variants_only_where_offered(kwargs):
    with pytest.raises(ValidationFailed) as err:
        parse_request(**{"layer": "toilets", **kwargs})
    assert err.value.fields[0].path == "columns"


def test_exports_package_never_imports_the_web_layer():
    root = Path(__file__).resolve().parents[2] / "exports"
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert "from api" not in text and "import api" not in text, path
