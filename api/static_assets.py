"""Front-end files served by the app: libraries from node_modules (installed by scripts/setup),
and the pages' own ES modules.

City networks are often cut off from the internet: nothing a page needs may come from a CDN.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

from core.config import PROJECT_ROOT

NODE_MODULES = PROJECT_ROOT / "node_modules"
STATIC_DIR = PROJECT_ROOT / "static"


class RevalidatedFiles(StaticFiles):
    """Static files that are revalidated on every load, so a page never runs a stale script
    against a newer API, nor a stale module beside the fresh ones it imports (static/shared/,
    the console's static/moderate/js/); the volunteer app's service worker keeps its offline copy."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


# URL path under /static/vendor → folder inside node_modules
VENDOR_DIRS = {
    "leaflet": "leaflet/dist",
    "leaflet.markercluster": "leaflet.markercluster/dist",
    "jquery": "jquery/dist",
    "bootstrap": "bootstrap/dist",
    "fontawesome": "@fortawesome/fontawesome-free",
    "swagger-ui": "swagger-ui-dist",
    "chartjs": "chart.js/dist",  # the office's charts (docs/office.md says why this one)
    "maplibre-gl": "maplibre-gl/dist",  # the finder's map (ES modules; its worker is a module worker from here)
}


def compressed(files: ASGIApp) -> ASGIApp:
    """Static files gzip-compressed for clients that accept it (the finder's first load on a
    phone; MapLibre is ~1.7 MB raw). Only files: API answers and exports are left as they are."""
    return GZipMiddleware(files, minimum_size=1024)


def mount_vendor_assets(app: FastAPI) -> None:
    missing = [name for name, sub in VENDOR_DIRS.items() if not (NODE_MODULES / sub).is_dir()]
    if missing:
        raise RuntimeError(
            f"front-end packages missing from {NODE_MODULES}: {', '.join(missing)}; run `bash scripts/setup`")
    for name, sub in VENDOR_DIRS.items():
        app.mount(f"/static/vendor/{name}", compressed(StaticFiles(directory=NODE_MODULES / sub)), name=f"vendor-{name}")
