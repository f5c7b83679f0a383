"""The shapes of the exports API's JSON answers (layers themselves stream as files)."""

from __future__ import annotations

from typing import Any

from core.schemas import ResponseModel, Timestamp


class SnapshotLinks(ResponseModel):
    file: str
    manifest: str
    bundle: str


class SnapshotView(ResponseModel):
    id: str
    layer: str
    profile: str
    format: str
    sha256: str
    feature_count: int
    seq: int
    created_at: Timestamp | None
    manifest: dict[str, Any]
    links: SnapshotLinks
