"""Merges never lose knowledge, through the API on the real PostGIS: a sparse report keeps the
published measurements (with the version and date they came from), the moderator sees each
field's before and after and chooses, and moderator confirmations survive merges."""

from __future__ import annotations

from sqlalchemy import text

from tests.factories import DELETE, count_rows, join_and_login, report_body, report_body_v2
from tests.moderation.helpers import assert_error_shape, claim_one, decide, moderator, submit


def _confirm_second(client, db, review_id):
    r = client.post(f"/api/v1/moderation/reviews/{review_id}/second-review", json={"outcome": "confirm"},
                    headers=moderator(db, client))
    assert r.status_code == 200, r.text
    return r.json()


def _published(client, db, mod, **overrides) -> str:
    report_id, _ = submit(client, **overrides)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve", **({"confirmed": ["emergency_bell"]}
                                                            if overrides.get("toilet.emergency_bell", 0) is None else {}))
    assert r.status_code == 200, r.text
    return r.json()["toilet_id"]


SPARSE = {"toilet.door_clear_width_cm": None, "toilet.threshold_height_cm": None, "toilet.turning_space_150cm": None,
          "toilet.interior_width_cm": None, "toilet.interior_depth_cm": None, "toilet.grab_bars": None,
          "toilet.seat_height_cm": None, "toilet.emergency_bell": None, "toilet.grab_bar_height_cm": 65,
          "place.road_address": None, "place.lot_address": None, "access_route.step_free": None}


def _sparse_report(client, toilet_id, **more) -> int:
    body = report_body_v2(**{**SPARSE, "place.existing_toilet_id": toilet_id, **more})
    r = client.post("/api/v1/reports", json=body, headers=join_and_login(client))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_sparse_report_merged_keeps_every_known_measurement_with_its_source(client, db):
    mod = moderator(db, client)
    toilet_id = _published(client, db, mod)
    before = client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]
    report_id = _sparse_report(client, toilet_id)
    claim_one(client, mod, report_id)

    preview = client.get(f"/api/v1/moderation/reports/{report_id}/merge-preview", headers=mod)
    assert preview.status_code == 200, preview.text
    p = preview.json()
    assert p["toilet_id"] == toilet_id and p["toilet_version"] == 1
    assert p["verdict_before"] == "accessible" and p["verdict_after"] == "accessible"
    by = {f["path"]: f for f in p["fields"]}
    door = by["toilet.door_clear_width_cm"]
    assert (door["published"], door["report"], door["default"], door["result"]) == (100, None, "published", 100)
    assert door["published_source"]["version"] == 1 and door["published_source"]["at"]
    grab = by["toilet.grab_bar_height_cm"]
    assert (grab["published"], grab["report"], grab["default"], grab["result"]) == (None, 65, "report", 65)
    assert by["place.name"]["same"] is True

    r = decide(client, mod, report_id, action="merge")
    assert r.status_code == 200, r.text
    done = _confirm_second(client, db, r.json()["review"]["id"])
    assert done["toilet_version"] == 2
    after = client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]
    for field in ("door_clear_width_cm", "threshold_height_cm", "grab_bars", "emergency_bell", "seat_height_cm"):
        assert after["toilet"][field] == before["toilet"][field], field
    assert after["place"]["road_address"] == before["place"]["road_address"]
    assert after["toilet"]["grab_bar_height_cm"] == 65 and after["verdict"] == "accessible"
    sources = db.execute(text("SELECT field_sources FROM toilets WHERE id = :t"), {"t": toilet_id}).scalar_one()
    assert sources["toilet.door_clear_width_cm"]["version"] == 1
    assert sources["toilet.grab_bar_height_cm"]["version"] == 2
    version_sources = db.execute(text("SELECT field_sources FROM toilet_versions WHERE toilet_id = :t AND version = 2"),
                                 {"t": toilet_id}).scalar_one()
    assert version_sources == sources


def test_the_moderator_chooses_field_by_field(client, db):
    mod = moderator(db, client)
    toilet_id = _published(client, db, mod)
    report_id = _sparse_report(client, toilet_id, **{"toilet.door_clear_width_cm": 85, "toilet.grab_bars": "one_side"})
    claim_one(client, mod, report_id)
    p = client.get(f"/api/v1/moderation/reports/{report_id}/merge-preview?toilet_id={toilet_id}", headers=mod).json()
    assert p["verdict_after"] == "partially_accessible"
    before = {t: count_rows(db, t) for t in ("reviews", "toilet_versions", "audit_log")}
    for choices, path in (({"toilet.nope": "report"}, "field_choices.toilet.nope"),
                          ({"toilet.grab_bars": "mine"}, "field_choices.toilet.grab_bars")):
        bad = decide(client, mod, report_id, action="merge", field_choices=choices)
        body = assert_error_shape(bad, 422)
        assert any(f["path"].startswith(path.split(".")[0]) for f in body["fields"]), body
    assert {t: count_rows(db, t) for t in before} == before
    r = decide(client, mod, report_id, action="merge",
               field_choices={"toilet.door_clear_width_cm": "published", "toilet.emergency_bell": "report"})
    assert r.status_code == 200, r.text
    assert r.json()["review"]["field_choices"] == {"toilet.door_clear_width_cm": "published",
                                                    "toilet.emergency_bell": "report"}
    _confirm_second(client, db, r.json()["review"]["id"])
    after = client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]
    assert after["toilet"]["door_clear_width_cm"] == 100  # kept over the report's 85
    assert after["toilet"]["grab_bars"] == "one_side"  # the report's, by default
    assert after["toilet"]["emergency_bell"] is None  # the report's "unknown", chosen on purpose


def test_field_choices_are_for_a_merge_only(client, db):
    mod = moderator(db, client)
    report_id, _ = submit(client)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve", field_choices={"toilet.grab_bars": "report"})
    assert assert_error_shape(r, 422, "invalid_decision")["fields"][0]["path"] == "field_choices"


def test_moderator_confirmations_survive_merges(client, db):
    mod = moderator(db, client)
    toilet_id = _published(client, db, mod, **{"toilet.emergency_bell": None})  # confirmed on approval
    reasons = {r["criterion"]: r["outcome"] for r in client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]["verdict_reasons"]}
    assert reasons["emergency_bell"] == "confirmed"
    # a later report that cannot say either; merged without ticking the box again
    body = report_body(**{"toilet.emergency_bell": None, "toilet.grab_bars": "both_sides"})
    r = client.post("/api/v1/reports", json=body, headers=join_and_login(client))
    report_id = r.json()["id"]
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="merge", merge_into=toilet_id, field_choices={"toilet.emergency_bell": "report"})
    assert r.status_code == 200, r.text
    _confirm_second(client, db, r.json()["review"]["id"])
    props = client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]
    reasons = {r["criterion"]: r["outcome"] for r in props["verdict_reasons"]}
    assert reasons["emergency_bell"] == "confirmed" and props["verdict"] == "accessible"
    assert db.execute(text("SELECT confirmed FROM toilets WHERE id = :t"), {"t": toilet_id}).scalar_one() == ["emergency_bell"]


def test_merge_preview_errors_are_clear(client, db):
    mod = moderator(db, client)
    report_id, _ = submit(client, **{"notes": DELETE})
    claim_one(client, mod, report_id)
    url = f"/api/v1/moderation/reports/{report_id}/merge-preview"
    assert assert_error_shape(client.get(url, headers=mod), 422, "invalid_query")["fields"][0]["path"] == "toilet_id"
    assert assert_error_shape(client.get(url + "?toilet_id=nope", headers=mod), 422, "invalid_query")
    assert assert_error_shape(client.get(url + "?toilet_id=00000000-0000-4000-8000-000000000000", headers=mod),
                              404, "toilet_not_found")
