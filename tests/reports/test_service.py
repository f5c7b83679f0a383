"""The reports domain without HTTP: idempotent submission, the duplicate score, the candidates."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.service import create_account
from core.errors import Conflict
from mobile_schema.registry import default_registry
from reports import service
from reports.duplicates import duplicate_score
from tests.factories import report_body


@pytest.fixture
def volunteer(db):
    return create_account(db, username="서비스봉사자", password="correct horse", role="volunteer", age_band="30s")


def test_the_same_body_twice_is_one_report_and_another_body_a_conflict(db, volunteer, settings):
    body = report_body()
    first = service.submit_report(db, volunteer=volunteer, body=copy.deepcopy(body), registry=default_registry(),
                                  settings=settings)
    again = service.submit_report(db, volunteer=volunteer, body=copy.deepcopy(body), registry=default_registry(),
                                  settings=settings)
    assert first.created and not again.created and again.report.id == first.report.id
    assert again.candidates == first.candidates
    other = copy.deepcopy(body)
    other["notes"] = "다른 내용"
    with pytest.raises(Conflict) as err:
        service.submit_report(db, volunteer=volunteer, body=other, registry=default_registry(), settings=settings)
    assert err.value.code == "submission_id_reused"


def test_the_raw_body_is_kept_as_sent_beside_the_upgraded_payload(db, volunteer, settings):
    body = report_body(**{"place.name": "  시청 화장실  "})
    stored = service.submit_report(db, volunteer=volunteer, body=copy.deepcopy(body), registry=default_registry(),
                                   settings=settings).report
    assert stored.raw_payload == body
    assert stored.body_sha256 == service.body_fingerprint(body)


def test_the_fingerprint_ignores_key_order_only():
    a = {"x": 1, "y": {"b": 2, "a": 1}}
    b = {"y": {"a": 1, "b": 2}, "x": 1}
    assert service.body_fingerprint(a) == service.body_fingerprint(b)
    assert service.body_fingerprint(a) != service.body_fingerprint({**a, "x": 2})


@given(st.floats(0, 100), st.floats(0, 100), st.floats(0, 1), st.sampled_from([True, None, False]))
def test_the_duplicate_score_is_bounded_and_closer_is_never_worse(d1, d2, sim, floor):
    near, far = sorted((d1, d2))
    s_near = duplicate_score(distance_m=near, radius_m=30, name_similarity=sim, same_floor=floor)
    s_far = duplicate_score(distance_m=far, radius_m=30, name_similarity=sim, same_floor=floor)
    assert 0 <= s_far <= s_near <= 1


def test_a_known_other_floor_is_nearby_not_a_likely_duplicate_and_an_unknown_one_is(db, volunteer, settings):
    reg = default_registry()
    ground = service.submit_report(db, volunteer=volunteer, body=report_body(), registry=reg, settings=settings)
    upstairs = service.submit_report(db, volunteer=volunteer, body=report_body(**{"place.floor": "3"}), registry=reg,
                                     settings=settings)
    unknown = service.submit_report(db, volunteer=volunteer, body=report_body(**{"place.floor": None}), registry=reg,
                                    settings=settings)
    likely = {c["id"] for c in unknown.candidates if c["likely_duplicate"]}
    assert str(ground.report.id) in likely and str(upstairs.report.id) in likely
    # the third floor, 0 m from the ground floor's toilet, is shown as nearby, not as its duplicate
    (below,) = [c for c in upstairs.candidates if c["id"] == str(ground.report.id)]
    assert below["likely_duplicate"] is False and below["same_floor"] is False
    assert upstairs.candidates == service.stored_candidates(db, upstairs.report.id)
