"""The SQL of an export: one statement per request, composed from the profile's column
expressions and the shared layer filter, with bind parameters (never pasted values). PostGIS
builds every feature or CSV row; `exports.stream` copies the bytes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg

from core.config import Settings
from exports.profiles import Profile
from exports.profiles.base import Column
from exports.request import ExportRequest
from exports.sql import csv_safe

FROM_BY_LAYER = {
    "toilets": ("toilets t JOIN districts d ON d.code = t.district_code", "t.location", "t.status"),
    "routes": ("toilet_routes r JOIN toilets t ON t.id = r.toilet_id JOIN districts d ON d.code = t.district_code",
               "r.path", "r.status"),
}


@dataclass
class Query:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)


def _params(settings: Settings) -> dict[str, Any]:
    return {"photo_prefix": settings.export_photo_url_prefix.rstrip("/"), "theme_id": settings.export_theme_id,
            "reverify_months": settings.reverify_after_months}


def base_query(req: ExportRequest, settings: Settings, select: str) -> Query:
    from_sql, geom, status = FROM_BY_LAYER[req.layer]
    params = _params(settings)
    match = req.where.where_sql(geom, params)
    if req.profile_obj.include:
        match = f"({match}) AND ({req.profile_obj.include})"
    if req.since is None:
        where = match if req.profile_obj.keep_retired else f"{status} = 'active' AND {match}"
        return Query(f"SELECT {select} FROM {from_sql} WHERE {where} ORDER BY t.id", params)
    params["since"] = req.since
    if req.profile_obj.keep_retired:  # retired stays as an item marked unusable
        change = f"CASE WHEN NOT ({match}) THEN 'delete' WHEN {status} = 'active' THEN 'upsert' ELSE 'retire' END"
    else:
        change = f"CASE WHEN {status} = 'active' AND ({match}) THEN 'upsert' ELSE 'delete' END"
    return Query(
        f"SELECT {select} FROM {from_sql} "
        "JOIN (SELECT DISTINCT entity_id FROM change_log WHERE seq > :since) c ON c.entity_id = t.id "
        f"CROSS JOIN LATERAL (SELECT {change} AS change) ch ORDER BY t.id", params)


def _properties_sql(profile: Profile, columns: tuple[Column, ...], incremental: bool) -> str:
    cols = list(columns) + ([Column("x_change", "ch.change")] if incremental else [])
    if profile.text_values:
        keys = ", ".join(f"'{c.key}'" for c in cols)
        values = ", ".join(f"({c.sql})::text" for c in cols)
        built = f"json_object(ARRAY[{keys}]::text[], ARRAY[{values}]::text[])"
    else:
        built = "json_build_object(" + ", ".join(f"'{c.key}', {c.sql}" for c in cols) + ")"
    return f"json_strip_nulls({built})" if profile.omit_null else built


def feature_query(req: ExportRequest, settings: Settings) -> Query:
    """One row per feature: its GeoJSON text (or the wrapper's item text)."""
    mapping = req.profile_obj.layers[req.layer]
    _, geom, _ = FROM_BY_LAYER[req.layer]
    incremental = req.since is not None
    props = _properties_sql(req.profile_obj, mapping.properties, incremental)
    if req.format == "json":  # API wrapper: the items are the properties
        item = props
        tomb = "json_build_object('COT_CONTS_ID', t.id::text, 'x_change', 'delete')"
    else:
        item = (f"json_build_object('type', 'Feature', 'id', t.id::text, "
                f"'geometry', ST_AsGeoJSON({geom}, 7)::json, 'properties', {props})")
        tomb = ("json_build_object('type', 'Feature', 'id', t.id::text, 'geometry', NULL, "
                "'properties', json_build_object('x_change', 'delete'))")
    if incremental:
        item = f"CASE WHEN ch.change = 'delete' THEN {tomb} ELSE {item} END"
    return base_query(req, settings, f"({item})::text AS f")


def csv_query(req: ExportRequest, settings: Settings) -> Query:
    mapping = req.profile_obj.layers[req.layer]
    incremental = req.since is not None
    keep = mapping.csv_variants.get(req.columns)
    chosen = [c for c in mapping.csv if c.key in keep] if keep else list(mapping.csv)
    if keep:
        chosen.sort(key=lambda c: keep.index(c.key))
    cols = []
    for c in chosen:
        expr = csv_safe(c.sql, c.max_chars) if c.kind == "text" else c.sql
        if incremental and c.key != mapping.id_column:
            expr = f"CASE WHEN ch.change = 'delete' THEN NULL ELSE ({expr})::text END"
        cols.append(f'{expr} AS "{c.key}"')
    if incremental:
        cols.append('ch.change AS "x_change"')
    return base_query(req, settings, ", ".join(cols))


def excluded_query(req: ExportRequest, settings: Settings, select: str) -> Query | None:
    """The features a full export with this request's filter would hold but for the profile's
    `include` condition (None when the profile has none): what a manifest lists as left out."""
    include = req.profile_obj.include
    if not include:
        return None
    from_sql, geom, status = FROM_BY_LAYER[req.layer]
    params = _params(settings)
    match = req.where.where_sql(geom, params)
    where = match if req.profile_obj.keep_retired else f"{status} = 'active' AND {match}"
    return Query(f"SELECT {select} FROM {from_sql} WHERE {where} AND NOT ({include}) ORDER BY t.id", params)


def count_query(req: ExportRequest, settings: Settings) -> Query:
    q = base_query(req, settings, "1")
    return Query(f"SELECT count(*) FROM ({q.sql}) n", q.params)


_DIALECT = pg_psycopg.dialect()


def driver_sql(q: Query) -> tuple[str, dict[str, Any]]:
    """The statement in psycopg's own parameter style, compiled by SQLAlchemy from the text and
    its bind parameters (COPY takes no server-side parameters, so the caller binds client-side)."""
    compiled = text(q.sql).compile(dialect=_DIALECT)
    return compiled.string, compiled.construct_params(q.params)  # only the parameters it names
