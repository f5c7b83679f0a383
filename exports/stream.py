"""Streaming an export: COPY for both JSON and CSV, Python only joins bytes into chunks, so
memory stays flat whatever the size of the layer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
from sqlalchemy.orm import Session

from core.config import Settings
from exports.query import Query, base_query, count_query, csv_query, driver_sql, feature_query
from exports.request import ExportRequest, LayerState
from reports.photos import storage_keys_of_public_names

BOM = "\ufeff".encode()
CHUNK_BYTES = 256 * 1024
ATTRIBUTION_KO = "본 저작물은 '휠체어도 가는 화장실 찾기(reachable)' 공개 데이터를 이용하였습니다"


@dataclass
class ExportStream:
    """Bytes of one export, produced lazily; `features` counts what has been written so far."""

    req: ExportRequest
    state: LayerState
    features: int = 0
    on_feature: Callable[[int], None] | None = None


def _raw(db: Session) -> psycopg.Connection:
    return db.connection().connection.driver_connection  # type: ignore[return-value]


def count_features(db: Session, req: ExportRequest, settings: Settings) -> int:
    sql, params = driver_sql(count_query(req, settings))
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
    sql, params = driver_sql(q)
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
    sql, params = driver_sql(q)
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


def photo_files(db: Session, req: ExportRequest, settings: Settings, *, batch: int = 1000
                ) -> Iterator[tuple[str, str]]:
    """(public file name, storage key under photo_dir) of every photo an export references, by
    name. The names come from the published layer; their files from the photos' owner."""
    full = ExportRequest(req.layer, req.profile, req.format, None, req.districts, req.verdicts, req.bbox)
    q = base_query(full, settings, "t.photo_files AS files")
    sql, params = driver_sql(Query(f"SELECT DISTINCT f.name FROM ({q.sql}) x, unnest(x.files) AS f(name) ORDER BY 1",
                                   q.params))
    with _raw(db).cursor() as cur:
        cur.execute(sql, params)
        while names := [row[0] for row in cur.fetchmany(batch)]:
            keys = storage_keys_of_public_names(db, names)
            yield from ((name, keys[name]) for name in names if name in keys)
