"""Vector tiles of the published layer (Mapbox Vector Tile 2.1), built inside PostGIS.

`/tiles/toilets/{z}/{x}/{y}.mvt` (Web Mercator, XYZ) has one layer, `toilets`, built by
`ST_AsMVTGeom`/`ST_AsMVT` from active toilets only (never a retired one, never a report):

- from zoom `CLUSTER_BELOW_ZOOM` (14) on, one point per toilet with `id`, `name`, `verdict`,
  `district_code`, `last_verified_at` (RFC 3339, UTC) and the finder's criteria (booleans,
  absent when unknown);
- below it, points are grouped per cell of a `CLUSTER_CELLS` × `CLUSTER_CELLS` grid aligned to
  the tile (so neighbouring tiles never share a cell and every toilet is counted once). A cell
  holding one toilet gives that toilet as above; a cell holding more gives one feature at the
  members' centroid with `cluster` = true, `point_count` and `count_<verdict>` for each verdict,
  so the finder can still say what is there.

Every toilet belongs to exactly one tile per zoom: a point is in a tile when
xmin ≤ x < xmax and ymin < y ≤ ymax (Web Mercator metres), so one on a tile edge is drawn once.

`TileCache` keeps finished tiles in memory keyed by (z, x, y) and the layer's state (the last
change-log entry, toilets.changelog): an approval, an edit or a retirement appends to the log,
so every tile made before it stops being served the moment it commits.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import fail, field_error
from toilets.changelog import LayerState
from toilets.models import VERDICTS

LAYER_NAME = "toilets"
MAX_ZOOM = 22
CLUSTER_BELOW_ZOOM = 14
CLUSTER_CELLS = 12  # about 43 px cells on a 512 px tile
EXTENT = 4096
BUFFER = 64
# Bump when the bytes of a tile change for the same data (the ETag must change with them).
TILE_FORMAT_VERSION = "1"
MEDIA_TYPE = "application/vnd.mapbox-vector-tile"


@dataclass(frozen=True)
class TileAddress:
    z: int
    x: int
    y: int


def parse_tile_address(z: str, x: str, y: str) -> TileAddress:
    """z a whole number in 0..22, x and y whole numbers in 0..2^z − 1 (as written in the URL);
    anything else is a 422 naming the coordinate and its range."""
    zoom = _whole(z)
    if zoom is None or zoom > MAX_ZOOM:
        raise fail("invalid_tile", field_error("z", f"확대 수준 z는 0에서 {MAX_ZOOM} 사이의 정수입니다.",
                                               f"The zoom z is a whole number from 0 to {MAX_ZOOM}."))
    top = 2**zoom - 1
    coords = []
    for name, raw in (("x", x), ("y", y)):
        value = _whole(raw)
        if value is None or value > top:
            raise fail("invalid_tile", field_error(
                name, f"확대 수준 {zoom}에서 {name}는 0에서 {top} 사이의 정수입니다.",
                f"At zoom {zoom}, {name} is a whole number from 0 to {top}."))
        coords.append(value)
    return TileAddress(zoom, coords[0], coords[1])


def _whole(raw: str) -> int | None:
    # digits only (no sign, space or exponent), and short: 2^22 − 1 has 7 digits
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 8 else None


# The tile's envelope in Web Mercator, its WGS84 box for the spatial index, and the active toilets
# whose point lies in it (half-open, see the module docstring).
_POINTS_SQL = """
    WITH env AS (SELECT ST_TileEnvelope(:z, :x, :y) AS m),
    box AS (SELECT m, ST_Transform(m, 4326) AS g, ST_XMin(m) AS xmin, ST_XMax(m) AS xmax,
                   ST_YMin(m) AS ymin, ST_YMax(m) AS ymax FROM env),
    pts AS (
        SELECT t.id, t.name, t.verdict, t.district_code, t.last_verified_at, t.data, p.mg
          FROM box, toilets t CROSS JOIN LATERAL (SELECT ST_Transform(t.location, 3857) AS mg) p
         WHERE t.status = 'active' AND t.location && box.g
           AND ST_X(p.mg) >= box.xmin AND ST_X(p.mg) < box.xmax
           AND ST_Y(p.mg) > box.ymin AND ST_Y(p.mg) <= box.ymax)
"""

# One toilet's attributes (MVT has no time type: last_verified_at as RFC 3339 text).
_TOILET_COLUMNS = """
    p.id::text AS id, p.name, p.verdict, p.district_code,
    to_char(p.last_verified_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_verified_at
"""

_POINT_TILE_SQL = _POINTS_SQL + f"""
    , features AS (
        SELECT ST_AsMVTGeom(p.mg, box.m, {EXTENT}, {BUFFER}, true) AS geom, {_TOILET_COLUMNS}
          FROM pts p, box ORDER BY p.id)
    SELECT ST_AsMVT(features, '{LAYER_NAME}', {EXTENT}, 'geom') FROM features
"""

_VERDICT_COUNTS = ", ".join(f"count(*) FILTER (WHERE c.verdict = '{v}')::int AS count_{v}" for v in VERDICTS)
_NO_COUNTS = ", ".join(f"NULL::int AS count_{v}" for v in VERDICTS)

_CLUSTER_TILE_SQL = _POINTS_SQL + f"""
    , cells AS (
        SELECT p.*, count(*) OVER (PARTITION BY cx, cy) AS n, cx, cy
          FROM pts p, box,
               LATERAL (SELECT floor((ST_X(p.mg) - box.xmin) / (box.xmax - box.xmin) * {CLUSTER_CELLS})::int AS cx,
                               floor((box.ymax - ST_Y(p.mg)) / (box.ymax - box.ymin) * {CLUSTER_CELLS})::int AS cy) g),
    features AS (
        SELECT ST_AsMVTGeom(p.mg, box.m, {EXTENT}, {BUFFER}, true) AS geom, {_TOILET_COLUMNS},
               NULL::boolean AS cluster, NULL::int AS point_count, {_NO_COUNTS}
          FROM cells p, box WHERE p.n = 1
        UNION ALL
        SELECT ST_AsMVTGeom(ST_Centroid(ST_Collect(c.mg)), box.m, {EXTENT}, {BUFFER}, true),
               NULL, NULL, NULL, NULL, NULL, true, count(*)::int, {_VERDICT_COUNTS}
          FROM cells c, box WHERE c.n > 1 GROUP BY c.cx, c.cy, box.m)
    SELECT ST_AsMVT(features, '{LAYER_NAME}', {EXTENT}, 'geom') FROM features
"""


def build_tile(db: Session, tile: TileAddress) -> bytes:
    """The tile's bytes (empty where there is no toilet: a tile without layers is a valid MVT)."""
    sql = _POINT_TILE_SQL if tile.z >= CLUSTER_BELOW_ZOOM else _CLUSTER_TILE_SQL
    out = db.execute(text(sql), {"z": tile.z, "x": tile.x, "y": tile.y}).scalar_one()
    return bytes(out or b"")


def tile_etag(state: LayerState) -> str:
    """Changes with the layer (its last change-log entry) and with the tile format; the same
    for every tile of one state, as an ETag only has to tell versions of one URL apart."""
    stamp = state.changed_at.isoformat() if state.changed_at else ""
    digest = hashlib.sha256(f"{state.seq}|{stamp}".encode()).hexdigest()[:8]
    return f'"t{TILE_FORMAT_VERSION}-{state.seq}-{digest}"'


class TileCache:
    """Finished tiles in process memory, least recently used out first, bounded in count and bytes.

    Keyed by the tile and the layer's state: a tile made before the last change is never served.
    When a newer state is seen everything older is dropped at once (it can never be asked for
    again), and a tile made for an older state than the newest seen is not kept.
    """

    def __init__(self, *, max_tiles: int, max_bytes: int) -> None:
        self.max_tiles, self.max_bytes = max_tiles, max_bytes
        self._tiles: OrderedDict[TileAddress, bytes] = OrderedDict()
        self._state: LayerState | None = None
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _newest(self, state: LayerState) -> bool:
        """Move to `state` if it is newer; whether `state` is the one the cache now holds."""
        if self._state is None or state.seq > self._state.seq or (
                state.seq == self._state.seq and state != self._state):
            self._tiles.clear()
            self._bytes = 0
            self._state = state
        return state == self._state

    def get(self, tile: TileAddress, state: LayerState) -> bytes | None:
        with self._lock:
            body = self._tiles.get(tile) if self._newest(state) else None
            if body is None:
                self.misses += 1
                return None
            self._tiles.move_to_end(tile)
            self.hits += 1
            return body

    def put(self, tile: TileAddress, state: LayerState, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            if not self._newest(state):
                return
            old = self._tiles.pop(tile, None)
            self._bytes -= len(old) if old is not None else 0
            self._tiles[tile] = body
            self._bytes += len(body)
            while len(self._tiles) > self.max_tiles or self._bytes > self.max_bytes:
                _, dropped = self._tiles.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._tiles)


def cached_tile(db: Session, cache: TileCache, tile: TileAddress, state: LayerState) -> bytes:
    """The tile for `state`, from the cache or built and kept. `state` must be read before the
    tile is built (READ COMMITTED: the build then sees at least every change up to it)."""
    body = cache.get(tile, state)
    if body is None:
        body = build_tile(db, tile)
        cache.put(tile, state, body)
    return body
