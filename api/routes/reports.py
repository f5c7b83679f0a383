"""Volunteers' reports and their photos."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accounts.models import Account
from api.deps import CurrentAccount, RegistryDep, SessionDep, SettingsDep, VolunteerAccount, require_role
from api.params import ReportPage
from core.errors import fail, field_error
from mobile_schema.registry import default_registry
from reports import photos as photo_service
from reports import service
from reports.models import Report
from reports.representation import photo_view, report_summary, report_view

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

PhotoReader = Annotated[Account, Depends(require_role("volunteer", "moderator", "admin"))]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


async def read_json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise fail("malformed_json", field_error(
            "", "본문을 JSON으로 읽을 수 없습니다.", f"Cannot parse the body: {exc}")) from exc


def _submission_response(db: Session, submit: Callable[[], service.Submission]) -> JSONResponse:
    """201 for a new submission, 200 for a replay of one already stored (same id, same body).
    Run in the threadpool: the database work is synchronous (STYLE.md pitfalls)."""
    result = submit()
    view = report_view(db, result.report, candidates=result.candidates, warnings=result.warnings)
    return JSONResponse(view, status_code=201 if result.created else 200)


def owned_report(report_id: int, db: SessionDep, account: CurrentAccount) -> Report:
    return service.get_report_for(db, report_id=report_id, account=account)


OwnedReport = Annotated[Report, Depends(owned_report)]


@router.post(
    "",
    status_code=201,
    responses={200: {"description": "A retry of a submission already stored: the same report"},
               409: {"description": "The client_submission_id was used for another body"}},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": default_registry().schema()}}}},
)
async def submit_report(request: Request, db: SessionDep, volunteer: VolunteerAccount,
                        registry: RegistryDep, settings: SettingsDep) -> JSONResponse:
    """Submit a report (the JSON body follows the form schema). Idempotent on client_submission_id."""
    body = await read_json_body(request)
    return await run_in_threadpool(_submission_response, db, lambda: service.submit_report(
        db, volunteer=volunteer, body=body, registry=registry, settings=settings))


@router.get("")
def list_my_reports(db: SessionDep, volunteer: VolunteerAccount, paging: ReportPage) -> dict[str, Any]:
    rows, total = service.list_own_reports(db, volunteer=volunteer, page=paging.page, page_size=paging.page_size)
    return {"items": [report_summary(r) for r in rows], "page": paging.page, "page_size": paging.page_size,
            "total": total}


@router.get("/{report_id}")
def get_report(report: OwnedReport, db: SessionDep) -> dict[str, Any]:
    return report_view(db, report)


@router.post("/{report_id}/photos", status_code=201)
async def upload_photo(
    report_id: int, db: SessionDep, volunteer: VolunteerAccount, settings: SettingsDep,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP")],
    kind: Annotated[Literal["entrance", "route", "door", "interior", "other"], Form()],
) -> dict[str, Any]:
    raw = await file.read(settings.photo_max_bytes + 1)
    if len(raw) > settings.photo_max_bytes:
        raise fail("photo_too_large", field_error("file", "더 작은 사진을 올려 주세요.", "Upload a smaller photo."),
                   max_mb=settings.photo_max_bytes // 1_048_576)
    def work() -> dict[str, Any]:
        report = service.get_report_for(db, report_id=report_id, account=volunteer)
        return photo_view(photo_service.add_photo(db, report=report, kind=kind, raw=raw, settings=settings))

    return await run_in_threadpool(work)


@router.get("/{report_id}/photos")
def list_report_photos(report: OwnedReport, db: SessionDep, _: PhotoReader) -> list[dict[str, Any]]:
    return [photo_view(p) for p in photo_service.list_photos(db, report_id=report.id)]


@router.get("/{report_id}/photos/{photo_id}")
def get_photo(report: OwnedReport, photo_id: uuid.UUID, db: SessionDep, settings: SettingsDep, _: PhotoReader,
              size: Literal["full", "thumb"] = "full") -> FileResponse:
    photo = photo_service.get_photo(db, report=report, photo_id=photo_id)
    path = Path(settings.photo_dir) / (photo.thumb_key if size == "thumb" else photo.storage_key)
    if not path.exists():
        raise fail("photo_file_missing")
    return FileResponse(path, media_type=photo.content_type, headers={"Cache-Control": "private, max-age=3600"})


@router.post("/{report_id}/revisions", status_code=201,
             responses={200: {"description": "A retry of a revision already stored"}},
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": default_registry().schema()}}}})
async def revise_report(report_id: int, request: Request, db: SessionDep, volunteer: VolunteerAccount,
                        registry: RegistryDep, settings: SettingsDep) -> JSONResponse:
    """Send a fixed version of a report the moderator sent back (status changes_requested)."""
    body = await read_json_body(request)
    return await run_in_threadpool(_submission_response, db, lambda: service.submit_revision(
        db, volunteer=volunteer, report_id=report_id, body=body, registry=registry, settings=settings))
