"""Every route documents the body it answers with, and the answers hold to it."""

from __future__ import annotations

from tests.moderation.helpers import claim_one, decide, moderator, submit
from toilets.schemas import NearbyCollection, ToiletCollection, ToiletFeature

# Answers that are files or streams: documented by content type, not by a JSON model.
BINARY_OR_STREAM = {
    ("get", "/api/v1/reports/{report_id}/photos/{photo_id}"),
    ("get", "/api/v1/exports/snapshots/{snapshot_id}/bundle.zip"),
    ("get", "/api/v1/exports/snapshots/{snapshot_id}/files/{name}"),
    ("get", "/api/v1/exports/{layer}.{fmt}"),
    ("get", "/maps/photos/{name}"),
    ("get", "/api/v1/toilets/{toilet_id}/photos/{name}"),
    ("get", "/api/v1/moderation/reports/{report_id}/map"),
    ("get", "/maps/preview"),
    ("get", "/tiles/toilets/{z}/{x}/{y}.mvt"),
    ("get", "/api/v1/office/tables/{table}.csv"),
    ("get", "/api/v1/office/report.csv"),
    ("get", "/api/v1/office/audit.csv"),
    ("get", "/api/v1/office/gaps.csv"),
}


def _success_schemas(op: dict) -> list[dict]:
    return [media.get("schema") or {} for code, resp in op["responses"].items() if code.startswith("2")
            for media in (resp.get("content") or {}).values()]


def _is_typed(schema: dict, components: dict) -> bool:
    if "$ref" in schema:
        return True
    if schema.get("type") == "array":
        return _is_typed(schema.get("items") or {}, components)
    return bool(schema.get("properties"))


def test_every_route_documents_a_typed_success_body(app):
    spec = app.openapi()
    untyped = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            schemas = _success_schemas(op)
            if (method, path) in BINARY_OR_STREAM:
                ok = bool(schemas) and all(s.get("type") in ("string", "object") for s in schemas)
            else:
                ok = bool(schemas) and all(_is_typed(s, spec["components"]) for s in schemas)
            if not ok:
                untyped.append(f"{method.upper()} {path}")
    assert untyped == []
    assert sum(len(ops) for ops in spec["paths"].values()) >= 44  # every operation was looked at


def test_the_published_geojson_holds_to_its_models(client, db):
    """The GeoJSON is built in PostGIS and not re-validated per request: here it is."""
    mod = moderator(db, client)
    report_id, _ = submit(client)
    claim_one(client, mod, report_id)
    toilet_id = decide(client, mod, report_id, action="approve").json()["toilet_id"]
    page = ToiletCollection.model_validate(client.get("/api/v1/toilets").json())
    assert [f.id for f in page.features] == [toilet_id]
    one = ToiletFeature.model_validate(client.get(f"/api/v1/toilets/{toilet_id}").json())
    assert one.properties.route is not None and one.properties.distance_m is None
    near = NearbyCollection.model_validate(
        client.get("/api/v1/toilets/nearby", params={"lon": 126.9779, "lat": 37.5663, "radius_m": 200}).json())
    assert near.features[0].properties.distance_m is not None
