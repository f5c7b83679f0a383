"""Photo intake: type by content, size and decompression-bomb guards, orientation applied,
every EXIF/XMP/ICC/text chunk dropped (a volunteer's GPS trail is personal), resized, thumbnailed.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.config import Settings
from core.errors import UnsupportedMedia, fail, field_error
from reports.models import PHOTO_KINDS, Report, ReportPhoto

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
# Photos may be added while the report is still the volunteer's to change.
UPLOAD_STATUSES = ("queued", "changes_requested")


@dataclass(frozen=True)
class ProcessedImage:
    content_type: str
    extension: str
    data: bytes
    thumb: bytes
    width_px: int
    height_px: int


def _unsupported() -> UnsupportedMedia:
    return fail("unsupported_image", field_error("file", "사진 파일이 아니거나 지원하지 않는 형식입니다.",
                                         "Not an image, or not a supported format."))


def process_image(raw: bytes, settings: Settings) -> ProcessedImage:
    if len(raw) > settings.photo_max_bytes:
        raise fail("photo_too_large", field_error("file", "더 작은 사진을 올려 주세요.", "Upload a smaller photo."),
                   max_mb=settings.photo_max_bytes // 1_048_576)
    if not raw:
        raise fail("empty_file", field_error("file", "사진을 골라 주세요.", "Choose a photo."))
    try:
        with Image.open(io.BytesIO(raw)) as probe:  # reads the header only
            fmt = probe.format
            pixels = probe.width * probe.height
            if fmt not in FORMATS:
                raise _unsupported()
            if pixels > settings.photo_max_pixels or probe.width > 20_000 or probe.height > 20_000:
                raise fail("photo_too_many_pixels", field_error(
                    "file", f"{settings.photo_max_pixels:,} 화소 이하로 올려 주세요.",
                                            f"At most {settings.photo_max_pixels:,} pixels."))
            probe.verify()
        with Image.open(io.BytesIO(raw)) as img:
            img.load()
            upright = ImageOps.exif_transpose(img)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, ValueError) as exc:
        if isinstance(exc, Image.DecompressionBombError):
            raise fail("photo_too_many_pixels") from exc
        raise _unsupported() from exc
    content_type, ext = FORMATS[fmt]
    mode = "RGBA" if fmt in ("PNG", "WEBP") and upright.mode in ("RGBA", "LA", "P") else "RGB"
    # A fresh image holds pixels only: no EXIF, XMP, ICC profile or text chunks survive.
    clean = Image.new(mode, upright.size)
    clean.paste(upright.convert(mode))
    clean.thumbnail((settings.photo_max_side_px, settings.photo_max_side_px), Image.Resampling.LANCZOS)
    thumb = clean.copy()
    thumb.thumbnail((settings.photo_thumb_side_px, settings.photo_thumb_side_px), Image.Resampling.LANCZOS)
    return ProcessedImage(content_type, ext, _encode(clean, fmt), _encode(thumb, fmt), clean.width, clean.height)


def _encode(img: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        img.save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        img.save(out, "PNG", optimize=True)
    else:
        img.save(out, "WEBP", quality=85)
    return out.getvalue()


def add_photo(db: Session, *, report: Report, kind: str, raw: bytes, settings: Settings) -> ReportPhoto:
    if kind not in PHOTO_KINDS:
        raise fail("invalid_photo_kind", field_error("kind", f"가능한 값: {', '.join(PHOTO_KINDS)}",
                                            f"One of: {', '.join(PHOTO_KINDS)}"))
    if report.status not in UPLOAD_STATUSES:
        raise fail("report_locked")
    count = db.scalar(select(func.count()).where(ReportPhoto.report_id == report.id)) or 0
    if count >= settings.photos_per_report:
        raise fail("too_many_photos", limit=settings.photos_per_report)
    image = process_image(raw, settings)
    photo_id = uuid.uuid4()
    key = f"{report.id}/{photo_id}.{image.extension}"
    thumb_key = f"{report.id}/{photo_id}.thumb.{image.extension}"
    root = Path(settings.photo_dir)
    (root / str(report.id)).mkdir(parents=True, exist_ok=True)
    # Files first, row second: if the transaction fails an orphan file is harmless; a row
    # without its file would not be.
    (root / key).write_bytes(image.data)
    (root / thumb_key).write_bytes(image.thumb)
    photo = ReportPhoto(id=photo_id, report_id=report.id, kind=kind, content_type=image.content_type,
                        width_px=image.width_px, height_px=image.height_px, byte_size=len(image.data),
                        sha256=hashlib.sha256(image.data).hexdigest(), storage_key=key, thumb_key=thumb_key)
    db.add(photo)
    db.flush()
    return photo


def get_photo(db: Session, *, report: Report, photo_id: uuid.UUID) -> ReportPhoto:
    photo = db.get(ReportPhoto, photo_id)
    if photo is None or photo.report_id != report.id:
        raise fail("photo_not_found")
    return photo


def list_photos(db: Session, *, report_id: int) -> list[ReportPhoto]:
    return list(db.scalars(select(ReportPhoto).where(ReportPhoto.report_id == report_id)
                           .order_by(ReportPhoto.uploaded_at, ReportPhoto.id)))


def public_photo_files(db: Session, report_id: int, *, order: tuple[str, ...]) -> list[str]:
    """The public file names of a report's photos, by kind in `order`, then upload time (the
    published layer shows them so; photos are read only through this module)."""
    photos = db.scalars(select(ReportPhoto).where(ReportPhoto.report_id == report_id)).all()
    rank = {kind: i for i, kind in enumerate(order)}
    ordered = sorted(photos, key=lambda p: (rank.get(p.kind, len(rank)), p.uploaded_at, str(p.id)))
    return [p.public_name for p in ordered]
