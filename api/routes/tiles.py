"""Vector tiles of the published layer, public (no login): the finder's map draws them."""

from __future__ import annotations

import gzip
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, status
from fastapi.responses import Response

from api.deps import ReadSessionDep, SettingsDep
from toilets.changelog import layer_state
from toilets.tiles import MAX_ZOOM, MEDIA_TYPE, cached_tile, parse_tile_address, tile_etag

router = APIRouter(prefix="/tiles", tags=["tiles"])

TileCoord = Annotated[str, Path(description="a whole number (z: 0–22; x and y: 0 to 2^z − 1)")]


def _accepts_gzip(accept_encoding: str | None) -> bool:
    for item in (accept_encoding or "").lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


@router.get(
    "/toilets/{z}/{x}/{y}.mvt", response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                     "description": f"Mapbox Vector Tile, layer `toilets` (points from z14, clusters below; "
                                    f"z at most {MAX_ZOOM}), gzip-encoded when asked; docs/finder.md lists "
                                    f"the attributes"},
               304: {"description": "Not modified (If-None-Match matched the ETag)"}},
)
def toilet_tile(request: Request, db: ReadSessionDep, settings: SettingsDep, z: TileCoord, x: TileCoord, y: TileCoord,
                if_none_match: Annotated[str | None, Header()] = None,
                accept_encoding: Annotated[str | None, Header()] = None) -> Response:
    """Active toilets of one XYZ tile (Web Mercator) as a vector tile, cached until the layer changes."""
    tile = parse_tile_address(z, x, y)
    state = layer_state(db)  # before the tile is built: see toilets.tiles.cached_tile
    etag = tile_etag(state)
    zipped = _accepts_gzip(accept_encoding)
    # One ETag per representation (gzip or not); either tells the client its copy is current.
    tag = etag[:-1] + '-gz"' if zipped else etag
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={settings.tile_max_age_s}",
               "Vary": "Accept-Encoding"}
    sent = {t.strip().removeprefix("W/") for t in (if_none_match or "").split(",") if t.strip()}
    if sent & {"*", etag, etag[:-1] + '-gz"'}:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    body = cached_tile(db, request.app.state.tile_cache, tile, state)
    if zipped and body:
        headers["Content-Encoding"] = "gzip"
    elif body:
        body = gzip.decompress(body)
    return Response(content=body, media_type=MEDIA_TYPE, headers=headers)
