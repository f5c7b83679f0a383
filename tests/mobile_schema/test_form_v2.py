"""Form v2 shipped: v1 bodies still accepted and upgraded (on bodies as stored), bounds on
measurements, the new measured fields, and `place.existing_toilet_id` checked against the
published layer, with bilingual errors at the field and nothing stored on a refusal."""

from __future__ import annotations

import copy
import random

import pytest
from sqlalchemy import text

from demo.loader import demo_payload, read_sample
from mobile_schema.registry import SHIPPED_UPGRADES, default_registry, load_shipped_schema
from mobile_schema.upgrades import BOUNDED_FIELDS
from tests.factories import DELETE, count_rows, join_and_login, report_body, report_body_v2
from tests.moderation.helpers import claim_one, decide, moderator, submit


V1_BODIES = [
    report_body(),
    report_body(**{"toilet.arrangement": "none", "access_route.path": None, "access_route.obstacles": None}),
    # a v1 client that leaves out what it did not ask (every optional field absent)
    report_body(**{f"toilet.{k}": DELETE for k in report_body()["toilet"]},
                **{f"place.{k}": DELETE for k in report_body()["place"] if k != "name"},
                **{"access_route.path": DELETE, "access_route.obstacles": DELETE, "notes": DELETE}),
]


@pytest.mark.parametrize("body", V1_BODIES, ids=["full", "none-here", "sparse"])
def test_a_stored_v1_body_upgrades_to_a_valid_v2_payload(client, db, body):
    headers = join_and_login(client)
    r = client.post("/api/v1/reports", json=body, headers=headers)
    assert r.status_code == 201, r.text
    row = db.execute(text("SELECT raw_payload, payload, schema_version FROM reports WHERE id = :i"),
                     {"i": r.json()["id"]}).one()
    assert row.schema_version == 1 and row.raw_payload == body  # kept as sent
    registry = default_registry()
    upgraded = SHIPPED_UPGRADES[1](copy.deepcopy(row.raw_payload))
    assert upgraded["schema_version"] == 2
    assert registry.validate(upgraded) == 2  # a v1 body, upgraded, is a valid v2 body
    assert row.payload == registry.upgrade(row.raw_payload)
    assert row.payload["place"]["existing_toilet_id"] is None
    for group, fields in BOUNDED_FIELDS.items():
        for field in fields:
            assert row.payload[group][field + "_bound"] is None  # v1 measured exactly, or not at all
    for new in ("grab_bar_height_cm", "emergency_bell_height_cm", "washbasin_knee_clearance_cm"):
        assert row.payload["toilet"][new] is None
    # the raw v1 body itself is not changed by upgrading it
    assert "existing_toilet_id" not in row.raw_payload["place"]


def test_the_demo_v1_payloads_upgrade_and_validate_as_v2():
    registry = default_registry()
    rng = random.Random(7)
    for row in read_sample()[:40]:
        body = demo_payload(row, rng)
        assert registry.validate(body) == 1
        assert registry.validate(registry.upgrade(body)) == 2


def test_new_measured_fields_have_unit_range_and_help_in_both_languages():
    toilet = load_shipped_schema(2)["properties"]["toilet"]["properties"]
    for field, (low, high) in {"grab_bar_height_cm": (60, 70), "emergency_bell_height_cm": (60, 90),
                               "washbasin_knee_clearance_cm": (65, None), "seat_height_cm": (40, 45)}.items():
        node = toilet[field]
        assert node["x-unit"] == "cm" and node["type"] == ["number", "null"]
        assert node["minimum"] < low and (high is None or node["maximum"] > high)
        assert node["title"] and node["x-title-en"] and node["description"] and node["x-description-en"]
        assert str(low) in node["description"] and str(low) in node["x-description-en"]  # the rule is in the help
        bound = toilet[field + "_bound"]
        assert bound["enum"] == ["at_least", "at_most", None] and bound["x-bound-of"] == field
        assert set(bound["x-enum-labels"]) == {"at_least", "at_most"} and bound["x-null-label"]["en"]


def test_a_v2_report_with_bounds_and_new_heights_is_stored_as_sent(client, db):
    headers = join_and_login(client)
    body = report_body_v2(**{"toilet.door_clear_width_cm": 90, "toilet.door_clear_width_cm_bound": "at_least",
                             "toilet.grab_bar_height_cm": 65, "toilet.emergency_bell_height_cm": 80,
                             "toilet.washbasin_knee_clearance_cm": 60,
                             "toilet.washbasin_knee_clearance_cm_bound": "at_most",
                             "access_route.ramp_slope_percent": 5, "access_route.ramp_slope_percent_bound": "at_most"})
    r = client.post("/api/v1/reports", json=body, headers=headers)
    assert r.status_code == 201, r.text
    row = db.execute(text("SELECT raw_payload, payload, schema_version FROM reports WHERE id = :i"),
                     {"i": r.json()["id"]}).one()
    assert row.schema_version == 2 and row.raw_payload == body
    assert row.payload["toilet"]["door_clear_width_cm_bound"] == "at_least"
    assert row.payload["toilet"]["washbasin_knee_clearance_cm"] == 60


@pytest.mark.parametrize(("overrides", "path", "ko_part", "en_part"), [
    ({"toilet.door_clear_width_cm": None, "toilet.door_clear_width_cm_bound": "at_least"},
     "toilet.door_clear_width_cm", "값도 적어", "needs a value"),
    ({"toilet.seat_height_cm": DELETE, "toilet.seat_height_cm_bound": "at_most"},
     "toilet.seat_height_cm", "값도 적어", "needs a value"),
    ({"toilet.door_clear_width_cm_bound": "more_or_less"}, "toilet.door_clear_width_cm_bound", "다음 중", "one of"),
    ({"toilet.grab_bar_height_cm": 500}, "toilet.grab_bar_height_cm", "이하", "at most"),
    ({"toilet.emergency_bell_height_cm": -1}, "toilet.emergency_bell_height_cm", "이상", "at least"),
    ({"place.existing_toilet_id": "not-a-uuid"}, "place.existing_toilet_id", "uuid", "uuid"),
    ({"place.existing_toilet_gone": "closed"}, "place.existing_toilet_id", "골라 주세요", "Choose which toilet"),
    ({"place.existing_toilet_gone": "exploded"}, "place.existing_toilet_gone", "다음 중", "one of"),
])
def test_bad_v2_values_are_422_at_their_field_in_both_languages(client, db, overrides, path, ko_part, en_part):
    headers = join_and_login(client)
    before = count_rows(db, "reports")
    r = client.post("/api/v1/reports", json=report_body_v2(**overrides), headers=headers)
    assert r.status_code == 422, r.text
    fields = {f["path"]: f for f in r.json()["fields"]}
    assert path in fields, fields
    assert ko_part in fields[path]["message_ko"] and en_part in fields[path]["message_en"]
    assert count_rows(db, "reports") == before


def test_a_v1_body_may_not_carry_v2_fields(client):
    headers = join_and_login(client)
    body = report_body(**{"toilet.door_clear_width_cm_bound": "at_least"})
    r = client.post("/api/v1/reports", json=body, headers=headers)
    assert r.status_code == 422 and r.json()["fields"][0]["path"] == "toilet.door_clear_width_cm_bound"


def _published_toilet(client, db) -> str:
    report_id, _ = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve")
    assert r.status_code == 200, r.text
    return r.json()["toilet_id"]


def test_existing_toilet_id_must_be_a_published_toilet_still_on_the_map(client, db):
    headers = join_and_login(client)
    before = count_rows(db, "reports")
    r = client.post("/api/v1/reports", headers=headers, json=report_body_v2(
        **{"place.existing_toilet_id": "00000000-0000-4000-8000-000000000000"}))
    assert r.status_code == 422, r.text
    field = r.json()["fields"][0]
    assert field["path"] == "place.existing_toilet_id"
    assert "지도에 없는" in field["message_ko"] and "No published toilet" in field["message_en"]
    assert count_rows(db, "reports") == before

    toilet_id = _published_toilet(client, db)
    ok = client.post("/api/v1/reports", headers=headers,
                     json=report_body_v2(**{"place.existing_toilet_id": toilet_id}))
    assert ok.status_code == 201, ok.text

    db.execute(text("UPDATE toilets SET status = 'retired', retired_reason = 'test' WHERE id = :t"), {"t": toilet_id})
    before = count_rows(db, "reports")
    r = client.post("/api/v1/reports", headers=headers,
                    json=report_body_v2(**{"place.existing_toilet_id": toilet_id,
                                           "place.existing_toilet_gone": "closed"}))
    assert r.status_code == 422, r.text
    field = r.json()["fields"][0]
    assert field["path"] == "place.existing_toilet_id"
    assert "폐쇄" in field["message_ko"] and "retired" in field["message_en"]
    assert count_rows(db, "reports") == before
