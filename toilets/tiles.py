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

Every toilet belongs to exactly one tile per zoom: the tile (floor(u), floor(v)) of its position
u, v in tile units (so xmin ≤ x < xmax and ymin < y ≤ ymax in Web Mercator metres); one on a tile
edge is drawn and counted once.

`TileCache` keeps finished tiles in memory keyed by (z, x, y) and the layer's state (the last
change-log entry, toilets.changelog): an approval, an edit or a retirement appends to the log,
so every tile made before it stops being served the moment it commits.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import fail, field_error
from toilets import criteria
from toilets.changelog import LayerState, layer_state, local_changes
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


_R = 6378137.0  # Web Mercator's sphere (EPSG:3857)


# MVT has no time type: last_verified_at as RFC 3339 text.
def _rfc3339(column: str) -> str:
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


# One toilet's attributes, as `expression AS name` over `t` (a toilets row): the finder's
# criteria come from toilets/criteria.py, their one definition (booleans, NULL when unknown,
# which ST_AsMVT leaves out; opens_min/closes_min for "open now" on the map).
TOILET_ATTRIBUTES: tuple[str, ...] = (
    "t.id::text AS id", "t.name AS name", "t.verdict AS verdict", "t.district_code AS district_code",
    f"{_rfc3339('t.last_verified_at')} AS last_verified_at", *criteria.attributes_sql("t"))
ATTRIBUTE_NAMES = tuple(a.rsplit(" AS ", 1)[1] for a in TOILET_ATTRIBUTES)


# Active toilets in the tile's WGS84 box (the spatial index), each with its position in tile
# units at this zoom: u, v = the tile's x, y plus the fraction across it (EPSG:3857's formulas
# written out, far cheaper than ST_Transform on every row, which matters at the low zooms that
# read the whole layer). A point belongs to tile (floor(u), floor(v)), so to exactly one tile
# per zoom, edges included; mx, my are its Web Mercator metres for ST_AsMVTGeom.
def _points_sql(columns: str) -> str:
    return f"""
    WITH pts AS (
        SELECT {columns}, w.lam * {_R} AS mx, w.phi * {_R} AS my,
               (w.lam + pi()) / (2 * pi()) * 2 ^ :z AS u, (pi() - w.phi) / (2 * pi()) * 2 ^ :z AS v
          FROM toilets t,
               LATERAL (SELECT radians(ST_X(t.location)) AS lam,
                               ln(tan(pi() / 4 + radians(ST_Y(t.location)) / 2)) AS phi) w
         WHERE t.status = 'active' AND t.location && ST_MakeEnvelope(:lon1, :lat1, :lon2, :lat2, 4326))"""


def _geom(x: str, y: str) -> str:
    return f"ST_AsMVTGeom(ST_SetSRID(ST_MakePoint({x}, {y}), 3857), ST_TileEnvelope(:z, :x, :y), {EXTENT}, {BUFFER}, true)"


_POINT_TILE_SQL = _points_sql(", ".join(TOILET_ATTRIBUTES)) + f"""
    , features AS (
        SELECT {_geom("p.mx", "p.my")} AS geom, {", ".join(f"p.{n}" for n in ATTRIBUTE_NAMES)}
          FROM pts p WHERE floor(p.u) = :x AND floor(p.v) = :y ORDER BY p.id)
    SELECT ST_AsMVT(features, '{LAYER_NAME}', {EXTENT}, 'geom') FROM features
"""

# One row per grid cell; a point's cell at this zoom is (floor(12u), floor(12v)), and the tile
# keeps its own 12 × 12 cells. Only the scan's few columns go through the aggregate; a cell of
# one toilet then reads that toilet's attributes (and criteria) by id, so the criteria are worked
# out for the toilets shown alone, not for the whole layer.
_VERDICT_COUNTS = ", ".join(f"count(*) FILTER (WHERE p.verdict = '{v}')::int AS count_{v}" for v in VERDICTS)
_NO_ATTRIBUTES = ", ".join(f"NULL AS {n}" for n in ATTRIBUTE_NAMES)
_NO_COUNTS = ", ".join(f"NULL AS count_{v}" for v in VERDICTS)
_CLUSTER_TILE_SQL = _points_sql("t.id, t.verdict") + f"""
    , cells AS MATERIALIZED (  -- the cell filter below must not be pushed into the scan (its estimate)
        SELECT floor(p.u * {CLUSTER_CELLS}) AS cx, floor(p.v * {CLUSTER_CELLS}) AS cy, count(*)::int AS n,
               avg(p.mx) AS mx, avg(p.my) AS my, min(p.id::text) AS one_id, {_VERDICT_COUNTS}
          FROM pts p GROUP BY 1, 2),
    mine AS (
        SELECT * FROM cells c
         WHERE c.cx >= :x * {CLUSTER_CELLS} AND c.cx < (:x + 1) * {CLUSTER_CELLS}
           AND c.cy >= :y * {CLUSTER_CELLS} AND c.cy < (:y + 1) * {CLUSTER_CELLS}),
    features AS (
        SELECT {_geom("c.mx", "c.my")} AS geom, {", ".join(TOILET_ATTRIBUTES)},
               NULL::boolean AS cluster, NULL::int AS point_count, {_NO_COUNTS}, c.cy, c.cx
          FROM mine c JOIN toilets t ON t.id = c.one_id::uuid WHERE c.n = 1
        UNION ALL
        SELECT {_geom("c.mx", "c.my")}, {_NO_ATTRIBUTES}, true, c.n,
               {", ".join(f"c.count_{v}" for v in VERDICTS)}, c.cy, c.cx
          FROM mine c WHERE c.n > 1)
    SELECT ST_AsMVT(f, '{LAYER_NAME}', {EXTENT}, 'geom')
      FROM (SELECT geom, {", ".join(ATTRIBUTE_NAMES)}, cluster, point_count,
                   {", ".join(f"count_{v}" for v in VERDICTS)}
              FROM features ORDER BY cy, cx) f
"""


def _bounds(tile: TileAddress) -> dict[str, float | int]:
    """The tile's bind parameters: z/x/y and its WGS84 box, a hair larger, for the spatial index
    (which tile a point is in is decided exactly by its u, v)."""
    n = 2**tile.z

    def lon(u: float) -> float:
        return u / n * 360 - 180

    def lat(v: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * v / n))))

    eps = 1e-9
    return {"z": tile.z, "x": tile.x, "y": tile.y, "lon1": lon(tile.x) - eps, "lon2": lon(tile.x + 1) + eps,
            "lat1": lat(tile.y + 1) - eps, "lat2": lat(tile.y) + eps}


def build_tile(db: Session, tile: TileAddress) -> bytes:
    """The tile's bytes (empty where there is no toilet: a tile without layers is a valid MVT)."""
    sql = _POINT_TILE_SQL if tile.z >= CLUSTER_BELOW_ZOOM else _CLUSTER_TILE_SQL
    out = db.execute(text(sql), _bounds(tile)).scalar_one()
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
    """The tile for `state`, gzip-compressed (b"" for an empty tile), from the cache or built and
    kept. `state` must be read before the tile is built (READ COMMITTED: the build then sees at
    least every change up to it)."""
    body = cache.get(tile, state)
    return build_and_keep(db, cache, tile, state) if body is None else body


def build_and_keep(db: Session, cache: TileCache, tile: TileAddress, state: LayerState) -> bytes:
    """Build the tile and keep it for `state` (read before this build, as in cached_tile). Kept
    compressed: a tile of 600 toilets is about 75 kB as built and 28 kB gzipped, and compressing
    once per build costs less than once per request."""
    raw = build_tile(db, tile)
    body = gzip.compress(raw, compresslevel=6, mtime=0) if raw else b""
    cache.put(tile, state, body)
    return body


@dataclass(frozen=True)
class _Reading:
    state: LayerState
    local_changes: int  # this process's count of change-log appends when the state was read
    at: float  # the clock's now()


class LayerStateClock:
    """The layer's state as last read, so that a cached tile is served without a database query.

    A reading is trusted while (1) this process has appended nothing to the change log since
    (toilets.changelog.local_changes, counted before the read, so an append racing the read makes
    it untrusted), and (2) it is younger than `ttl_s`. (1) makes a change published through this
    process show at once; (2) bounds how long a change made by another process (the other API
    workers, the job worker) goes unseen, a small part of the tiles' max-age that browsers and
    proxies may already keep a tile unasked. A reading is never newer than the data a tile built
    after it shows, so a tile is never kept under a state it is older than. Only for a database
    that is read-your-writes with this process (the primary): a replica's state moves on replay,
    which this process does not see (api/routes/tiles.py reads the state per request there).
    """

    def __init__(self, ttl_s: float, now: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s, self.now = ttl_s, now
        self._reading: _Reading | None = None
        self.reads = 0

    def current(self) -> LayerState | None:
        """The state, if the last reading can still be trusted; None: read it (`read`)."""
        r = self._reading
        if r is None or r.local_changes != local_changes() or self.now() - r.at >= self.ttl_s:
            return None
        return r.state

    def read(self, db: Session) -> LayerState:
        changes, at = local_changes(), self.now()  # before the query: see the class
        state = layer_state(db)
        self.reads += 1
        self._reading = _Reading(state, changes, at)
        return state
