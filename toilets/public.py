"""The published layer as the public reads it: GeoJSON built inside PostGIS, no volunteer identity.

Only `toilets` and `toilet_routes` are read here; a report (pending, rejected, anything) never
reaches these functions. Volunteer ids, nicknames and report ids are never part of the output.
"""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import fail
from toilets.criteria import criteria_json_sql
from toilets.filters import LayerFilter

# How long a verification counts as fresh (core.config REVERIFY_AFTER_MONTHS), when the caller
# does not say.
DEFAULT_REVERIFY_AFTER_MONTHS = 12

# One feature, as JSON, straight from the database (tipg's habit: PostGIS builds the GeoJSON).
_FEATURE_SQL = """
    json_build_object(
        'type', 'Feature',
        'id', t.id,
        'geometry', ST_AsGeoJSON(t.location, 7)::json,
        'properties', json_build_object(
            'id', t.id, 'version', t.version, 'status', t.status, 'retired_reason', t.retired_reason,
            'name', t.name, 'building_name', t.building_name, 'floor', t.floor,
            'district_code', t.district_code, 'district_name_ko', d.name_ko, 'district_name_en', d.name_en,
            'verdict', t.verdict, 'verdict_reasons', t.verdict_reasons, 'last_verified_at', t.last_verified_at, 'updated_at', t.updated_at,
            'place', t.data -> 'place', 'toilet', t.data -> 'toilet', 'access_route', t.data -> 'access_route',
            'route', CASE WHEN rt.path IS NULL OR rt.status <> 'active' THEN NULL
                          ELSE ST_AsGeoJSON(rt.path, 7)::json END,
            'photos', to_json(t.photo_files),
            'criteria', {criteria},
            'verified_age', {verified_age}
            {extra}
        )
    )
"""
# A verification older than :reverify_months months is ageing: the toilet says so, with its date.
VERIFIED_AGE_SQL = """json_build_object(
    'verified_on', to_char(t.last_verified_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD'),
    'months', (extract(year FROM age(now(), t.last_verified_at)) * 12
               + extract(month FROM age(now(), t.last_verified_at)))::int,
    'reverify_after_months', CAST(:reverify_months AS int),
    'ageing', t.last_verified_at < now() - make_interval(months => CAST(:reverify_months AS int)))"""


def _feature_sql(extra: str = "") -> str:
    return _FEATURE_SQL.format(criteria=criteria_json_sql("t"), verified_age=VERIFIED_AGE_SQL, extra=extra)


_FROM = "FROM toilets t JOIN districts d ON d.code = t.district_code LEFT JOIN toilet_routes rt ON rt.toilet_id = t.id"


def list_toilets(db: Session, *, where: LayerFilter = LayerFilter(), include_retired: bool = False,
                 page: int = 1, page_size: int = 100,
                 reverify_after_months: int = DEFAULT_REVERIFY_AFTER_MONTHS) -> dict[str, Any]:
    """A GeoJSON FeatureCollection page (RFC 7946; paging in `numberMatched`/`numberReturned`/`links`)."""
    params: dict[str, Any] = {}
    conditions = [where.where_sql("t.location", params)]
    if not include_retired:
        conditions.append("t.status = 'active'")
    cond = " AND ".join(conditions)
    matched = db.execute(text(f"SELECT count(*) FROM toilets t WHERE {cond}"), params).scalar_one()
    rows = db.execute(text(f"""
        SELECT {_feature_sql()} AS f {_FROM} WHERE {cond}
        ORDER BY t.name, t.id LIMIT :limit OFFSET :offset"""),
        {**params, "limit": page_size, "offset": (page - 1) * page_size,
         "reverify_months": reverify_after_months}).scalars().all()
    return {"type": "FeatureCollection", "features": list(rows), "numberMatched": matched,
            "numberReturned": len(rows), "page": page, "page_size": page_size,
            "has_next": page * page_size < matched}


def get_toilet_feature(db: Session, toilet_id: uuid.UUID, *,
                       reverify_after_months: int = DEFAULT_REVERIFY_AFTER_MONTHS) -> dict[str, Any]:
    row = db.execute(text(f"SELECT {_feature_sql()} {_FROM} WHERE t.id = :id"),
                     {"id": toilet_id, "reverify_months": reverify_after_months}).scalar_one_or_none()
    if row is None:
        raise fail("toilet_not_found")
    return row


def _degrees_around(lat: float, radius_m: float) -> dict[str, float]:
    """Half-sides in degrees of a box that holds every point within `radius_m` metres of a point
    at latitude `lat`: on the WGS84 ellipsoid a degree of latitude is at least 110,574 m and one of
    longitude at least 111,320·cos(lat) m; 1 % more as a margin."""
    cos_lat = max(math.cos(math.radians(min(abs(lat), 89.0))), 1e-6)
    return {"dlat": radius_m / 110_574 * 1.01, "dlon": min(radius_m / (111_320 * cos_lat) * 1.01, 360.0)}


def nearby_toilets(db: Session, *, lon: float, lat: float, radius_m: float, limit: int = 50,
                   where: LayerFilter = LayerFilter(),
                   reverify_after_months: int = DEFAULT_REVERIFY_AFTER_MONTHS) -> dict[str, Any]:
    """Active toilets within `radius_m` metres (geodesic), nearest first, each with `distance_m`."""
    params: dict[str, Any] = {"lon": lon, "lat": lat, "r": radius_m, "limit": limit,
                              "reverify_months": reverify_after_months, **_degrees_around(lat, radius_m)}
    cond = where.where_sql("t.location", params)
    # The box in degrees lets the GiST index on location find the candidates (the geography cast
    # alone cannot use it: every toilet was measured, 0.6 s a call at 20,000); ST_DWithin decides.
    rows = db.execute(text(f"""
        SELECT {_feature_sql(", 'distance_m', round(ST_Distance(t.location::geography, p.g)::numeric, 1)")}
        {_FROM}, (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS g) p
        WHERE t.status = 'active'
          AND t.location && ST_Expand(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), :dlon, :dlat)
          AND ST_DWithin(t.location::geography, p.g, :r) AND {cond}
        ORDER BY ST_Distance(t.location::geography, p.g), t.id LIMIT :limit"""), params).scalars().all()
    return {"type": "FeatureCollection", "features": list(rows), "numberReturned": len(rows),
            "center": {"lon": lon, "lat": lat}, "radius_m": radius_m}


def toilet_history(db: Session, toilet_id: uuid.UUID) -> dict[str, Any]:
    """Versions, change-log entries and audited actions (without who: the public may read it)."""
    exists = db.execute(text("SELECT 1 FROM toilets WHERE id = :id"), {"id": toilet_id}).scalar_one_or_none()
    if exists is None:
        raise fail("toilet_not_found")
    versions = db.execute(text("""
        SELECT v.version, v.status, v.name, v.verdict, v.verdict_reasons, v.created_at, v.data,
               ST_AsGeoJSON(v.location, 7)::json AS location, ST_AsGeoJSON(v.route_path, 7)::json AS route,
               r.action AS review_action, r.edits AS review_edits, r.status AS review_status
        FROM toilet_versions v LEFT JOIN reviews r ON r.id = v.review_id
        WHERE v.toilet_id = :id ORDER BY v.version"""), {"id": toilet_id}).mappings().all()
    changes = db.execute(text("""SELECT seq, entity, op, version, changed_at FROM change_log
                                 WHERE entity_id = :id ORDER BY seq"""), {"id": toilet_id}).mappings().all()
    # No `reason`: it is the moderator's free text (a retirement's published reason is the
    # version's `retired_reason`).
    events = db.execute(text("""SELECT at, action FROM audit_log
                                WHERE object_type = 'toilet' AND object_id = :id ORDER BY id"""),
                        {"id": str(toilet_id)}).mappings().all()
    out_versions = []
    for v in versions:
        row = _jsonable(v)
        row["review_edits"] = public_edits(row.get("review_edits"))
        out_versions.append(row)
    return {"toilet_id": str(toilet_id),
            "versions": out_versions,
            "changes": [_jsonable(c) for c in changes],
            "events": [_jsonable(e) for e in events]}


# What a toilet publishes (toilets.service.published_data, its point and its route).
_PUBLISHED_GROUPS = ("place", "toilet", "access_route")


def public_edits(diff: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """A review's diff as the public may read it: published fields only.

    - place.*, toilet.*, access_route.* (not its path): path, before and after, as stored;
    - the point and the route (`location`, its lon/lat, `access_route.path`): `after` only,
      the published geometry; `before` is the volunteer's own GPS fix or trace, never published;
    - anything else (notes, location.accuracy_m, location.source…): left out entirely.
    """
    if diff is None:
        return None
    out = []
    for edit in diff:
        path = str(edit.get("path", ""))
        before, after = edit.get("before"), edit.get("after")
        if path == "location":
            out.append({"path": path, "after": {k: after.get(k) for k in ("lon", "lat")}
                        if isinstance(after, dict) else after})
        elif path in ("location.lon", "location.lat") or path == "access_route.path" \
                or path.startswith("access_route.path."):
            out.append({"path": path, "after": after})
        elif path == "access_route":  # the whole group: its fields, its route only as published
            out.append({"path": path, "before": _without_path(before), "after": _without_path(after)})
        elif path.split(".")[0] in _PUBLISHED_GROUPS:
            out.append({"path": path, "before": before, "after": after})
    return out


def _without_path(group: Any) -> Any:
    return {k: v for k, v in group.items() if k != "path"} if isinstance(group, dict) else group


def _jsonable(row: Any) -> dict[str, Any]:
    # times as RFC 3339 (isoformat: "T" between date and time), not str()'s "2026-12-01 09:11:38"
    return json.loads(json.dumps(dict(row), default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))


# For other domains' queries that must join the published layer in one statement (duplicate
# search, the moderation queue's district gaps): the SQL about `toilets` is written here, by
# its owner. `lon`, `lat` (the point) and `name` (for trigram similarity) are SQL expressions:
# bind parameters, or columns of a row the query is run for (LATERAL). Bind parameters: :deg
# (an index pre-filter in degrees), :radius (metres). Columns: kind, id, name, floor, dist, sim,
# building_name, names_toilet (NULL: a toilet names no other toilet).
def active_toilets_near_sql(lon: str = ":lon", lat: str = ":lat", name: str = ":name") -> str:
    point = f"ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)"
    return f"""
    SELECT 'toilet' AS kind, t.id::text AS id, t.name, t.floor,
           ST_Distance(t.location::geography, {point}::geography) AS dist,
           similarity(t.name, {name}) AS sim, t.building_name, NULL::text AS names_toilet
      FROM toilets t
     WHERE t.status = 'active'
       AND ST_DWithin(t.location, {point}, :deg)
       AND ST_DWithin(t.location::geography, {point}::geography, :radius)
"""


ACTIVE_TOILETS_NEAR_SQL = active_toilets_near_sql()  # for one point given as :lon, :lat, :name


# Active toilets per district: columns district_code, published.
PUBLISHED_PER_DISTRICT_SQL = """
    SELECT district_code, count(*) AS published FROM toilets WHERE status = 'active' GROUP BY district_code
"""
# The same for every district, counted only up to :up_to (the queue's gap target: beyond it the
# count changes nothing), so its cost stays bounded however many toilets are published (one
# short index scan per district). Columns: district_code, published.
PUBLISHED_PER_DISTRICT_UP_TO_SQL = """
    SELECT d.code AS district_code, p.published
      FROM districts d CROSS JOIN LATERAL (
           SELECT count(*) AS published FROM (
                  SELECT 1 FROM toilets t WHERE t.district_code = d.code AND t.status = 'active' LIMIT :up_to) s) p
"""


def active_toilets_around(db: Session, *, lon: float, lat: float, radius_m: float) -> list[dict[str, Any]]:
    """Active toilets within `radius_m` metres with their active route as GeoJSON text (the
    console's map beside a report)."""
    return [dict(r) for r in db.execute(text("""
        SELECT t.id, t.name, t.floor, t.verdict, ST_X(t.location) AS lon, ST_Y(t.location) AS lat,
               ST_AsGeoJSON(rt.path, 7) AS route
          FROM toilets t LEFT JOIN toilet_routes rt ON rt.toilet_id = t.id AND rt.status = 'active'
         WHERE t.status = 'active'
           AND ST_DWithin(t.location::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :r)"""),
        {"lon": lon, "lat": lat, "r": radius_m}).mappings()]


def toilet_summary(db: Session, toilet_id: str) -> dict[str, Any] | None:
    """A published toilet's id, name, status, verdict, version and floor (active or retired), or
    None when there is no such toilet (or `toilet_id` is not a UUID)."""
    try:
        tid = uuid.UUID(str(toilet_id))
    except ValueError:
        return None
    row = db.execute(text("""SELECT t.id::text AS id, t.name, t.status, t.verdict, t.version, t.floor,
                                    t.building_name, t.district_code FROM toilets t WHERE t.id = :id"""),
                     {"id": tid}).mappings().one_or_none()
    return dict(row) if row is not None else None


def is_main_photo(db: Session, name: str) -> bool:
    """Whether a public photo file name is the main photo of a published toilet."""
    return db.execute(text("SELECT EXISTS (SELECT 1 FROM toilets WHERE photo_files[1] = :name)"),
                      {"name": name}).scalar_one()


# For matching many reference records at once (reference/matching.py): LATERAL subqueries over
# the published layer, written here by its owner. Columns: toilet_id, toilet_name, dist (metres,
# NULL by address), sim (pg_trgm similarity of the names). Binds :deg and :radius (metres).
def active_toilets_near_point_sql(*, point: str, name: str, limit: int = 5) -> str:
    """Active toilets within :radius metres of the SQL point expression `point`, nearest first."""
    return f"""
      SELECT t.id AS toilet_id, t.name AS toilet_name,
             ST_Distance(t.location::geography, ({point})::geography) AS dist,
             similarity(t.name, {name}) AS sim
        FROM toilets t
       WHERE t.status = 'active' AND ST_DWithin(t.location, {point}, :deg)
         AND ST_DWithin(t.location::geography, ({point})::geography, :radius)
       ORDER BY dist, t.id LIMIT {int(limit)}"""


def active_toilet_address_keys_sql() -> str:
    """Active toilets with the keys of their road and lot addresses (geo.districts.road_address_key_sql,
    lot_address_key_sql), to be joined on (district_code, key): each toilet's keys computed once."""
    from geo.districts import lot_address_key_sql, road_address_key_sql

    road = road_address_key_sql("t.data -> 'place' ->> 'road_address'")
    lot = lot_address_key_sql("t.data -> 'place' ->> 'lot_address'")
    return f"""
      SELECT t.id AS toilet_id, t.name AS toilet_name, t.district_code, {road} AS road_key, {lot} AS lot_key
        FROM toilets t WHERE t.status = 'active'"""


def is_published(db: Session, toilet_id: uuid.UUID) -> bool:
    """Whether the id names an active published toilet (the finder's own page for it)."""
    return db.execute(text("SELECT EXISTS (SELECT 1 FROM toilets WHERE id = :id AND status = 'active')"),
                      {"id": toilet_id}).scalar_one()


def has_photo(db: Session, toilet_id: uuid.UUID, name: str) -> bool:
    """Whether `name` is one of the public photo files an active published toilet shows."""
    return db.execute(text("""SELECT EXISTS (SELECT 1 FROM toilets WHERE id = :id AND status = 'active'
                                                AND :name = ANY(photo_files))"""),
                      {"id": toilet_id, "name": name}).scalar_one()
