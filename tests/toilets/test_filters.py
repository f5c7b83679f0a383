"""The one parser of the layer filter (bbox, district, verdict) shared by the public API and the exports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ValidationFailed
from toilets.filters import LayerFilter, parse_bbox, parse_districts, parse_layer_filter, parse_verdicts


def test_an_empty_filter_matches_everything():
    assert parse_layer_filter() == LayerFilter()
    assert LayerFilter().where_sql("t.location", params := {}) == "TRUE" and params == {}


def test_districts_by_code_korean_or_english_name_in_a_list():
    assert parse_districts("11140") == ("11140",)
    assert parse_districts("중구, Mapo-gu,11140") == ("11140", "11440")


@pytest.mark.parametrize("raw, path", [
    ("부산진구", "district"), ("11140,Gotham", "district"),
])
def test_an_unknown_district_names_the_parameter(raw, path):
    with pytest.raises(ValidationFailed) as err:
        parse_districts(raw)
    assert err.value.code == "invalid_query" and err.value.fields[0].path == path
    assert raw.split(",")[-1] in err.value.fields[0].message_en


@pytest.mark.parametrize("raw", ["1,2,3", "a,b,c,d", "126.9,37.6,126.8,37.7", "nan,37.5,127,37.6",
                                 "126.9,37.5,inf,37.6", "37.5,126.9,37.6,127.0", "1,2,3,4,5"])
def test_bad_bboxes_are_refused(raw):
    with pytest.raises(ValidationFailed) as err:
        parse_bbox(raw)
    assert err.value.fields[0].path == "bbox" and err.value.fields[0].message_ko


@given(st.floats(-180, 179), st.floats(-90, 89), st.floats(0.001, 1), st.floats(0.001, 1))
def test_any_extent_inside_wgs84_is_accepted(lon, lat, dlon, dlat):
    box = parse_bbox(f"{lon},{lat},{min(lon + dlon, 180)},{min(lat + dlat, 90)}")
    assert box is not None and box[0] < box[2] and box[1] < box[3]


def test_verdicts_are_checked_and_deduplicated():
    assert parse_verdicts("accessible, unknown,accessible") == ("accessible", "unknown")
    with pytest.raises(ValidationFailed):
        parse_verdicts("maybe")


def test_the_public_api_and_the_exports_parse_alike(client):
    """Both take a comma-separated list of districts now (the public API took one only)."""
    assert client.get("/api/v1/toilets?district=중구,Mapo-gu").status_code == 200
    bad = client.get("/api/v1/toilets?district=Gotham").json()
    assert bad["code"] == "invalid_query" and bad["fields"][0]["path"] == "district"
