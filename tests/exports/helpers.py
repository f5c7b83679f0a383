"""Helpers for export tests: publish toilets through the real service, run an export to bytes."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from core.config import Settings
from exports.service import layer_state, parse_request, stream_export
from tests.conftest import report_body
from toilets.service import create_toilet


def publish(db: Session, *, lon: float | None = None, lat: float | None = None, report_id: int | None = None,
            **overrides: Any):
    body = report_body(**overrides)
    if lon is not None:
        body["location"]["lon"], body["location"]["lat"] = lon, lat
        body["access_route"]["path"] = None
    toilet = create_toilet(db, payload=body, report_id=report_id, review_id=None)
    db.flush()
    return toilet


def export_bytes(db: Session, settings: Settings, **kwargs: Any) -> bytes:
    req = parse_request(**kwargs)
    return b"".join(stream_export(db, req, settings, state=layer_state(db)))


def export_json(db: Session, settings: Settings, **kwargs: Any) -> dict:
    return json.loads(export_bytes(db, settings, **kwargs))
