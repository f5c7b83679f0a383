"""The application factory: settings in, app out (nothing read from the environment at import)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

import all_models  # noqa: F401  every table in the ORM's metadata (flushes resolve FKs to districts)
from accounts.security import configure_password_work
from api.deps import document_rate_limits
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.limits import BodySizeLimit
from api.routes import accounts, mobile_schema, pages, reports
from api.routes import exports as exports_routes
from api.routes import jobs as jobs_routes
from api.routes import finder, maps_preview, missions, moderation, moderation_console, office, partners, tiles, toilets
from api.read_routing import ReadAfterWriteCookie
from api.security_headers import SecurityHeaders, html_with_inline_scripts
from api.static_assets import STATIC_DIR, RevalidatedFiles, compressed, mount_vendor_assets
from core.config import Settings, get_settings
from core.db import make_engine, make_session_factory, resolve_read_url
from core.rate_limit import PostgresStorage, RateLimits
from core.schemas import ResponseModel
from core.secrets import usable_settings
from mobile_schema.registry import SchemaRegistry, default_registry
from reports.photos import recover_photo_files
from toilets.tiles import LayerStateClock, TileCache

log = logging.getLogger("reachable")


def _recover_photos(app: FastAPI) -> None:
    """Finish what a crash interrupted (photo files between commit and rename); a database that
    is down must not keep the API from starting, the next start tries again."""
    from sqlalchemy.exc import SQLAlchemyError

    from core.db import unit_of_work

    try:
        with unit_of_work(app.state.session_factory) as db:
            done = recover_photo_files(db, app.state.settings, grace_s=app.state.settings.photo_orphan_grace_s)
    except SQLAlchemyError as exc:
        log.warning("photo recovery skipped: %s", exc)
        return
    if done.finalized or done.removed:
        log.warning("photo recovery: %d renamed after commit, %d orphans removed",
                    len(done.finalized), len(done.removed))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(_recover_photos, app)
    yield


class Health(ResponseModel):
    status: Literal["ok"]


def create_app(
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    schema_registry: SchemaRegistry | None = None,
) -> FastAPI:
    # Refuses an unset or published SECRET_KEY outside demo mode (InsecureSecret says what to do).
    settings = usable_settings(settings or get_settings())
    configure_password_work(concurrent=settings.argon2_max_concurrent, waiting=settings.argon2_max_waiting,
                            wait_seconds=settings.argon2_wait_seconds)
    app = FastAPI(
        title="Reachable toilets Seoul · 휠체어도 가는 화장실",
        version="0.1.0",
        description="Volunteers report toilets wheelchair and stroller users can reach; partner moderators "
                    "verify them; the city's map team exports the verified layer.",
        docs_url=None,  # served below with local assets instead of the CDN default
        redoc_url=None,
        lifespan=_lifespan,
        responses=ERROR_RESPONSES,
    )
    engine = make_engine(settings, database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    read_url = resolve_read_url(settings)  # a replica for public reads (api/read_routing.py)
    app.state.read_engine = make_engine(settings, read_url) if read_url else None
    app.state.read_session_factory = make_session_factory(app.state.read_engine) if read_url else None
    # The abuse counters get a small pool of their own, so they never wait behind request sessions.
    app.state.rate_limit_engine = make_engine(settings, database_url, pool_size=settings.rate_limit_pool_size,
                                              max_overflow=settings.rate_limit_pool_size, generic_plans=True)
    app.state.rate_limits = RateLimits(PostgresStorage(app.state.rate_limit_engine), settings)
    app.state.schema_registry = schema_registry or default_registry()
    app.state.tile_cache = TileCache(max_tiles=settings.tile_cache_tiles, max_bytes=settings.tile_cache_mb * 1024 * 1024)
    # The layer state for cached tiles without a query (toilets.tiles.LayerStateClock): not with a
    # replica, whose state moves on replay, and not when TILE_STATE_TTL_MS is 0.
    app.state.layer_clock = (LayerStateClock(settings.tile_state_ttl_ms / 1000)
                             if settings.tile_state_ttl_ms and not read_url else None)
    Path(settings.photo_dir).mkdir(parents=True, exist_ok=True)

    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, default_limit=settings.max_body_bytes,
                       upload_limit=settings.photo_max_bytes + 64 * 1024)
    app.add_middleware(SecurityHeaders)  # CSP on every HTML response, nosniff, Referrer-Policy
    if read_url and settings.read_primary_after_write_s:
        app.add_middleware(ReadAfterWriteCookie, max_age_s=settings.read_primary_after_write_s)
    for module in (accounts, mobile_schema, reports):
        app.include_router(module.router)
    app.include_router(toilets.router)  # public read API (before moderation: /toilets/nearby)
    app.include_router(tiles.router)  # /tiles/toilets/{z}/{x}/{y}.mvt, public
    app.include_router(moderation.router)  # queue, decisions, reviews, histories
    app.include_router(moderation_console.router)  # /moderate
    app.include_router(exports_routes.router)  # /api/v1/exports, API keys, snapshots
    app.include_router(maps_preview.router)  # /maps/preview
    app.include_router(partners.router)  # /api/v1/partners (the office)
    app.include_router(jobs_routes.router)  # /api/v1/jobs/{id}: what a 202 points to
    app.include_router(office.router)  # /api/v1/office: campaign, dashboard, final report
    app.include_router(missions.router)  # /api/v1/missions: toilets to check near a volunteer
    app.include_router(office.page_router)  # /office
    app.include_router(finder.router)  # / (the public finder), /toilets/{id}, /api/v1/districts
    document_rate_limits(app)

    mount_vendor_assets(app)
    pages.install_volunteer_app(app)
    if STATIC_DIR.exists():
        app.mount("/static", compressed(RevalidatedFiles(directory=STATIC_DIR)), name="static")

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url="/openapi.json", title=f"{app.title} – API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )
        return html_with_inline_scripts(request, page.body.decode("utf-8"))  # Swagger's one inline script

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    @app.get("/healthz", tags=["ops"], response_model=Health)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
