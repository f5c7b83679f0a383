"""Small steps the vector-tile tests share: which tile holds a point, a tile decoded, toilets placed."""

from __future__ import annotations

import math
from typing import Any

import mapbox_vector_tile

from tests.factories import report_body
from toilets.service import create_toilet


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The XYZ (slippy map) tile holding a WGS84 point at zoom z."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def tile_west_lon(z: int, x: int) -> float:
    return x / 2**z * 360 - 180


def features(body: bytes) -> list[dict[str, Any]]:
    """The `toilets` layer's features of an MVT (none for an empty tile)."""
    layers = mapbox_vector_tile.decode(body)
    assert set(layers) <= {"toilets"}
    return layers["toilets"]["features"] if layers else []


def place_toilet(db, lon: float, lat: float, name: str = "타일 화장실", **overrides: Any):
    return create_toilet(db, payload=report_body(**{"location.lon": lon, "location.lat": lat, "place.name": name,
                                                    "access_route.path": None, **overrides}),
                         report_id=None, review_id=None)
