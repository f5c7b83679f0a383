"""Duplicates a moderator can trust (issue 15 item 3): a likely duplicate only on evidence,
everything else within the radius only "nearby". The labelled set's rates (the rule's
correctness, asserted), and the same rule through the real search on PostGIS: submission,
reference records, the toilet a report names, other floors and buildings, and candidates
recomputed when a moderator claims the report."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from reference.importer import import_reference
from reference.service import rematch_all
from reports.duplicate_evidence import assess_pair
from reports.duplicates import NEARBY_KEPT, NEARBY_SQL, ReportPlace, assess_candidates_of, find_candidates_of, nearby_params
from tests.factories import CITY_HALL, join_and_login, report_body, report_body_v2
from tests.moderation.helpers import claim_one, moderator
from tests.reference.helpers import csv_bytes, row
from tests.reports.duplicate_pairs import PAIRS
from toilets.service import create_toilet

NORTH_M = 1 / 111_000  # one metre north, in degrees of latitude


def test_the_labelled_pairs_reach_the_figures():
    same = [p for p in PAIRS if p[0]]
    distinct = [p for p in PAIRS if not p[0]]
    assert len(same) >= 30 and len(distinct) >= 30
    kinds = {what.split(",")[0] for flag, *_, what in distinct if not flag}
    assert {"floors 1 and 2", "other exits", "other buildings"} <= kinds  # every kind of neighbour is in it
    found = [p for p in same if assess_pair(p[1], p[2], p[3]).likely]
    flagged = [p for p in distinct if assess_pair(p[1], p[2], p[3]).likely]
    recall, false_rate = len(found) / len(same), len(flagged) / len(distinct)
    print(f"likely duplicates found: {len(found)}/{len(same)} = {recall:.1%}; "
          f"distinct pairs flagged: {len(flagged)}/{len(distinct)} = {false_rate:.1%}")
    assert recall >= 0.95, [p[-1] for p in same if p not in found]
    assert false_rate <= 0.10, [p[-1] for p in flagged]


@pytest.mark.parametrize("flag, a, b, distance, what", PAIRS, ids=[f"{i}-{p[-1]}" for i, p in enumerate(PAIRS)])
def test_the_rule_is_symmetric(flag, a, b, distance, what):
    one, other = assess_pair(a, b, distance), assess_pair(b, a, distance)
    assert (one.likely, set(one.evidence)) == (other.likely, set(other.evidence))


def _publish(db, **overrides) -> str:
    toilet = create_toilet(db, payload=report_body(**overrides), report_id=None, review_id=None)
    db.flush()
    return str(toilet.id)


def _submit(client, headers, body):
    r = client.post("/api/v1/reports", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _by_id(candidates):
    return {c["id"]: c for c in candidates}


def test_same_toilet_written_differently_is_likely_and_neighbours_are_only_nearby(client, db):
    same = _publish(db, **{"place.name": "서울시청 본관 1층 장애인 화장실"})
    upstairs = _publish(db, **{"place.name": "서울시청 본관 2층 장애인 화장실", "place.floor": "2",
                              "location.lat": CITY_HALL[1] + 3 * NORTH_M})
    next_door = _publish(db, **{"place.name": "서울도서관 화장실", "place.building_name": "서울도서관",
                               "location.lat": CITY_HALL[1] + 15 * NORTH_M})
    headers = join_and_login(client)
    out = _submit(client, headers, report_body_v2(**{"place.name": "시청 본관 장애인화장실",
                                                     "location.lat": CITY_HALL[1] + 8 * NORTH_M}))
    by = _by_id(out["duplicate_candidates"])
    assert by[same]["likely_duplicate"] and by[same]["evidence"] == ["similar_name_close"]
    assert by[upstairs]["likely_duplicate"] is False and by[upstairs]["same_floor"] is False  # shown, not flagged
    assert by[next_door]["likely_duplicate"] is False
    stored = client.get(f"/api/v1/reports/{out['id']}", headers=headers).json()["duplicate_candidates"]
    assert _by_id(stored) == by
    flagged = db.execute(text("SELECT DISTINCT report_id FROM report_duplicate_candidates WHERE likely")).scalars().all()
    assert out["id"] in flagged


def test_a_report_naming_the_toilet_is_its_likely_duplicate_whatever_its_name(client, db):
    toilet = _publish(db, **{"place.name": "서울시청 본관 1층 장애인 화장실"})
    headers = join_and_login(client)
    named = _submit(client, headers, report_body_v2(**{"place.name": "우리 동네 화장실", "place.floor": None,
                                                       "place.existing_toilet_id": toilet,
                                                       "location.lat": CITY_HALL[1] + 25 * NORTH_M}))
    assert _by_id(named["duplicate_candidates"])[toilet]["evidence"] == ["same_toilet_named"]
    # a second report naming it is the first one's likely duplicate too
    again = _submit(client, join_and_login(client), report_body_v2(**{
        "place.name": "전혀 다른 이름", "place.building_name": None, "place.existing_toilet_id": toilet,
        "location.lat": CITY_HALL[1] + 20 * NORTH_M}))
    assert "same_toilet_named" in _by_id(again["duplicate_candidates"])[str(named["id"])]["evidence"]


def test_the_same_reference_record_is_evidence(client, db, settings):
    ref = row(9, 화장실명="서울시청 화장실", 소재지도로명주소="서울특별시 중구 세종대로 110",
              WGS84위도=str(CITY_HALL[1]), WGS84경도=str(CITY_HALL[0]))
    toilet = _publish(db, **{"place.name": "서울특별시청 장애인 화장실", "place.building_name": None})
    import_reference(db, csv_bytes([ref]), settings=settings, file_name="t.csv")
    rematch_all(db, settings=settings)
    assert db.execute(text("SELECT match_status, candidate_toilet_id::text FROM reference_toilets")).one() == (
        "matched", toilet)
    out = _submit(client, join_and_login(client), report_body_v2(**{
        "place.name": "민원실 옆 공중화장실", "place.building_name": None, "location.lat": CITY_HALL[1] + 6 * NORTH_M}))
    assert _by_id(out["duplicate_candidates"])[toilet]["evidence"] == ["same_reference"]


def test_candidates_are_recomputed_when_the_report_is_claimed(client, db):
    headers = join_and_login(client)
    out = _submit(client, headers, report_body_v2(**{"place.name": "시청 본관 장애인화장실"}))
    assert out["duplicate_candidates"] == []
    toilet = _publish(db, **{"place.name": "서울시청 본관 1층 장애인 화장실", "location.lat": CITY_HALL[1] + 5 * NORTH_M})
    item = claim_one(client, moderator(db, client), out["id"])
    assert _by_id(item["duplicate_candidates"])[toilet]["likely_duplicate"] is True
    assert db.execute(text("SELECT count(*) FROM report_duplicate_candidates WHERE report_id = :r AND likely"),
                      {"r": out["id"]}).scalar_one() == 1


def test_the_claims_search_keeps_what_judging_every_neighbour_keeps(client, db):
    """A claim judges, of the neighbours whose sides read alike, only the nearest few
    (reports.duplicates.NEARBY_KEPT): what it keeps is what judging every neighbour keeps,
    likely duplicates first, whatever the limit."""
    headers = join_and_login(client)
    names = ["서울시청 본관 1층 장애인 화장실"] * 3 + ["시청 본관 화장실", "서울도서관 화장실"]
    for k in range(30):  # distinct distances 0.5–27.5 m north: no two neighbours tie
        _submit(client, headers, report_body_v2(**{
            "place.name": names[k % 5], "place.floor": "2" if k % 7 == 0 else "1",
            "location.lat": CITY_HALL[1] + (0.5 + 0.93 * k) * NORTH_M}))
    _publish(db, **{"place.name": "서울시청 본관 1층 장애인 화장실", "location.lat": CITY_HALL[1] + 4.1 * NORTH_M})
    _publish(db, **{"place.name": "서울도서관 화장실", "place.building_name": "서울도서관",
                    "location.lat": CITY_HALL[1] + 12.2 * NORTH_M})
    places = [(ReportPlace(CITY_HALL[0], CITY_HALL[1] + m * NORTH_M, name, floor, building), None)
              for m, name, floor, building in ((0, "서울시청 본관 장애인 화장실", "1", "서울특별시청"),
                                               (15.13, "시청 본관 화장실", "1", None),
                                               (9.71, "서울도서관 화장실", None, "서울도서관"),
                                               (21.3, "서울시청 본관 1층 장애인 화장실", "2", "서울특별시청"))]
    every_row = db.execute(text(NEARBY_SQL), nearby_params(places, radius_m=30)).all()
    kept_rows = db.execute(NEARBY_KEPT, {**nearby_params(places, radius_m=30), "close": 20.0, "limit": 3,
                                         "whole": [False] * len(places)}).all()
    assert len(kept_rows) < 0.6 * len(every_row)  # it does leave neighbours unjudged
    for limit in (1, 3, 5, 10, 40):
        kept = find_candidates_of(db, places, radius_m=30, limit=limit)
        every = assess_candidates_of(db, [p for p, _ in places], every_row, radius_m=30, limit=limit)
        assert [[c.as_dict() for c in found] for found in kept] == [[c.as_dict() for c in found] for found in every]
    assert {c.likely for found in kept for c in found} == {True, False}  # both kinds were compared
