"""Helpers for export tests: publish toilets through the real service, run an export to bytes."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy.orm import Session

from core.config import Settings
from exports.request import layer_state, parse_request
from exports.stream import stream_export
from tests.factories import report_body
from toilets.service import create_toilet


def publish(db: Session, *, lon: float | None = None, lat: float | None = None, report_id: int | None = None,
            main_photo: bool = True, **overrides: Any):
    """A published toilet (report_body with the overrides). `main_photo`: it shows a photo, as
    the Smart Seoul Map layer requires (a name in `photo_files` only: no file behind it, so a
    snapshot bundles nothing for it; tests of photo files use report_with_photos)."""
    body = report_body(**overrides)
    if lon is not None:
        body["location"]["lon"], body["location"]["lat"] = lon, lat
        body["access_route"]["path"] = None
    toilet = create_toilet(db, payload=body, report_id=report_id, review_id=None)
    if main_photo and report_id is None:
        toilet.photo_files = [f"{uuid.uuid4()}.jpg"]
    db.flush()
    return toilet


def export_bytes(db: Session, settings: Settings, **kwargs: Any) -> bytes:
    req = parse_request(**kwargs)
    return b"".join(stream_export(db, req, settings, state=layer_state(db)))


def export_json(db: Session, settings: Settings, **kwargs: Any) -> dict:
    return json.loads(export_bytes(db, settings, **kwargs))


def png_bytes(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, format="PNG")
    return buf.getvalue()


def report_with_photos(db: Session, settings: Settings, kinds: tuple[str, ...] = ("interior", "entrance"),
                       **overrides: Any):
    """A volunteer's report with photos, through the real submission and photo services."""
    from sqlalchemy import select

    from accounts.models import Account
    from mobile_schema.registry import default_registry
    from reports.photos import add_photo
    from reports.service import submit_report
    from tests.factories import make_account

    username = make_account(db, "volunteer")
    volunteer = db.scalar(select(Account).where(Account.username == username))
    body = report_body(**overrides)
    report = submit_report(db, volunteer=volunteer, body=body, registry=default_registry(), settings=settings).report
    photos = [add_photo(db, report=report, kind=k, raw=png_bytes((40 * i, 90, 160)), settings=settings)
              for i, k in enumerate(kinds)]
    return report, body, photos


def settle_preview(page, centre_js: str, *, markers: str, timeout: float = 15000) -> None:
    """Zoom the preview map (/maps/preview) to 18 at `centre_js` (a JS LatLng expression of `p`, the
    page's `window.reachablePreview`) and wait until Leaflet and the cluster layer have stopped
    moving and `markers` (a JS condition of `p`) holds. A click before that can land on a marker
    the cluster layer's zoom animation is still placing; when it re-adds the marker, Leaflet closes
    the marker's popup, so a popup that opened is gone (seen once in a loaded CI run)."""
    page.wait_for_function(f"""() => {{ const p = window.reachablePreview;
        if (!p) return false;
        if (p.map.getZoom() !== 18) p.map.setView({centre_js}, 18, {{animate: false}});
        return p.map.getZoom() === 18 && !p.map._animatingZoom && !p.cluster._inZoomAnimation && ({markers}); }}""",
                           timeout=timeout, polling=250)
