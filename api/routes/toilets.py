"""The published layer, public (no login): portals and the public map read it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from api.deps import SessionDep
from api.params import LayerFilterDep, ToiletPage
from toilets import public

router = APIRouter(prefix="/api/v1/toilets", tags=["toilets"])

GEOJSON = "application/geo+json"


@router.get("", response_class=JSONResponse)
def list_toilets(db: SessionDep, where: LayerFilterDep, paging: ToiletPage, include_retired: bool = False
                 ) -> JSONResponse:
    """Published toilets as a GeoJSON FeatureCollection (RFC 7946), paged."""
    out = public.list_toilets(db, where=where, include_retired=include_retired, page=paging.page,
                              page_size=paging.page_size)
    return JSONResponse(out, media_type=GEOJSON)


@router.get("/nearby", response_class=JSONResponse)
def nearby(
    db: SessionDep,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
    radius_m: Annotated[float, Query(gt=0, le=5000)] = 500,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> JSONResponse:
    """Active toilets within radius_m metres of (lon, lat), nearest first."""
    return JSONResponse(public.nearby_toilets(db, lon=lon, lat=lat, radius_m=radius_m, limit=limit),
                        media_type=GEOJSON)


@router.get("/{toilet_id}", response_class=JSONResponse)
def get_toilet(toilet_id: uuid.UUID, db: SessionDep) -> JSONResponse:
    out: dict[str, Any] = public.get_toilet_feature(db, toilet_id)
    return JSONResponse(out, media_type=GEOJSON)
