"""Volunteers' reports and their photos."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accounts.models import Account
from api.deps import (
    BigId,
    CurrentAccount,
    RegistryDep,
    SessionDep,
    SettingsDep,
    VolunteerAccount,
    VolunteerReleased,
    limit_photos,
    limit_reports,
    require_role,
)
from api.params import ReportPage
from api.routes.jobs import accepted
from jobs.schemas import JobView
from core.db import unit_of_work
from core.errors import fail, field_error
from mobile_schema.registry import default_registry
from reports import photos as photo_service
from reports import service
from reports.models import Report
from reports.images import probe_image
from reports.representation import photo_view, report_summary, report_view
from reports.schemas import PhotoView, ReportList, ReportView

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

PhotoReader = Annotated[Account, Depends(require_role("volunteer", "moderator", "admin"))]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# The form nests five levels deep (access_route.obstacles[].location); anything far deeper is
# an attack on the parser or on the recursion of whatever walks the document next.
MAX_JSON_DEPTH = 32


def _depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, without recursion (1 for a scalar)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


async def read_json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError as exc:  # e.g. 100,000 '[': the parser's own recursion limit
        raise fail("json_too_deep", max_depth=MAX_JSON_DEPTH) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise fail("malformed_json", field_error(
            "", "본문을 JSON으로 읽을 수 없습니다.", f"Cannot parse the body: {exc}")) from exc
    if _depth(body) > MAX_JSON_DEPTH:
        raise fail("json_too_deep", max_depth=MAX_JSON_DEPTH)
    return body


def _submission_response(db: Session, response: Response, submit: Callable[[], service.Submission]
                         ) -> dict[str, Any]:
    """201 for a new submission, 200 for a replay of one already stored (same id, same body).
    Run in the threadpool: the database work is synchronous (STYLE.md pitfalls)."""
    result = submit()
    response.status_code = 201 if result.created else 200
    return report_view(db, result.report, candidates=result.candidates, warnings=result.warnings,
                       photos=result.photos)


_IMAGE = {200: {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                             "image/png": {"schema": {"type": "string", "format": "binary"}},
                             "image/webp": {"schema": {"type": "string", "format": "binary"}}},
                 "description": "The photo (EXIF removed)"}}



def owned_report(report_id: BigId, db: SessionDep, account: CurrentAccount) -> Report:
    return service.get_report_for(db, report_id=report_id, account=account)


OwnedReport = Annotated[Report, Depends(owned_report)]


@router.post(
    "",
    status_code=201,
    dependencies=[Depends(limit_reports)],
    response_model=ReportView,
    responses={200: {"model": ReportView, "description": "A retry of a submission already stored: the same report"},
               409: {"description": "The client_submission_id was used for another body"}},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": default_registry().schema()}}}},
)
async def submit_report(request: Request, response: Response, db: SessionDep, volunteer: VolunteerAccount,
                        registry: RegistryDep, settings: SettingsDep) -> dict[str, Any]:
    """Submit a report (the JSON body follows the form schema). Idempotent on client_submission_id."""
    body = await read_json_body(request)
    return await run_in_threadpool(_submission_response, db, response, lambda: service.submit_report(
        db, volunteer=volunteer, body=body, registry=registry, settings=settings))


@router.get("", response_model=ReportList)
def list_my_reports(db: SessionDep, volunteer: VolunteerAccount, paging: ReportPage) -> dict[str, Any]:
    rows, total = service.list_own_reports(db, volunteer=volunteer, page=paging.page, page_size=paging.page_size)
    return {"items": [report_summary(r) for r in rows], "page": paging.page, "page_size": paging.page_size,
            "total": total}


@router.get("/{report_id}", response_model=ReportView)
def get_report(report: OwnedReport, db: SessionDep) -> dict[str, Any]:
    return report_view(db, report)


@router.post("/{report_id}/photos", status_code=202, response_model=JobView,
             dependencies=[Depends(limit_photos)],
             responses={200: {"model": JobView, "description": "A retry of an upload still being processed: "
                                                               "the same job"},
                        503: {"description": "The database is briefly down; Retry-After says when to try again"}})
async def upload_photo(
    report_id: BigId, request: Request, volunteer: VolunteerReleased, settings: SettingsDep,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP")],
    kind: Annotated[Literal["entrance", "route", "door", "interior", "other"], Form()],
) -> JSONResponse:
    """Add a photo: its header is checked (type by content, size, pixels: 413/415 now), the bytes are
    stored with a job and the answer is 202 with the job (`Location`). A worker strips EXIF, resizes
    and thumbnails it (reports/photos.py); the job's `result` is then the photo."""
    factory = request.app.state.session_factory

    def check() -> None:
        with unit_of_work(factory) as db:
            report = service.get_report_for(db, report_id=report_id, account=volunteer)
            photo_service.check_can_add(db, report=report, kind=kind, settings=settings)

    await run_in_threadpool(check)  # the cheap refusals before the upload is read
    raw = await file.read(settings.photo_max_bytes + 1)
    await run_in_threadpool(probe_image, raw, settings)

    def keep() -> tuple[Any, bool]:
        with unit_of_work(factory) as db:
            report = service.get_report_for(db, report_id=report_id, account=volunteer)
            return photo_service.queue_photo(db, report=report, kind=kind, raw=raw, owner_id=volunteer.id,
                                             settings=settings)

    job, created = await run_in_threadpool(keep)
    return accepted(job, created=created)


@router.get("/{report_id}/photos", response_model=list[PhotoView])
def list_report_photos(report: OwnedReport, db: SessionDep, _: PhotoReader) -> list[dict[str, Any]]:
    return [photo_view(p) for p in photo_service.list_photos(db, report_id=report.id)]


@router.get("/{report_id}/photos/{photo_id}", response_class=FileResponse, responses=_IMAGE)
def get_photo(report: OwnedReport, photo_id: uuid.UUID, db: SessionDep, settings: SettingsDep, _: PhotoReader,
              size: Literal["full", "thumb"] = "full") -> FileResponse:
    photo = photo_service.get_photo(db, report=report, photo_id=photo_id)
    path = photo_service.photo_file(photo, settings, thumb=size == "thumb")
    return FileResponse(path, media_type=photo.content_type, headers={"Cache-Control": "private, max-age=3600"})


@router.post("/{report_id}/revisions", status_code=201, response_model=ReportView,
             dependencies=[Depends(limit_reports)],
             responses={200: {"model": ReportView, "description": "A retry of a revision already stored"}},
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": default_registry().schema()}}}})
async def revise_report(report_id: BigId, request: Request, response: Response, db: SessionDep,
                        volunteer: VolunteerAccount, registry: RegistryDep, settings: SettingsDep) -> dict[str, Any]:
    """Send a fixed version of a report the moderator sent back (status changes_requested)."""
    body = await read_json_body(request)
    return await run_in_threadpool(_submission_response, db, response, lambda: service.submit_revision(
        db, volunteer=volunteer, report_id=report_id, body=body, registry=registry, settings=settings))
