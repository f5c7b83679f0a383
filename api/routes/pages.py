"""The volunteer's mobile web app (issue 5): static files under static/app served at /app/.

The page is plain ES modules (no build step). Its one server-side input is the map
configuration, because the tile host is a deployment decision and may be absent.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from api.static_assets import RevalidatedFiles
from core.config import PROJECT_ROOT

APP_DIR = PROJECT_ROOT / "static" / "app"


def install_volunteer_app(app: FastAPI) -> None:
    @app.get("/app", include_in_schema=False)
    def app_root() -> RedirectResponse:
        return RedirectResponse("/app/")

    @app.get("/app/config.json", include_in_schema=False)
    def app_config(request: Request) -> JSONResponse:
        settings = request.app.state.settings
        return JSONResponse({"tile_url": settings.map_tile_url, "tile_attribution": settings.map_tile_attribution},
                            headers={"Cache-Control": "no-cache"})

    app.mount("/app", RevalidatedFiles(directory=APP_DIR, html=True), name="volunteer-app")
