"""The public finder (issue 13): `/` and `/toilets/{id}` are static pages (static/finder/, ES
modules over the public API); the districts are the map's base layer when no tiles are set."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from api.deps import SessionDep
from api.static_assets import STATIC_DIR
from geo.schemas import DistrictCollection
from geo.service import district_outlines
from toilets.public import is_published

router = APIRouter()
FINDER_DIR = STATIC_DIR / "finder"


@router.get("/", include_in_schema=False)
def finder_page() -> FileResponse:
    return FileResponse(FINDER_DIR / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"})


@router.get("/toilets/{toilet_id}", include_in_schema=False)
def toilet_page(toilet_id: str, db: SessionDep) -> Response:
    """A toilet's own page; an id that is not a published, active toilet gets the bilingual 404 page."""
    try:
        known = is_published(db, uuid.UUID(toilet_id))
    except ValueError:
        known = False
    if not known:
        return HTMLResponse((FINDER_DIR / "not-found.html").read_text(encoding="utf-8"), status_code=404)
    return FileResponse(FINDER_DIR / "toilet.html", media_type="text/html", headers={"Cache-Control": "no-cache"})


@router.get("/api/v1/districts", tags=["toilets"], response_model=DistrictCollection)
def districts(db: SessionDep) -> JSONResponse:
    """Seoul's 25 districts (자치구) as GeoJSON outlines, simplified: a base map from our own data."""
    return JSONResponse(district_outlines(db), media_type="application/geo+json",
                        headers={"Cache-Control": "public, max-age=86400"})
