"""Exports for the map team: streamed layers, snapshots, and the admin's API keys.

Who may pull: exporter accounts (bearer token or `X-API-Key`) and admins; nobody else.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Security, status
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from accounts.models import Account
from api.deps import (INT4_MAX, AdminAccount, RateLimitsDep, SessionDep, SettingsDep, SmallId, api_key_header,
                      count_caller, get_current_account, oauth2_scheme)
from api.params import BboxParam, DistrictParam, VerdictParam
from api.routes.jobs import accepted
from api.streaming import ClosingStreamingResponse
from core.db import unit_of_work
from core.errors import fail
from core.text import Text
from exports import api_keys, snapshots
from exports.schemas import SnapshotView
from exports.request import ExportRequest, LayerState, etag_for, layer_state, parse_request
from exports.stream import stream_export
from jobs import service as jobs
from jobs.schemas import JobView

router = APIRouter(prefix="/api/v1", tags=["exports"])


def export_caller(db: SessionDep, settings: SettingsDep,
                  token: Annotated[str | None, Depends(oauth2_scheme)],
                  api_key: Annotated[str | None, Security(api_key_header)]) -> Account:
    """An exporter (API key or login) or an admin; 401 without credentials, 403 for other roles."""
    if api_key:
        return api_keys.account_for_key(db, api_key)
    account = get_current_account(db, settings, token)
    if account.role not in ("exporter", "admin"):
        raise fail("forbidden_role", roles="exporter or admin")
    return account


ExportCaller = Annotated[Account, Depends(export_caller)]


def limit_exports(request: Request, limits: RateLimitsDep, caller: ExportCaller) -> None:
    """Layer streams and snapshot downloads: per address and per exporter account (or its key's)."""
    count_caller(request, limits, rule="exports", account_id=caller.id, account_rule="exports_per_caller")


def limit_snapshots(request: Request, limits: RateLimitsDep, caller: ExportCaller) -> None:
    count_caller(request, limits, rule="exports", account_id=caller.id, account_rule="snapshots_per_caller")


# -- API keys (admin) ------------------------------------------------------------------------

class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_id: int = Field(ge=1, le=INT4_MAX)
    label: Text = Field(min_length=1, max_length=100)


class ApiKeyView(BaseModel):
    id: int
    account_id: int
    label: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyView):
    key: str = Field(description="Shown once; only a hash is stored.")


def _key_view(k) -> dict[str, Any]:
    return {"id": k.id, "account_id": k.account_id, "label": k.label, "prefix": k.prefix,
            "created_at": k.created_at, "revoked_at": k.revoked_at, "last_used_at": k.last_used_at}


@router.post("/admin/api-keys", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
def create_api_key(body: ApiKeyCreate, admin: AdminAccount, db: SessionDep) -> dict[str, Any]:
    key, secret = api_keys.create_api_key(db, admin=admin, account_id=body.account_id, label=body.label)
    db.refresh(key)
    return {**_key_view(key), "key": secret}


@router.get("/admin/api-keys", response_model=list[ApiKeyView])
def list_api_keys(admin: AdminAccount, db: SessionDep) -> list[dict[str, Any]]:
    return [_key_view(k) for k in api_keys.list_api_keys(db)]


@router.delete("/admin/api-keys/{key_id}", response_model=ApiKeyView)
def revoke_api_key(key_id: SmallId, admin: AdminAccount, db: SessionDep) -> dict[str, Any]:
    return _key_view(api_keys.revoke_api_key(db, admin=admin, key_id=key_id))


# -- snapshots -------------------------------------------------------------------------------

class SnapshotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    layer: str = "toilets"
    profile: str = "smart-seoul-map"
    format: str = "csv"
    district: str | None = None
    verdict: str | None = None
    bbox: str | None = None
    bom: bool = False
    columns: str = "all"


def _snapshot_view(s) -> dict[str, Any]:
    base = f"/api/v1/exports/snapshots/{s.id}"
    return {"id": str(s.id), "layer": s.layer, "profile": s.profile, "format": s.format,
            "sha256": s.sha256, "feature_count": s.feature_count, "seq": s.seq,
            "created_at": s.created_at.isoformat() if s.created_at else None,
            "manifest": s.manifest,
            "links": {"file": f"{base}/files/{s.data_file}", "manifest": f"{base}/files/manifest.json",
                      "bundle": f"{base}/bundle.zip"}}


@router.post("/exports/snapshots", status_code=status.HTTP_202_ACCEPTED, response_model=JobView,
             dependencies=[Depends(limit_snapshots)])
def create_snapshot(body: SnapshotCreate, caller: ExportCaller, db: SessionDep) -> JSONResponse:
    """Queue a snapshot: 202 with the job (`Location`); when it has succeeded its `result_url` is the
    snapshot. A store without room for it fails the job with snapshot_over_budget or
    snapshot_disk_full (`error_status` 507), and nothing is kept."""
    params = {"layer": body.layer, "fmt": body.format, "profile": body.profile, "district": body.district,
              "verdict": body.verdict, "bbox": body.bbox, "bom": body.bom, "columns": body.columns}
    parse_request(**params)  # bad values: 422 now, not a failed job later
    job, _ = jobs.create_job(db, kind="snapshot", owner_id=caller.id, params={"request": params})
    return accepted(job)


@router.get("/exports/snapshots", response_model=list[SnapshotView])
def list_snapshots(caller: ExportCaller, db: SessionDep) -> list[dict[str, Any]]:
    return [_snapshot_view(s) for s in snapshots.list_snapshots(db)]


@router.get("/exports/snapshots/{snapshot_id}", response_model=SnapshotView)
def get_snapshot(snapshot_id: uuid.UUID, caller: ExportCaller, db: SessionDep) -> dict[str, Any]:
    return _snapshot_view(snapshots.get_snapshot(db, snapshot_id))


@router.get("/exports/snapshots/{snapshot_id}/bundle.zip", response_class=StreamingResponse,
            dependencies=[Depends(limit_exports)],
            responses={200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "The data file, its manifest and the photos it references"}})
def snapshot_bundle(snapshot_id: uuid.UUID, caller: ExportCaller, db: SessionDep) -> StreamingResponse:
    snap = snapshots.get_snapshot(db, snapshot_id)
    return ClosingStreamingResponse(snapshots.stream_bundle(snap), media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="snapshot-{snap.id}.zip"'})


@router.get("/exports/snapshots/{snapshot_id}/files/{name:path}", response_class=FileResponse,
            dependencies=[Depends(limit_exports)],
            responses={200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "One file of the snapshot (data, manifest.json, a photo)"}})
def snapshot_file(snapshot_id: uuid.UUID, name: str, caller: ExportCaller, db: SessionDep) -> FileResponse:
    path = snapshots.snapshot_file(snapshots.get_snapshot(db, snapshot_id), name)
    return FileResponse(path, filename=path.name)


# -- streamed layers -------------------------------------------------------------------------

def export_source(request: Request, db: Session, *, caller: Account, since: int | None
                  ) -> tuple[sessionmaker[Session], LayerState]:
    """Where a layer stream reads, and the layer's state there (read before the stream, which
    must come from the same place). An exporter reads the replica when there is one (DATABASE_READ_URL):
    it never writes the layer, and a replica shows the primary's commits in commit order, so its
    high-water mark and tombstones are as safe to sync from. An admin reads the primary (they may
    have just published), and so does a consumer whose cursor is ahead of the replica (it saw a
    newer sequence number on the primary): it never gets an older layer than it already has."""
    replica = request.app.state.read_session_factory
    if replica is not None and caller.role == "exporter":
        with unit_of_work(replica) as read:
            state = layer_state(read)
        if since is None or state.seq >= since:
            return replica, state
    return request.app.state.session_factory, layer_state(db)


def _stream(request: Request, source: sessionmaker[Session], req: ExportRequest, state: LayerState
            ) -> Iterator[bytes]:
    """Runs after the request's own session has closed: the stream has a session of its own."""
    settings = request.app.state.settings
    db = source()
    try:
        yield from stream_export(db, req, settings, state=state)
    finally:
        db.rollback()
        db.close()


@router.get("/exports/{layer}.{fmt}", response_class=StreamingResponse,
            dependencies=[Depends(limit_exports)],
            responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}},
                                         "text/csv": {"schema": {"type": "string"}},
                                         "application/json": {"schema": {"type": "object"}}},
                             "description": "The layer, streamed (docs/exports.md describes each profile)"},
                       304: {"description": "Not modified (If-None-Match matched the ETag)"}})
def export_layer(
    request: Request, layer: str, fmt: str, caller: ExportCaller, db: SessionDep, settings: SettingsDep,
    profile: Annotated[str, Query(description="smart-seoul-map | geojson | a11yjson | osm")] = "smart-seoul-map",
    since: Annotated[int | None, Query(description="changes after this change-log sequence number")] = None,
    district: DistrictParam = None,
    verdict: VerdictParam = None,
    bbox: BboxParam = None,
    bom: Annotated[bool, Query(description="CSV only: a UTF-8 byte-order mark for spreadsheets")] = False,
    columns: Annotated[str, Query(description="CSV only: all, or consumer (smart-seoul-map toilets: only the "
                                              "columns 계단뿌셔클럽 reads)")] = "all",
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    req = parse_request(layer=layer, fmt=fmt, profile=profile, since=since, district=district,
                        verdict=verdict, bbox=bbox, bom=bom, columns=columns)
    source, state = export_source(request, db, caller=caller, since=since)
    etag = etag_for(req, state, settings)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "X-Reachable-Seq": str(state.seq),
               "Content-Disposition": f'attachment; filename="{req.filename()}"'}
    if state.changed_at is not None:
        headers["Last-Modified"] = format_datetime(state.changed_at.astimezone(UTC), usegmt=True)
    tags = [t.strip() for t in (if_none_match or "").split(",") if t.strip()]
    if "*" in tags or etag in tags or f"W/{etag}" in tags:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return ClosingStreamingResponse(_stream(request, source, req, state), media_type=req.media_type(), headers=headers)
