"""The form schema: served, complete against DESIGN.md, bilingual, and upgradeable."""

import copy

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from mobile_schema.registry import SHIPPED_UPGRADES, SchemaRegistry, default_registry, load_shipped_schema
from mobile_schema.upgrades import upgrade_v1_to_v2
from tests.factories import join_and_login, report_body

# DESIGN.md "What a report holds (mobile form v1)": the contract between phone, API and exports.
DESIGN_FIELDS = {
    "location": {"lon", "lat", "accuracy_m", "source"},
    "place": {"name", "building_name", "building_type", "category", "road_address", "lot_address", "district",
              "floor", "location_detail", "opening", "opening_hours"},
    "toilet": {"arrangement", "door_type", "door_clear_width_cm", "threshold_height_cm", "turning_space_150cm",
               "interior_width_cm", "interior_depth_cm", "grab_bars", "grab_bar_foldable", "seat_height_cm",
               "emergency_bell", "washbasin_accessible", "baby_changing_table", "ostomy_sink",
               "lock_operable_one_hand"},
    "access_route": {"step_free", "path", "entrance_step_free", "entrance_door", "ramp_slope_percent", "elevator",
                     "obstacles"},
}
REQUIRED_VALUES = {("location", "lon"), ("location", "lat"), ("location", "source"), ("place", "name")}


def test_latest_and_versioned_schema_are_served(client):
    latest = client.get("/api/v1/mobile-schema")
    assert latest.status_code == 200 and latest.json()["x-schema-version"] == 2
    assert client.get("/api/v1/mobile-schema/2").json() == latest.json()
    assert client.get("/api/v1/mobile-schema/1").json()["x-schema-version"] == 1
    r = client.get("/api/v1/mobile-schema/7")
    assert r.status_code == 404 and r.json()["code"] == "schema_version_not_found"


V2_FIELDS = {
    "place": {"existing_toilet_id", "existing_toilet_gone"},
    "toilet": {"grab_bar_height_cm", "emergency_bell_height_cm", "washbasin_knee_clearance_cm",
               *(f + "_bound" for f in ("door_clear_width_cm", "threshold_height_cm", "interior_width_cm",
                                        "interior_depth_cm", "seat_height_cm", "grab_bar_height_cm",
                                        "emergency_bell_height_cm", "washbasin_knee_clearance_cm"))},
    "access_route": {"ramp_slope_percent_bound"},
}


@pytest.mark.parametrize("version", [1, 2])
def test_every_design_field_is_in_the_schema_with_labels_and_null_for_unknown(version):
    schema = load_shipped_schema(version)
    props = schema["properties"]
    assert {"client_submission_id", "schema_version", "observed_at", "notes"} <= set(props)
    for group, fields in DESIGN_FIELDS.items():
        group_props = props[group]["properties"]
        assert set(group_props) == fields | (V2_FIELDS.get(group, set()) if version == 2 else set()), group
        for name, spec in group_props.items():
            assert spec.get("title") and spec.get("x-title-en"), (group, name)
            types = spec["type"] if isinstance(spec.get("type"), list) else [spec.get("type")]
            if (group, name) not in REQUIRED_VALUES:
                assert "null" in types, f"{group}.{name} must accept null (unknown)"
            if "enum" in spec:
                labelled = set(spec["x-enum-labels"])
                assert labelled == {v for v in spec["enum"] if v is not None}, (group, name)
    toilet = props["toilet"]["properties"]
    assert toilet["arrangement"]["enum"][:4] == ["separate_accessible_per_gender", "unisex_accessible",
                                                 "inside_general_toilet", "none"]
    assert toilet["door_clear_width_cm"]["x-unit"] == "cm"
    obstacle = props["access_route"]["properties"]["obstacles"]["items"]["properties"]["kind"]
    assert set(obstacle["enum"]) == {"step", "steep_ramp", "narrow_passage", "heavy_door", "uneven_surface", "other"}


def test_registry_refuses_a_version_gap():
    v1 = load_shipped_schema(1)
    with pytest.raises(ValueError):
        SchemaRegistry({1: v1, 2: v1})


def _toy_v2() -> tuple[dict, callable]:
    """A toy v2 (test only): `notes` renamed to `remarks`, and a new `toilet.has_hoist` field."""
    v2 = copy.deepcopy(load_shipped_schema(1))
    v2["x-schema-version"] = 2
    v2["properties"]["schema_version"] = {"const": 2}
    v2["properties"]["remarks"] = v2["properties"].pop("notes")
    v2["properties"]["toilet"]["properties"]["has_hoist"] = {"type": ["boolean", "null"], "title": "리프트",
                                                             "x-title-en": "Ceiling hoist"}

    def upgrade_v1_to_v2(payload: dict) -> dict:
        payload["remarks"] = payload.pop("notes", None)
        payload["toilet"].setdefault("has_hoist", None)
        return payload

    return v2, upgrade_v1_to_v2


def test_old_clients_keep_working_after_a_schema_change(settings, database_url, connection):
    from sqlalchemy.orm import sessionmaker

    v2, upgrade = _toy_v2()
    registry = SchemaRegistry({1: load_shipped_schema(1), 2: v2}, {1: upgrade})
    app = create_app(settings, database_url=database_url, schema_registry=registry)
    app.state.session_factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    with TestClient(app) as client:
        assert client.get("/api/v1/mobile-schema").json()["x-schema-version"] == 2
        headers = join_and_login(client)
        old = report_body(notes="v1 phone")
        r = client.post("/api/v1/reports", headers=headers, json=old)
        assert r.status_code == 201, r.text
        row = connection.execute(text("SELECT raw_payload, payload, schema_version FROM reports WHERE id = :i"),
                                 {"i": r.json()["id"]}).one()
        assert row.raw_payload == old  # kept exactly as sent
        assert row.schema_version == 1
        assert row.payload["schema_version"] == 2 and row.payload["remarks"] == "v1 phone"
        assert "notes" not in row.payload and row.payload["toilet"]["has_hoist"] is None
        new = report_body()
        new["schema_version"] = 2
        new["remarks"] = new.pop("notes")
        new["toilet"]["has_hoist"] = True
        assert client.post("/api/v1/reports", headers=headers, json=new).status_code == 201
        v1_with_v2_field = report_body()
        v1_with_v2_field["toilet"]["has_hoist"] = True  # not part of form v1
        r = client.post("/api/v1/reports", headers=headers, json=v1_with_v2_field)
        assert r.status_code == 422 and r.json()["fields"][0]["path"] == "toilet.has_hoist"
    app.state.engine.dispose()


def test_shipped_registry_is_v2_with_the_upgrade_from_v1():
    registry = default_registry()
    assert registry.latest_version == 2 and registry.has(1)
    assert registry.upgrades == SHIPPED_UPGRADES and SHIPPED_UPGRADES[1] is upgrade_v1_to_v2
