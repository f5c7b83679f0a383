"""How a report reads outside the database (API responses, the moderator console)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from geo.districts import DISTRICTS
from reports.models import Report, ReportPhoto
from reports.photos import list_photos
from reports.service import stored_candidates


def photo_view(photo: ReportPhoto) -> dict[str, Any]:
    base = f"/api/v1/reports/{photo.report_id}/photos/{photo.id}"
    return {"id": str(photo.id), "kind": photo.kind, "content_type": photo.content_type,
            "width_px": photo.width_px, "height_px": photo.height_px, "byte_size": photo.byte_size,
            "url": base, "thumb_url": f"{base}?size=thumb", "uploaded_at": photo.uploaded_at.isoformat()}


def report_view(
    db: Session, report: Report, *, candidates: list[dict[str, Any]] | None = None,
    warnings: list[dict[str, str]] | None = None, photos: list[ReportPhoto] | None = None,
) -> dict[str, Any]:
    name_ko, name_en = DISTRICTS[report.district_code]
    return {
        "id": report.id,
        "client_submission_id": str(report.client_submission_id),
        "status": report.status,
        "revision": report.revision,
        "schema_version": report.schema_version,
        "submitted_at": report.submitted_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
        "district": {"code": report.district_code, "name_ko": name_ko, "name_en": name_en},
        "district_mismatch": report.district_mismatch,
        "moderator_message": report.moderator_message,
        "payload": report.payload,
        "duplicate_candidates": candidates if candidates is not None else stored_candidates(db, report.id),
        "warnings": warnings or [],
        "photos": [photo_view(p) for p in (photos if photos is not None else list_photos(db, report_id=report.id))],
    }


def report_summary(report: Report) -> dict[str, Any]:
    return {"id": report.id, "client_submission_id": str(report.client_submission_id), "status": report.status,
            "name": report.name, "district_code": report.district_code, "floor": report.floor,
            "submitted_at": report.submitted_at.isoformat(), "moderator_message": report.moderator_message}
