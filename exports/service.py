"""Building and streaming exports: PostGIS builds every feature or CSV row; Python only
copies bytes out in batches (COPY for both JSON and CSV), so memory stays
flat whatever the size of the layer.

Incremental sync (`since`): the high-water mark is read *before* the features, so every change
up to it is visible to the feature query (READ COMMITTED: a later statement sees everything
committed earlier, and the change log's numbers are in commit order, see toilets.changelog).
A change committed in between may be sent now *and* again next time: upserts are idempotent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.config import Settings
from core.errors import fail, field_error
from exports.profiles import PROFILES, Profile
from exports.profiles.base import LAYERS, Column
from toilets.filters import LayerFilter, parse_layer_filter

FORMATS = ("geojson", "csv", "json")
BOM = "\ufeff".encode()
CHUNK_BYTES = 256 * 1024
ATTRIBUTION_KO = "본 저작물은 '휠체어도 가는 화장실 찾기(reachable)' 공개 데이터를 이용하였습니다"
# Bump when the bytes of an export change for the same data (ETags must change with them).
EXPORT_FORMAT_VERSION = "1"

FROM_BY_LAYER = {
    "toilets": ("toilets t JOIN districts d ON d.code = t.district_code", "t.location", "t.status"),
    "routes": ("toilet_routes r JOIN toilets t ON t.id = r.toilet_id JOIN districts d ON d.code = t.district_code",
               "r.path", "r.status"),
}


@dataclass(frozen=True)
class ExportRequest:
    layer: str
    profile: str
    format: str
    since: int | None = None
    districts: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    bom: bool = False
    columns: str = "all"  # or a named CSV variant of the profile (e.g. "consumer")

    @property
    def where(self) -> LayerFilter:
        return LayerFilter(self.bbox, self.districts, self.verdicts)

    @property
    def profile_obj(self) -> Profile:
        return PROFILES[self.profile]

    def filename(self) -> str:
        ext = {"geojson": "geojson", "csv": "csv", "json": "json"}[self.format]
        suffix = f"-since-{self.since}" if self.since is not None else ""
        suffix += f"-{self.columns}" if self.columns != "all" else ""
        return f"{self.layer}-{self.profile}{suffix}.{ext}"

    def media_type(self) -> str:
        return {"geojson": "application/geo+json", "csv": "text/csv; charset=utf-8",
                "json": "application/json"}[self.format]


def parse_request(*, layer: str, fmt: str, profile: str = "smart-seoul-map", since: int | None = None,
                  district: str | None = None, verdict: str | None = None, bbox: str | None = None,
                  bom: bool = False, columns: str = "all") -> ExportRequest:
    """Validate an export request; bad values get a bilingual field error (HTTP 422)."""
    if layer not in LAYERS:
        raise fail("invalid_export_request", field_error(
            "layer", f"레이어는 {', '.join(LAYERS)} 중 하나입니다.", f"layer is one of {', '.join(LAYERS)}."))
    prof = PROFILES.get(profile)
    if prof is None:
        raise fail("invalid_export_request", field_error("profile", f"프로필은 {', '.join(PROFILES)} 중 하나입니다.",
                       f"profile is one of {', '.join(PROFILES)}."))
    if fmt not in prof.formats():
        raise fail("invalid_export_request", field_error(
            "format", f"이 프로필의 형식은 {', '.join(prof.formats())} 입니다.",
                       f"This profile offers: {', '.join(prof.formats())}."))
    if since is not None and since < 0:
        raise fail("invalid_export_request", field_error(
            "since", "since는 0 이상의 순번입니다.", "since is a sequence number ≥ 0."))
    if bom and fmt != "csv":
        raise fail("invalid_export_request", field_error(
            "bom", "BOM은 CSV에만 쓸 수 있습니다.", "bom applies to CSV only."))
    variants = prof.layers[layer].csv_variants
    if columns != "all" and (fmt != "csv" or columns not in variants):
        offered = ", ".join(["all", *variants]) if fmt == "csv" else "all"
        raise fail("invalid_export_request", field_error("columns", f"이 요청에서 columns는 {offered} 중 하나입니다.",
                       f"For this request columns is one of: {offered}."))
    where = parse_layer_filter(bbox=bbox, district=district, verdict=verdict)
    return ExportRequest(layer, profile, fmt, since, where.districts, where.verdicts, where.bbox, bom, columns)


# -- state, validators ---------------------------------------------------------------------

@dataclass(frozen=True)
class LayerState:
    seq: int  # high-water mark: the last change-log sequence number
    changed_at: datetime | None


def layer_state(db: Session) -> LayerState:
    row = db.execute(text("SELECT seq, changed_at FROM change_log ORDER BY seq DESC LIMIT 1")).first()
    return LayerState(row.seq, row.changed_at) if row else LayerState(0, None)


def etag_for(req: ExportRequest, state: LayerState, settings: Settings) -> str:
    """Changes whenever the bytes can: the layer (its high-water mark), the request, the settings
    that reach the output, and the export format version."""
    key = "|".join(map(str, (EXPORT_FORMAT_VERSION, req, state.seq, settings.export_photo_url_prefix,
                             settings.export_theme_id)))
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


# -- SQL ---------------------------------------------------------------------------------------

@dataclass
class Query:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)


def _base(req: ExportRequest, settings: Settings, select: str) -> Query:
    from_sql, geom, status = FROM_BY_LAYER[req.layer]
    params: dict[str, Any] = {"photo_prefix": settings.export_photo_url_prefix.rstrip("/"),
                              "theme_id": settings.export_theme_id}
    match = req.where.where_sql(geom, params)
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
        return f"json_object(ARRAY[{keys}]::text[], ARRAY[{values}]::text[])"
    return "json_build_object(" + ", ".join(f"'{c.key}', {c.sql}" for c in cols) + ")"


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
    return _base(req, settings, f"({item})::text AS f")


def csv_query(req: ExportRequest, settings: Settings) -> Query:
    mapping = req.profile_obj.layers[req.layer]
    incremental = req.since is not None
    keep = mapping.csv_variants.get(req.columns)
    chosen = [c for c in mapping.csv if c.key in keep] if keep else list(mapping.csv)
    if keep:
        chosen.sort(key=lambda c: keep.index(c.key))
    cols = []
    for c in chosen:
        expr = c.sql
        if incremental and c.key != mapping.id_column:
            expr = f"CASE WHEN ch.change = 'delete' THEN NULL ELSE ({expr})::text END"
        cols.append(f'{expr} AS "{c.key}"')
    if incremental:
        cols.append('ch.change AS "x_change"')
    return _base(req, settings, ", ".join(cols))


def count_query(req: ExportRequest, settings: Settings) -> Query:
    q = _base(req, settings, "1")
    return Query(f"SELECT count(*) FROM ({q.sql}) n", q.params)


def _psycopg_sql(q: Query) -> tuple[str, dict[str, Any]]:
    sql = q.sql.replace("%", "%%")
    for name in sorted(q.params, key=len, reverse=True):
        sql = re.sub(rf"(?<![:\w]):{name}\b", f"%({name})s", sql)
    return sql, q.params


def _raw(db: Session) -> psycopg.Connection:
    return db.connection().connection.driver_connection  # type: ignore[return-value]


# -- streams ---------------------------------------------------------------------------------

@dataclass
class ExportStream:
    """Bytes of one export, produced lazily; `features` counts what has been written so far."""

    req: ExportRequest
    state: LayerState
    features: int = 0
    on_feature: Callable[[int], None] | None = None


def count_features(db: Session, req: ExportRequest, settings: Settings) -> int:
    sql, params = _psycopg_sql(count_query(req, settings))
    with _raw(db).cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def stream_export(db: Session, req: ExportRequest, settings: Settings, *, state: LayerState,
                  stream: ExportStream | None = None, total: int | None = None) -> Iterator[bytes]:
    """The export's bytes in chunks of about 64 KiB. `state` must be read before this starts."""
    stream = stream or ExportStream(req, state)
    if req.format == "csv":
        yield from _batched(_csv_rows(db, req, settings, stream))
    else:
        yield from _batched(_json_doc(db, req, settings, stream, total))


def _batched(parts: Iterator[bytes]) -> Iterator[bytes]:
    buf: list[bytes] = []
    size = 0
    for part in parts:
        buf.append(part)
        size += len(part)
        if size >= CHUNK_BYTES:
            yield b"".join(buf)
            buf, size = [], 0
    if buf:
        yield b"".join(buf)


def _advance(stream: ExportStream, n: int = 1) -> None:
    stream.features += n
    if stream.on_feature:
        stream.on_feature(stream.features)


def _json_doc(db: Session, req: ExportRequest, settings: Settings, stream: ExportStream,
              total: int | None) -> Iterator[bytes]:
    import json

    meta = {"x_profile": req.profile, "x_layer": req.layer, "x_seq": stream.state.seq,
            "x_since": req.since, "x_attribution": ATTRIBUTION_KO}
    if req.format == "json":
        if total is None:
            total = count_features(db, req, settings)
        header = {"resultCode": "200", "resultMsg": "OK", "PAGE_NO": "1", "PAGE_SIZE": str(total),
                  "PAGE_COUNT": "1", "TOTAL_COUNT": str(total), "DATA_COUNT": str(total)}
        yield (json.dumps({"header": header, **meta}, ensure_ascii=False)[:-1] + ', "body": [').encode()
    else:
        head = {"type": "FeatureCollection", **meta}
        yield (json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [').encode()
    yield from _copy_features(db, feature_query(req, settings), stream)
    yield b"]}\n"


# COPY rather than a cursor: PostgreSQL may plan it in parallel (a cursor never is), and the rows
# arrive as bytes, never decoded to Python text. CSV mode with quote and delimiter set to control
# bytes that PostgreSQL's JSON output never contains raw (it escapes everything below U+0020), so
# each row is exactly the feature's JSON followed by one newline, and a newline inside a batch is
# always a row boundary.
JSON_ROWS_COPY = "COPY ({}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"


def _copy_features(db: Session, q: Query, stream: ExportStream) -> Iterator[bytes]:
    """The features' JSON texts joined by commas, in batches of about CHUNK_BYTES."""
    sql, params = _psycopg_sql(q)
    conn = _raw(db)
    literal_sql = psycopg.ClientCursor(conn).mogrify(sql, params)  # COPY takes no server-side parameters
    rows: list[memoryview] = []
    size, sep = 0, b""
    with conn.cursor() as cur, cur.copy(JSON_ROWS_COPY.format(literal_sql)) as copy:
        for row in copy:  # one CopyData message per row
            rows.append(row)
            size += len(row)
            if size >= CHUNK_BYTES:
                yield sep + b"".join(rows)[:-1].replace(b"\n", b",")
                _advance(stream, len(rows))
                rows, size, sep = [], 0, b","
    if rows:
        yield sep + b"".join(rows)[:-1].replace(b"\n", b",")
        _advance(stream, len(rows))


def _csv_rows(db: Session, req: ExportRequest, settings: Settings, stream: ExportStream) -> Iterator[bytes]:
    if req.bom:
        yield BOM
    q = csv_query(req, settings)
    sql, params = _psycopg_sql(q)
    conn = _raw(db)
    literal_sql = psycopg.ClientCursor(conn).mogrify(sql, params)  # COPY takes no server-side parameters
    header = True
    with conn.cursor() as cur, cur.copy(f"COPY ({literal_sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
        for row in copy:  # PostgreSQL sends one CopyData message per row
            yield bytes(row)
            if header:
                header = False
            else:
                _advance(stream)


def photo_files(db: Session, req: ExportRequest, settings: Settings) -> Iterator[tuple[str, str]]:
    """(public file name, storage key under photo_dir) of every photo an export references."""
    full = ExportRequest(req.layer, req.profile, req.format, None, req.districts, req.verdicts, req.bbox)
    q = _base(full, settings, "t.photo_files AS files")
    sql, params = _psycopg_sql(Query(
        f"SELECT DISTINCT f.name, p.storage_key FROM ({q.sql}) x, unnest(x.files) AS f(name) "
        "JOIN report_photos p ON p.id = split_part(f.name, '.', 1)::uuid ORDER BY 1", q.params))
    with _raw(db).cursor() as cur:
        cur.execute(sql, params)
        yield from cur
