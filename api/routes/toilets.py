"""The published layer, public (no login): portals and the public map read it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pathlib import Path

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, JSONResponse

from api.deps import ReadSessionDep, SettingsDep
from api.params import LayerFilterDep, ToiletPage
from core.errors import fail
from reports.photos import photo_of_public_name
from toilets import public
from toilets.schemas import NearbyCollection, ToiletCollection, ToiletFeature

router = APIRouter(prefix="/api/v1/toilets", tags=["toilets"])

GEOJSON = "application/geo+json"


class GeoJSONResponse(JSONResponse):
    media_type = GEOJSON


# The GeoJSON is built inside PostGIS and passed through as is (a page may hold 1,000 features);
# the models document it, and the tests hold the output to them.


@router.get("", response_class=GeoJSONResponse, response_model=ToiletCollection)
def list_toilets(db: ReadSessionDep, settings: SettingsDep, where: LayerFilterDep, paging: ToiletPage,
                 include_retired: bool = False) -> GeoJSONResponse:
    """Published toilets as a GeoJSON FeatureCollection (RFC 7946), paged; `criteria` and `q` as
    the finder asks them (docs/finder.md)."""
    out = public.list_toilets(db, where=where, include_retired=include_retired, page=paging.page,
                              page_size=paging.page_size, reverify_after_months=settings.reverify_after_months)
    return GeoJSONResponse(out)


@router.get("/nearby", response_class=GeoJSONResponse, response_model=NearbyCollection)
def nearby(
    db: ReadSessionDep,
    settings: SettingsDep,
    where: LayerFilterDep,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
    radius_m: Annotated[float, Query(gt=0, le=5000)] = 500,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> GeoJSONResponse:
    """Active toilets within radius_m metres of (lon, lat), nearest first (with the list's filters)."""
    return GeoJSONResponse(public.nearby_toilets(db, lon=lon, lat=lat, radius_m=radius_m, limit=limit, where=where,
                                                 reverify_after_months=settings.reverify_after_months))


@router.get("/{toilet_id}", response_class=GeoJSONResponse, response_model=ToiletFeature)
def get_toilet(toilet_id: uuid.UUID, db: ReadSessionDep, settings: SettingsDep) -> GeoJSONResponse:
    out: dict[str, Any] = public.get_toilet_feature(db, toilet_id,
                                                    reverify_after_months=settings.reverify_after_months)
    return GeoJSONResponse(out)


@router.get("/{toilet_id}/photos/{name}", response_class=FileResponse,
            responses={200: {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                                         "image/png": {"schema": {"type": "string", "format": "binary"}},
                                         "image/webp": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "A photo of a published toilet (EXIF stripped on upload)"}})
def toilet_photo(toilet_id: uuid.UUID, name: str, db: ReadSessionDep, settings: SettingsDep,
                 size: Annotated[Literal["full", "thumb"], Query(description="thumb: at most 320 px a side")] = "full",
                 ) -> FileResponse:
    """One of the photos a published toilet shows (`properties.photos`)."""
    photo = photo_of_public_name(db, name)  # first: a malformed name is refused unread
    if photo is not None and not public.has_photo(db, toilet_id, name):
        photo = None
    path = Path(settings.photo_dir) / (photo.thumb_key if size == "thumb" else photo.storage_key) if photo else None
    if path is None or not path.is_file():
        raise fail("photo_not_found")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
