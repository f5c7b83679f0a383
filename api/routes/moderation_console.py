"""The moderator console at /moderate: a static page (HTML + JS + CSS in static/moderate/)
talking to the moderation API. Nothing it loads comes from outside the app."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from core.config import PROJECT_ROOT

router = APIRouter(include_in_schema=False)
CONSOLE = PROJECT_ROOT / "static" / "moderate" / "index.html"


@router.get("/moderate")
def console() -> FileResponse:
    return FileResponse(CONSOLE, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})
