"""Pure geometry rules for a report: the point, the access route and the obstacles.

Distances are geodesic (WGS84 ellipsoid, pyproj.Geod), so no projection choice can distort them.
What 'near the street' means: we hold no street network offline, so the route's start (the
street entrance) must lie farther from the toilet than its end and within
`route_start_near_street_m` of it; the end must lie within `route_end_tolerance_m` of the
toilet point (GPS indoors is poor, so the tolerance grows with the reported accuracy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pyproj import Geod
from shapely import LineString, Point

from core.errors import FieldError, field_error

GEOD = Geod(ellps="WGS84")

# A loose box around Seoul: the exact (polygon) check runs in PostGIS.
SEOUL_BBOX = (126.70, 37.38, 127.25, 37.75)
MAX_SEGMENT_M = 250.0  # a jump longer than this between two recorded points is a GPS glitch


@dataclass(frozen=True)
class RouteRules:
    min_length_m: float
    max_length_m: float
    end_tolerance_m: float
    start_max_distance_m: float
    obstacle_max_distance_m: float


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    _, _, d = GEOD.inv(a[0], a[1], b[0], b[1])
    return abs(d)


def line_length_m(coords: list[tuple[float, float]]) -> float:
    return sum(distance_m(coords[i], coords[i + 1]) for i in range(len(coords) - 1))


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def check_point(lon: float, lat: float, path: str = "location") -> list[FieldError]:
    if not (_finite(lon) and _finite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return [field_error(path, "좌표가 범위를 벗어났습니다 (경도 -180~180, 위도 -90~90).",
                            "Coordinates out of range (lon -180..180, lat -90..90).")]
    x0, y0, x1, y1 = SEOUL_BBOX
    if not (x0 <= lon <= x1 and y0 <= lat <= y1):
        return [field_error(path, "서울 밖의 위치입니다. 경도·위도 순서가 바뀌지 않았는지 확인해 주세요.",
                            "This point is outside Seoul. Check that longitude and latitude are not swapped.")]
    return []


def distance_to_line_m(point: tuple[float, float], coords: list[tuple[float, float]]) -> float:
    """Geodesic distance from a point to the nearest point of a line (nearest found in degrees,
    which is exact enough at building scale)."""
    line = LineString(coords)
    nearest = line.interpolate(line.project(Point(point)))
    return distance_m(point, (nearest.x, nearest.y))


def check_route(
    coords: list[list[float]] | None,
    *,
    toilet: tuple[float, float],
    accuracy_m: float | None,
    rules: RouteRules,
    path: str = "access_route.path",
) -> list[FieldError]:
    if coords is None:
        return []
    errors: list[FieldError] = []
    for i, c in enumerate(coords):
        errors += check_point(c[0], c[1], f"{path}.coordinates.{i}")
    if errors:
        return errors[:5]
    pts = [(float(c[0]), float(c[1])) for c in coords]
    distinct = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
    if len(distinct) < 2:
        return [field_error(path, "경로에 서로 다른 점이 2개 이상 있어야 합니다.",
                            "The route needs at least two different points.")]
    line = LineString(distinct)
    if not line.is_simple:
        errors.append(field_error(path, "경로가 스스로 겹치거나 교차합니다. 다시 그려 주세요.",
                                  "The route crosses itself. Please draw it again."))
    length = line_length_m(distinct)
    if length < rules.min_length_m:
        errors.append(field_error(path, f"경로가 너무 짧습니다 ({length:.1f} m).",
                                  f"The route is too short ({length:.1f} m)."))
    if length > rules.max_length_m:
        errors.append(field_error(path, f"경로가 너무 깁니다 ({length:,.0f} m, 최대 {rules.max_length_m:,.0f} m).",
                                  f"The route is too long ({length:,.0f} m, at most {rules.max_length_m:,.0f} m)."))
    longest = max(distance_m(distinct[i], distinct[i + 1]) for i in range(len(distinct) - 1))
    if longest > MAX_SEGMENT_M:
        errors.append(field_error(path, f"두 점 사이가 {longest:,.0f} m나 떨어져 있습니다. 위치가 튄 것 같습니다.",
                                  f"Two consecutive points are {longest:,.0f} m apart: the location jumped."))
    tolerance = rules.end_tolerance_m + min(accuracy_m or 0.0, 100.0)
    end_gap = distance_m(distinct[-1], toilet)
    if end_gap > tolerance:
        errors.append(field_error(f"{path}.coordinates.{len(coords) - 1}",
                                  f"경로의 끝이 화장실에서 {end_gap:,.0f} m 떨어져 있습니다 (최대 {tolerance:,.0f} m).",
                                  f"The route ends {end_gap:,.0f} m from the toilet (at most {tolerance:,.0f} m)."))
    start_gap = distance_m(distinct[0], toilet)
    if start_gap > rules.start_max_distance_m + min(accuracy_m or 0.0, 100.0):
        errors.append(field_error(f"{path}.coordinates.0",
                                  f"경로의 시작(거리 쪽 입구)이 화장실에서 {start_gap:,.0f} m 떨어져 있습니다.",
                                  f"The route starts {start_gap:,.0f} m from the toilet: too far for its street entrance."))
    elif start_gap < end_gap:
        errors.append(field_error(path, "경로는 거리 쪽 입구에서 시작해 화장실 문에서 끝나야 합니다. 방향이 거꾸로인 것 같습니다.",
                                  "The route must start at the street entrance and end at the toilet door; it looks reversed."))
    return errors


def check_obstacles(
    obstacles: list[dict[str, Any]] | None,
    *,
    route: list[list[float]] | None,
    toilet: tuple[float, float],
    rules: RouteRules,
) -> list[FieldError]:
    errors: list[FieldError] = []
    for i, obstacle in enumerate(obstacles or []):
        loc = obstacle.get("location")
        if not loc:
            continue
        p = f"access_route.obstacles.{i}.location"
        point_errors = check_point(loc["lon"], loc["lat"], p)
        if point_errors:
            errors += point_errors
            continue
        where = (float(loc["lon"]), float(loc["lat"]))
        if route and len({tuple(c) for c in route}) >= 2:
            gap = distance_to_line_m(where, [(float(c[0]), float(c[1])) for c in route])
            limit = rules.obstacle_max_distance_m
        else:
            gap = distance_m(where, toilet)
            limit = rules.start_max_distance_m
        if gap > limit:
            errors.append(field_error(p, f"장애물이 경로에서 {gap:,.0f} m 떨어져 있습니다 (최대 {limit:,.0f} m).",
                                      f"The obstacle is {gap:,.0f} m from the route (at most {limit:,.0f} m)."))
    return errors
