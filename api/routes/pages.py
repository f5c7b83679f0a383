"""The volunteer's mobile web app (issue 5): static files under static/app served at /app/.

The page is plain ES modules (no build step). Its one server-side input is the map
configuration, because the tile host is a deployment decision and may be absent.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from core.config import PROJECT_ROOT

APP_DIR = PROJECT_ROOT / "static" / "app"


class AppFiles(StaticFiles):
    """Static files that are revalidated on every load, so a volunteer never runs a stale
    script against a newer API (the service worker keeps the offline copy)."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


def install_volunteer_app(app: FastAPI) -> None:
    @app.get("/app", include_in_schema=False)
    def app_root() -> RedirectResponse:
        return RedirectResponse("/app/")

    @app.get("/app/config.json", include_in_schema=False)
    def app_config(request: Request) -> JSONResponse:
        settings = request.app.state.settings
        return JSONResponse({"tile_url": settings.map_tile_url, "tile_attribution": settings.map_tile_attribution},
                            headers={"Cache-Control": "no-cache"})

    app.mount("/app", AppFiles(directory=APP_DIR, html=True), name="volunteer-app")
