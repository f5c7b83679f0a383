"""The districts' shapes on the public API (GeoJSON built inside PostGIS, `geo.service`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from core.schemas import ResponseModel


class DistrictProperties(ResponseModel):
    code: str
    name_ko: str
    name_en: str


class DistrictFeature(ResponseModel):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any] = Field(description="a (Multi)Polygon, WGS84, simplified")
    properties: DistrictProperties


class DistrictCollection(ResponseModel):
    type: Literal["FeatureCollection"]
    features: list[DistrictFeature]
