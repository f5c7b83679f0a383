"""The reports domain without HTTP: idempotent submission, the duplicate score, the candidates."""

from __future__ import annotations

import copy
import json
import uuid

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


def test_the_one_statement_submission_stores_what_the_checks_one_by_one_store(db, volunteer, settings):
    """A valid report goes through one statement (retry check, district, insert, duplicate search,
    audit row); any other through the checks one by one. Both must store the same report, the
    same candidates and the same audit detail (here with a published toilet and a pending
    report nearby, and an address naming another district)."""
    from sqlalchemy import text

    from toilets.service import create_toilet

    reg = default_registry()
    create_toilet(db, payload=report_body(), report_id=None, review_id=None)
    service.submit_report(db, volunteer=volunteer, body=report_body(**{"location.lon": 126.97792}), registry=reg,
                          settings=settings)
    overrides = {"place.district": None, "place.road_address": "서울특별시 강남구 테헤란로 1", "place.lot_address": None,
                 "location.lon": 126.97795}
    fast_body, steps_body = report_body(**overrides), report_body(**overrides)
    fast = service.submit_report(db, volunteer=volunteer, body=fast_body, registry=reg, settings=settings)
    steps = service._submit_in_steps(
        db, volunteer=volunteer, body=steps_body, submission_id=uuid.UUID(steps_body["client_submission_id"]),
        fingerprint=service.body_fingerprint(steps_body), payload=reg.upgrade(steps_body), settings=settings)
    assert fast.created and steps.created
    assert fast.warnings == steps.warnings and fast.warnings
    fast_others = [c for c in fast.candidates if c["id"] != str(steps.report.id)]
    steps_others = [c for c in steps.candidates if c["id"] != str(fast.report.id)]
    assert fast_others == steps_others and len(fast_others) == 2
    db.flush()
    columns = """status, revision, schema_version, observed_at, ST_AsEWKB(location), accuracy_m, location_source,
                 ST_AsEWKB(route_path), name, building_name, floor, district_code, district_mismatch,
                 payload - 'client_submission_id', volunteer_id, body_sha256 = :sha, raw_payload = CAST(:raw AS jsonb)"""
    rows = [db.execute(text(f"SELECT {columns} FROM reports r WHERE id = :id").bindparams(
        sha=service.body_fingerprint(b), raw=json.dumps(b)), {"id": s.report.id}).one()
        for s, b in ((fast, fast_body), (steps, steps_body))]
    assert rows[0] == rows[1] and rows[0][-2:] == (True, True) and rows[0].district_mismatch
    stored = {s.report.id: service.stored_candidates(db, s.report.id) for s in (fast, steps)}
    assert stored[fast.report.id] == fast.candidates and stored[steps.report.id] == steps.candidates
    details = dict(db.execute(text(
        "SELECT object_id, detail FROM audit_log WHERE action = 'report.submit' AND object_id IN (:a, :b)"),
        {"a": str(fast.report.id), "b": str(steps.report.id)}).all())
    for s, b in ((fast, fast_body), (steps, steps_body)):
        assert details[str(s.report.id)] == {"client_submission_id": b["client_submission_id"], "schema_version": 1,
                                             "duplicate_candidates": len(s.candidates)}


def test_the_one_statement_submission_keeps_one_plan_on_its_connection(db, volunteer, settings):
    """Prepared on the server and run on its generic plan (planned once, not on every report):
    PostgreSQL's own count of the plans it made for the statement on this connection."""
    from sqlalchemy import text

    reg = default_registry()
    for i in range(4):
        result = service.submit_report(db, volunteer=volunteer, body=report_body(**{"notes": f"visit {i}"}),
                                       registry=reg, settings=settings)
        assert result.created
    generic, custom = db.execute(text(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO audit_log%'"
        " AND statement LIKE '%uq_reports_volunteer_submission%'")).one()
    assert (generic, custom) == (4, 0)
    assert db.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_generic_plan"  # for this transaction only
