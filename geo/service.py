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
    and the district that contains the point, or else the nearest one within the tolerance."""
    row = db.execute(
        text(
            """
            WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g)
            SELECT
              EXISTS (SELECT 1 FROM city_boundary c, p
                      WHERE ST_DWithin(c.geom::geography, p.g::geography, :tol)) AS inside,
              (SELECT d.code FROM districts d, p
                WHERE ST_DWithin(d.geom::geography, p.g::geography, :tol)
                ORDER BY ST_Distance(d.geom::geography, p.g::geography), d.code LIMIT 1) AS district
            """
        ),
        {"lon": lon, "lat": lat, "tol": tolerance_m},
    ).one()
    return PointPlace(inside_seoul=bool(row.inside), district_code=row.district)
