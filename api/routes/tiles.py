"""Vector tiles of the published layer, public (no login): the finder's map draws them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, status
from fastapi.responses import Response

from api.deps import ReadSessionDep, SettingsDep
from toilets.changelog import layer_state
from toilets.tiles import MAX_ZOOM, MEDIA_TYPE, cached_tile, parse_tile_address, tile_etag

router = APIRouter(prefix="/tiles", tags=["tiles"])

TileCoord = Annotated[str, Path(description="a whole number (z: 0–22; x and y: 0 to 2^z − 1)")]


@router.get(
    "/toilets/{z}/{x}/{y}.mvt", response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                     "description": f"Mapbox Vector Tile, layer `toilets` (points from z14, clusters below; "
                                    f"z at most {MAX_ZOOM}); docs/finder.md lists the attributes"},
               304: {"description": "Not modified (If-None-Match matched the ETag)"}},
)
def toilet_tile(request: Request, db: ReadSessionDep, settings: SettingsDep, z: TileCoord, x: TileCoord, y: TileCoord,
                if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """Active toilets of one XYZ tile (Web Mercator) as a vector tile, cached until the layer changes."""
    tile = parse_tile_address(z, x, y)
    state = layer_state(db)  # before the tile is built: see toilets.tiles.cached_tile
    etag = tile_etag(state)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={settings.tile_max_age_s}"}
    tags = [t.strip() for t in (if_none_match or "").split(",") if t.strip()]
    if "*" in tags or etag in tags or f"W/{etag}" in tags:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    body = cached_tile(db, request.app.state.tile_cache, tile, state)
    return Response(content=body, media_type=MEDIA_TYPE, headers=headers)
