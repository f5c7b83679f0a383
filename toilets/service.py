"""Writing the published layer: create, update and retire toilets with their routes.

Each write makes a new row in `toilet_versions` (provenance: the report and review behind it)
and appends to the change log in the caller's transaction. Callers (moderation decisions, the
demo loader) own the transaction; these functions only flush.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from geoalchemy2.shape import from_shape
from shapely import LineString, Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import fail, field_error
from geo.service import locate_point
from reports.photos import public_photo_files
from toilets.changelog import append_change
from toilets.merge import Choice, merge_fields, merged_data, sources_of
from toilets.models import Toilet, ToiletRoute, ToiletVersion
from toilets.verdict import assess

# Report fields that describe the place itself; the rest (ids, timestamps, notes) stay with the report.
PUBLISHED_GROUPS = ("place", "toilet", "access_route")
# The order a toilet's photos are shown in (exports, preview): the way in first.
PHOTO_DISPLAY_ORDER = ("entrance", "door", "interior", "route", "other")


# What a report says about itself, not about the place (form v2): never published.
REPORT_ONLY_FIELDS = {"place": ("existing_toilet_id", "existing_toilet_gone")}


def published_data(payload: dict[str, Any]) -> dict[str, Any]:
    """The part of a (latest-version) report payload a toilet publishes: place, toilet, access
    route without its geometry (that lives in toilet_routes), and without what the report says
    about itself (REPORT_ONLY_FIELDS: the toilet it names). Unknown stays null."""
    data = {group: copy.deepcopy(payload.get(group) or {}) for group in PUBLISHED_GROUPS}
    data["access_route"].pop("path", None)
    for group, fields in REPORT_ONLY_FIELDS.items():
        for field in fields:
            data[group].pop(field, None)
    return data


def _point(payload: dict[str, Any]) -> tuple[float, float]:
    return float(payload["location"]["lon"]), float(payload["location"]["lat"])


def _district(db: Session, lon: float, lat: float, tolerance_m: float) -> str:
    place = locate_point(db, lon=lon, lat=lat, tolerance_m=tolerance_m)
    if place.district_code is None:
        raise fail("outside_seoul", field_error("location", "서울 안으로 옮겨 주세요.", "Move the point inside Seoul."))
    return place.district_code


def create_toilet(
    db: Session, *, payload: dict[str, Any], report_id: int | None, review_id: int | None,
    confirmed: frozenset[str] = frozenset(), verified_at: datetime | None = None, border_tolerance_m: float = 50.0,
) -> Toilet:
    lon, lat = _point(payload)
    data = published_data(payload)
    place = data["place"]
    assessment = assess(data, confirmed)
    now = verified_at or datetime.now(UTC)
    toilet = Toilet(
        version=1, status="active", name=place["name"].strip(), building_name=place.get("building_name"),
        floor=place.get("floor"), district_code=_district(db, lon, lat, border_tolerance_m),
        location=from_shape(Point(lon, lat), srid=4326), data=data,
        verdict=assessment.verdict, verdict_reasons=assessment.reasons_json(),
        field_sources=sources_of(data, version=1, at=now.isoformat()), confirmed=sorted(confirmed),
        last_verified_at=now,
    )
    _show_photos_of(db, toilet, report_id)  # before the first flush: the row goes in complete, in one INSERT
    db.add(toilet)
    db.flush()
    path = (payload.get("access_route") or {}).get("path")
    if path:
        db.add(ToiletRoute(toilet_id=toilet.id, version=1, status="active",
                           path=from_shape(LineString(path["coordinates"]), srid=4326),
                           step_free=data["access_route"].get("step_free")))
    _snapshot(db, toilet, path, report_id, review_id)
    append_change(db, entity="toilet", entity_id=toilet.id, op="create", version=1)
    if path:
        append_change(db, entity="route", entity_id=toilet.id, op="create", version=1)
    return toilet


def merge_plan(toilet: Toilet, payload: dict[str, Any], choices: dict[str, Choice] | None = None):
    """What merging `payload` into the toilet would do, field by field (toilets.merge)."""
    return merge_fields(toilet.data or {}, published_data(payload), sources=toilet.field_sources or {},
                        choices=choices)


def merged_result(toilet: Toilet, payload: dict[str, Any], *, choices: dict[str, Choice] | None = None,
                  confirmed: frozenset[str] = frozenset(), version: int | None = None,
                  at: str = "") -> tuple[dict[str, Any], dict[str, Any], frozenset[str]]:
    """The toilet's data after the merge, its fields' sources, and the confirmations it carries
    (the published ones and the new ones: a moderator's confirmation survives merges)."""
    fields = merge_plan(toilet, payload, choices)
    data, sources = merged_data(toilet.data or {}, published_data(payload), fields,
                                version=version if version is not None else toilet.version + 1, at=at,
                                sources=toilet.field_sources or {})
    return data, sources, frozenset(toilet.confirmed or ()) | confirmed


def update_toilet(
    db: Session, *, toilet: Toilet, payload: dict[str, Any], report_id: int | None, review_id: int | None,
    confirmed: frozenset[str] = frozenset(), verified_at: datetime | None = None, border_tolerance_m: float = 50.0,
    choices: dict[str, Choice] | None = None,
) -> Toilet:
    """A new version from a (merged or edited) report payload, merged field by field into what
    is published (toilets.merge: what the report leaves unknown keeps its published value and
    source; `choices` override that per field); confirmations accumulate. The route follows the
    payload: a path replaces the old one, no path keeps the published route."""
    if toilet.status != "active":
        raise fail("toilet_retired")
    lon, lat = _point(payload)
    now = verified_at or datetime.now(UTC)
    data, sources, confirmed = merged_result(toilet, payload, choices=choices, confirmed=confirmed,
                                             at=now.isoformat())
    toilet.version += 1
    toilet.name = data["place"]["name"].strip()
    toilet.building_name = data["place"].get("building_name")
    toilet.floor = data["place"].get("floor")
    toilet.district_code = _district(db, lon, lat, border_tolerance_m)
    toilet.location = from_shape(Point(lon, lat), srid=4326)
    toilet.data = data
    toilet.field_sources = sources
    toilet.confirmed = sorted(confirmed)
    assessment = assess(data, confirmed)
    toilet.verdict = assessment.verdict
    toilet.verdict_reasons = assessment.reasons_json()
    toilet.last_verified_at = now
    toilet.updated_at = now
    db.flush()
    path = (payload.get("access_route") or {}).get("path")
    route = db.get(ToiletRoute, toilet.id)
    if path:
        geom = from_shape(LineString(path["coordinates"]), srid=4326)
        if route is None:
            db.add(ToiletRoute(toilet_id=toilet.id, version=1, status="active", path=geom,
                               step_free=data["access_route"].get("step_free")))
            db.flush()
            append_change(db, entity="route", entity_id=toilet.id, op="create", version=1)
        else:
            route.version += 1
            route.status = "active"
            route.path = geom
            route.step_free = data["access_route"].get("step_free")
            route.updated_at = now
            db.flush()
            append_change(db, entity="route", entity_id=toilet.id, op="update", version=route.version)
    elif route is not None and route.step_free != data["access_route"].get("step_free"):
        route.version += 1
        route.step_free = data["access_route"].get("step_free")
        route.updated_at = now
        db.flush()
        append_change(db, entity="route", entity_id=toilet.id, op="update", version=route.version)
    _show_photos_of(db, toilet, report_id)
    _snapshot(db, toilet, path or _current_path(db, toilet), report_id, review_id)
    append_change(db, entity="toilet", entity_id=toilet.id, op="update", version=toilet.version)
    return toilet


def retire_toilet(db: Session, *, toilet: Toilet, reason: str, report_id: int | None, review_id: int | None) -> Toilet:
    """Closed or removed: the toilet stays (exports keep it marked unusable), its route retires too."""
    if toilet.status == "retired":
        raise fail("toilet_retired")
    if not reason or not reason.strip():
        raise fail("retire_reason_required", field_error("reason", "꼭 입력해야 합니다.", "This field is required."))
    now = datetime.now(UTC)
    toilet.version += 1
    toilet.status = "retired"
    toilet.retired_reason = reason.strip()
    toilet.updated_at = now
    db.flush()
    route = db.get(ToiletRoute, toilet.id)
    if route is not None and route.status == "active":
        route.version += 1
        route.status = "retired"
        route.updated_at = now
        db.flush()
        append_change(db, entity="route", entity_id=toilet.id, op="retire", version=route.version)
    _show_photos_of(db, toilet, report_id)
    _snapshot(db, toilet, _current_path(db, toilet), report_id, review_id)
    append_change(db, entity="toilet", entity_id=toilet.id, op="retire", version=toilet.version)
    return toilet


def _current_path(db: Session, toilet: Toilet) -> dict[str, Any] | None:
    from geoalchemy2.shape import to_shape

    route = db.get(ToiletRoute, toilet.id)
    if route is None:
        return None
    return {"type": "LineString", "coordinates": [list(c) for c in to_shape(route.path).coords]}


def _show_photos_of(db: Session, toilet: Toilet, report_id: int | None) -> None:
    if report_id is not None:  # the toilet now shows this report's photos (none if it had none)
        toilet.photo_files = public_photo_files(db, report_id, order=PHOTO_DISPLAY_ORDER)


def _snapshot(db: Session, toilet: Toilet, path: dict[str, Any] | None, report_id: int | None,
              review_id: int | None) -> None:
    db.add(ToiletVersion(
        toilet_id=toilet.id, version=toilet.version, status=toilet.status, name=toilet.name,
        location=toilet.location, route_path=from_shape(LineString(path["coordinates"]), srid=4326) if path else None,
        data=toilet.data, verdict=toilet.verdict, verdict_reasons=toilet.verdict_reasons, report_id=report_id,
        review_id=review_id, field_sources=toilet.field_sources, confirmed=toilet.confirmed,
    ))
    db.flush()


def versions_of(db: Session, toilet_id) -> list[ToiletVersion]:
    return list(db.scalars(select(ToiletVersion).where(ToiletVersion.toilet_id == toilet_id)
                           .order_by(ToiletVersion.version)))
