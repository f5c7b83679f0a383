"""The preview map of the published layer (folium, local assets) and the main photos it shows.

Public, like the layer it previews: published data only, no volunteer identity; photos served
are only those that are the main photos of published toilets (EXIF was stripped on upload).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from api.deps import ReadSessionDep, SettingsDep
from api.security_headers import html_with_inline_scripts
from core.errors import fail
from exports.preview import main_photo_storage_key, preview_html
from toilets.filters import parse_districts

router = APIRouter(tags=["maps"])


@router.get("/maps/preview", response_class=HTMLResponse)
def preview(request: Request, db: ReadSessionDep,
            district: Annotated[str | None, Query(description="a district code or name")] = None) -> HTMLResponse:
    code = parse_districts(district)
    # folium's inline scripts allowed by hash; the crowd's text is in a JSON block (exports.preview)
    return html_with_inline_scripts(request, preview_html(db, district=code[0] if code else None))


@router.get("/maps/photos/{name}", response_class=FileResponse,
            responses={200: {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                                         "image/png": {"schema": {"type": "string", "format": "binary"}},
                                         "image/webp": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "The main photo of a published toilet"}})
def preview_photo(name: str, db: ReadSessionDep, settings: SettingsDep) -> FileResponse:
    key = main_photo_storage_key(db, name)
    path = Path(settings.photo_dir) / key if key else None
    if path is None or not path.is_file():
        raise fail("photo_not_found")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
