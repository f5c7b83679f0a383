"""Geometry questions PostGIS answers: is a point in Seoul, which district holds it, what is near."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class PointPlace:
    inside_seoul: bool  # inside, or within the border tolerance
    district_code: str | None


def locate_point(db: Session, *, lon: float, lat: float, tolerance_m: float) -> PointPlace:
    """Inside Seoul (with a tolerance at the border, for simplified boundaries and GPS error),
    and the district that contains the point, or else the nearest one within the tolerance.

    Seoul is the union of its districts, so one indexed point-in-polygon test answers both
    questions for almost every point; only points outside every district pay for the
    geodesic distance, and only to the districts the index finds nearby.
    """
    params = {"lon": lon, "lat": lat, "tol": tolerance_m, "deg": tolerance_m / 80_000.0}
    code = db.execute(text(
        "SELECT code FROM districts WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) "
        "ORDER BY code LIMIT 1"), params).scalar_one_or_none()
    if code is not None:
        return PointPlace(inside_seoul=True, district_code=code)
    code = db.execute(text(
        """
        WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g)
        SELECT d.code FROM districts d, p
         WHERE ST_DWithin(d.geom, p.g, :deg) AND ST_DWithin(d.geom::geography, p.g::geography, :tol)
         ORDER BY ST_Distance(d.geom::geography, p.g::geography), d.code LIMIT 1
        """), params).scalar_one_or_none()
    return PointPlace(inside_seoul=code is not None, district_code=code)


def district_of_point_sql(point: str) -> str:
    """`locate_point` as one SQL expression over many rows (an import, not a query per point):
    the code of the district holding the SQL point expression `point` (EPSG:4326), else of the
    nearest district within the border tolerance, else NULL (outside Seoul). Binds :tol (metres)
    and :deg (`tolerance_deg(tol)`, the index pre-filter)."""
    return f"""COALESCE(
        (SELECT d.code FROM districts d WHERE ST_Intersects(d.geom, {point}) ORDER BY d.code LIMIT 1),
        (SELECT d.code FROM districts d
          WHERE ST_DWithin(d.geom, {point}, :deg) AND ST_DWithin(d.geom::geography, ({point})::geography, :tol)
          ORDER BY ST_Distance(d.geom::geography, ({point})::geography), d.code LIMIT 1))"""


def tolerance_deg(tolerance_m: float) -> float:
    """A distance in degrees at least as long as `tolerance_m` metres in Seoul (the index pre-filter)."""
    return tolerance_m / 80_000.0


def district_outlines(db: Session, *, simplify_deg: float = 0.0002) -> dict:
    """The 25 districts as a GeoJSON FeatureCollection (simplified, 6 decimals), built by PostGIS:
    the base layer of every map that must read without tiles."""
    return db.execute(text("""
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
            'type', 'Feature', 'id', code,
            'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, :tol), 6)::json,
            'properties', json_build_object('code', code, 'name_ko', name_ko, 'name_en', name_en))
            ORDER BY code), '[]'::json))
        FROM districts"""), {"tol": simplify_deg}).scalar_one()
