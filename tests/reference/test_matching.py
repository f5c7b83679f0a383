"""Reference records matched to published toilets: matched / ambiguous / none, by distance and name
or by address, in a number of statements that does not grow with the file."""

from __future__ import annotations

from sqlalchemy import event, text

from reference.importer import import_reference
from reference.service import rematch_all
from tests.exports.helpers import publish
from tests.reference.helpers import csv_bytes, row
from toilets.service import retire_toilet

CITY_HALL_ROAD = "서울특별시 중구 세종대로 110"
CITY_HALL_LOT = "서울특별시 중구 태평로1가 31"


def _at_city_hall(number, lon=126.9779, lat=37.5663, **cells):
    return row(number, **{"소재지도로명주소": CITY_HALL_ROAD, "소재지지번주소": CITY_HALL_LOT, "WGS84위도": str(lat),
                          "WGS84경도": str(lon), **cells})


def _match(db, number: str) -> dict:
    return dict(db.execute(text("""
        SELECT match_status, match_method, candidate_toilet_id, match_distance_m, match_candidates
          FROM reference_toilets WHERE management_no = :n"""), {"n": number}).mappings().one())


def _import(db, settings, rows):
    return import_reference(db, csv_bytes(rows), settings=settings, file_name="t.csv")


def test_one_similar_toilet_nearby_is_a_match(db, settings):
    toilet = publish(db, lon=126.9779, lat=37.5663)  # "서울시청 본관 1층 장애인 화장실"
    result = _import(db, settings, [_at_city_hall(1, lon=126.97810, 화장실명="서울시청 본관 장애인 화장실")])
    m = _match(db, "1")
    assert result.matches == {"matched": 1, "ambiguous": 0, "none": 0}
    assert (m["match_status"], m["match_method"], m["candidate_toilet_id"]) == ("matched", "distance", toilet.id)
    assert 15 < m["match_distance_m"] < 40 and m["match_candidates"][0]["toilet_id"] == str(toilet.id)


def test_two_similar_toilets_are_left_for_a_person(db, settings):
    a = publish(db, lon=126.9779, lat=37.5663, **{"place.name": "서울시청 장애인 화장실 1"})
    b = publish(db, lon=126.97795, lat=37.56632, **{"place.name": "서울시청 장애인 화장실 2"})
    _import(db, settings, [_at_city_hall(1, lon=126.97792, 화장실명="서울시청 장애인 화장실")])
    m = _match(db, "1")
    assert m["match_status"] == "ambiguous" and m["candidate_toilet_id"] in {a.id, b.id}
    assert {c["toilet_id"] for c in m["match_candidates"]} == {str(a.id), str(b.id)}


def test_a_toilet_on_the_spot_under_another_name_is_ambiguous(db, settings):
    publish(db, lon=126.9779, lat=37.5663)
    _import(db, settings, [_at_city_hall(1, 화장실명="덕수궁 돌담길 공중화장실")])
    assert _match(db, "1")["match_status"] == "ambiguous"


def test_nothing_within_the_radius_is_none(db, settings):
    publish(db, lon=126.9779, lat=37.5663)
    _import(db, settings, [_at_city_hall(1, lon=126.9790, 화장실명="서울시청 본관 1층 장애인 화장실"),  # ~97 m east
                           row(2)])
    assert _match(db, "1")["match_status"] == "none" and _match(db, "1")["candidate_toilet_id"] is None
    assert _match(db, "2")["match_status"] == "none"


def test_a_record_without_coordinates_is_matched_by_address(db, settings):
    toilet = publish(db, lon=126.9779, lat=37.5663)
    _import(db, settings, [
        _at_city_hall(1, WGS84위도="", WGS84경도="", 화장실명="서울특별시청 장애인 화장실",
                      소재지도로명주소="서울특별시 중구 세종대로 110 (태평로1가)"),
        _at_city_hall(2, WGS84위도="35.18848", WGS84경도="128.9904", 소재지도로명주소="",  # Busan point: lot address
                      화장실명="서울시청 본관 1층 장애인 화장실"),
        _at_city_hall(3, WGS84위도="", WGS84경도="", 소재지도로명주소="서울특별시 중구 세종대로 111",
                      소재지지번주소="", 화장실명="서울시청 본관 1층 장애인 화장실"),
    ])
    for number in ("1", "2"):
        m = _match(db, number)
        assert (m["match_status"], m["match_method"], m["candidate_toilet_id"]) == ("matched", "address", toilet.id)
        assert m["match_distance_m"] is None
    assert _match(db, "3")["match_status"] == "none"


def test_a_retired_toilet_is_no_candidate_and_rematching_follows_the_layer(db, settings):
    _import(db, settings, [_at_city_hall(1, 화장실명="서울시청 본관 장애인 화장실")])
    assert _match(db, "1")["match_status"] == "none"
    toilet = publish(db, lon=126.9779, lat=37.5663)
    assert rematch_all(db, settings=settings)["matched"] == 1 and _match(db, "1")["candidate_toilet_id"] == toilet.id
    retire_toilet(db, toilet=toilet, reason="closed", report_id=None, review_id=None)
    assert rematch_all(db, settings=settings) == {"matched": 0, "ambiguous": 0, "none": 1}


def test_the_import_is_set_based(db, settings):
    """The number of statements is the same for 3 rows and for 300: no query per row."""
    publish(db, lon=126.9779, lat=37.5663)
    conn = db.connection()
    counts = []
    for n in (3, 300):
        rows = [_at_city_hall(i, lon=126.9779 + i * 1e-5) for i in range(1, n + 1)]
        rows += [row(1000 + i, WGS84위도="", WGS84경도="") for i in range(n)]
        statements: list[str] = []

        def count(conn_, cursor, statement, *args, _s=statements):
            _s.append(statement)

        event.listen(conn, "before_cursor_execute", count)
        try:
            result = import_reference(db, csv_bytes(rows), settings=settings, file_name=f"{n}.csv")
        finally:
            event.remove(conn, "before_cursor_execute", count)
        assert result.inserted + result.updated + result.unchanged == 2 * n
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[0] < 20
