"""Loading the district and city boundaries into PostGIS (run by the first migration)."""

from __future__ import annotations

import shapely
from sqlalchemy import text
from sqlalchemy.engine import Connection

from geo.districts import DISTRICTS, load_seoul_district_geometries


def load_boundaries(conn: Connection) -> None:
    geoms = load_seoul_district_geometries()
    conn.execute(text("DELETE FROM city_boundary"))
    conn.execute(text("DELETE FROM districts"))
    for code, geom in geoms.items():
        name_ko, name_en = DISTRICTS[code]
        conn.execute(
            text(
                "INSERT INTO districts (code, name_ko, name_en, geom) "
                "VALUES (:code, :ko, :en, ST_Multi(ST_GeomFromWKB(:wkb, 4326)))"
            ),
            {"code": code, "ko": name_ko, "en": name_en, "wkb": shapely.to_wkb(geom)},
        )
    # The union in PostGIS; ST_Multi keeps the column type even if the union is one polygon.
    conn.execute(
        text(
            "INSERT INTO city_boundary (id, name_ko, geom) "
            "SELECT 1, '서울특별시', ST_Multi(ST_Union(geom)) FROM districts"
        )
    )
