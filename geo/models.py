"""Reference geometry: Seoul's 25 districts (자치구) and the city boundary."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class District(Base):
    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)  # 11110 … 11740
    name_ko: Mapped[str] = mapped_column(String(20), unique=True)
    name_en: Mapped[str] = mapped_column(String(40))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)


class CityBoundary(Base):
    """The union of the districts: one row, so the 'inside Seoul' check is one indexed test."""

    __tablename__ = "city_boundary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_ko: Mapped[str] = mapped_column(String(20))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)
