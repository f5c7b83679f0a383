"""Vector tiles of the published layer, public (no login): the finder's map draws them.

The route is `async` and takes no session dependency: a tile in the cache, with the layer state
known to `app.state.layer_clock` (toilets.tiles.LayerStateClock), is answered on the event loop
without a thread hop or a database connection. Only a state to read or a tile to build goes to
the threadpool, with one session for both.
"""

from __future__ import annotations

import gzip
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, status
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.read_routing import public_read_factory
from core.db import unit_of_work
from toilets.changelog import LayerState, layer_state
from toilets.tiles import (MAX_ZOOM, MEDIA_TYPE, LayerStateClock, TileAddress, TileCache, build_and_keep,
                           cached_tile, parse_tile_address, tile_etag)

router = APIRouter(prefix="/tiles", tags=["tiles"])

TileCoord = Annotated[str, Path(description="a whole number (z: 0–22; x and y: 0 to 2^z − 1)")]


def _accepts_gzip(accept_encoding: str | None) -> bool:
    for item in (accept_encoding or "").lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def layer_clock(request: Request) -> LayerStateClock | None:
    """The process's clock, when this request reads the database the clock reads (the primary,
    with no replica configured); None: read the state in the request's own session."""
    clock = request.app.state.layer_clock
    return clock if clock is not None and public_read_factory(request) is request.app.state.session_factory else None


class _TileAnswer:
    """What one request asked for, and its answer from a state and (maybe) the tile's bytes."""

    def __init__(self, request: Request, if_none_match: str | None, accept_encoding: str | None) -> None:
        self.zipped = _accepts_gzip(accept_encoding)
        self.sent = {t.strip().removeprefix("W/") for t in (if_none_match or "").split(",") if t.strip()}
        self.max_age = request.app.state.settings.tile_max_age_s

    def headers(self, etag: str) -> dict[str, str]:
        # One ETag per representation (gzip or not); either tells the client its copy is current.
        tag = etag[:-1] + '-gz"' if self.zipped else etag
        return {"ETag": tag, "Cache-Control": f"public, max-age={self.max_age}", "Vary": "Accept-Encoding"}

    def not_modified(self, state: LayerState) -> Response | None:
        etag = tile_etag(state)
        if self.sent & {"*", etag, etag[:-1] + '-gz"'}:
            return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=self.headers(etag))
        return None

    def tile(self, state: LayerState, body: bytes) -> Response:
        headers = self.headers(tile_etag(state))
        if self.zipped and body:
            headers["Content-Encoding"] = "gzip"
        elif body:
            body = gzip.decompress(body)
        return Response(content=body, media_type=MEDIA_TYPE, headers=headers)


def _read_and_answer(request: Request, answer: _TileAnswer, tile: TileAddress, known: LayerState | None) -> Response:
    """The slow path, in the threadpool: read the state (unless known) and build the tile if needed."""
    cache: TileCache = request.app.state.tile_cache
    clock = layer_clock(request)
    with unit_of_work(public_read_factory(request)) as db:
        if known is not None:  # the state was trusted and the tile was not in the cache
            return answer.tile(known, build_and_keep(db, cache, tile, known))
        # before the tile is built: see toilets.tiles.cached_tile
        state = clock.read(db) if clock is not None else layer_state(db)
        return answer.not_modified(state) or answer.tile(state, cached_tile(db, cache, tile, state))


@router.get(
    "/toilets/{z}/{x}/{y}.mvt", response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                     "description": f"Mapbox Vector Tile, layer `toilets` (points from z14, clusters below; "
                                    f"z at most {MAX_ZOOM}), gzip-encoded when asked; docs/finder.md lists "
                                    f"the attributes"},
               304: {"description": "Not modified (If-None-Match matched the ETag)"}},
)
async def toilet_tile(request: Request, z: TileCoord, x: TileCoord, y: TileCoord,
                      if_none_match: Annotated[str | None, Header()] = None,
                      accept_encoding: Annotated[str | None, Header()] = None) -> Response:
    """Active toilets of one XYZ tile (Web Mercator) as a vector tile, cached until the layer changes."""
    tile = parse_tile_address(z, x, y)
    answer = _TileAnswer(request, if_none_match, accept_encoding)
    clock = layer_clock(request)
    state = clock.current() if clock is not None else None
    if state is not None:  # the warm path: no session, no thread
        done = answer.not_modified(state)
        if done is not None:
            return done
        body = request.app.state.tile_cache.get(tile, state)
        if body is not None:
            return answer.tile(state, body)
    return await run_in_threadpool(_read_and_answer, request, answer, tile, state)
