"""Photo intake. The API checks what the header allows (`reports.images.probe_image`), then
`queue_photo` stores the volunteer's original bytes with a job (jobs/) in the request's one
transaction and answers 202: nothing sent is lost if a worker dies. A worker then runs the three
steps below (jobs/tasks.py `run_photo`), so no database transaction is open while an image is
decoded:

1. `check_can_add` (a short transaction): may this report take another photo of this kind?
2. `stage_photo` (no database): decode, clean, resize (reports.images) and write the files
   under temporary names (`.<photo id>….part`), invisible to every reader.
3. `record_photo` (a short transaction): lock the report, check again, insert the row. After
   the commit, `StagedPhoto.finalize` renames the files to their real names; if anything
   failed, `StagedPhoto.discard` removes them.

So there is never a row whose files are missing for good nor a file without its row: a crash
between the commit and the rename leaves `.part` files that `recover_photo_files` (at start-up)
renames when their row exists and removes when it does not.

A retry of the same upload (same processed bytes, same kind, same report) returns the photo
already stored instead of a second copy.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit import record_audit
from core.config import Settings
from core.errors import fail, field_error
from jobs import service as jobs
from jobs.models import Job
from reports.images import ProcessedImage, process_image
from reports.models import PHOTO_KINDS, Report, ReportPhoto

# Photos may be added while the report is still the volunteer's to change.
UPLOAD_STATUSES = ("queued", "changes_requested")
PART_SUFFIX = ".part"
_PART_NAME = re.compile(r"^\.(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
                        r"\.(?:thumb\.)?[a-z]+\.part$")


@dataclass
class StagedPhoto:
    """A processed photo whose files exist under temporary names only."""

    photo_id: uuid.UUID
    report_id: int
    image: ProcessedImage
    root: Path
    storage_key: str
    thumb_key: str
    sha256: str
    finalized: bool = field(default=False)

    def _part(self, key: str) -> Path:
        folder, name = key.rsplit("/", 1)
        return self.root / folder / f".{name}{PART_SUFFIX}"

    def finalize(self) -> None:
        """Give the files their real names (after the row is committed)."""
        for key in (self.storage_key, self.thumb_key):
            _rename(self._part(key), self.root / key)
        self.finalized = True

    def discard(self) -> None:
        for key in (self.storage_key, self.thumb_key):
            self._part(key).unlink(missing_ok=True)

    def complete(self, stored: ReportPhoto) -> None:
        """This upload was a retry of `stored` (same bytes): make sure the stored photo's files
        are in place, as a crash may have left them as .part, then drop this upload's own."""
        for key, data in ((stored.storage_key, self.image.data), (stored.thumb_key, self.image.thumb)):
            final = self.root / key
            if final.exists():
                continue
            part = self._part(key)
            if part.exists():
                _rename(part, final)
            else:  # lost altogether: the retry carries the very same bytes
                spare = final.with_name(f".{final.name}.{uuid.uuid4().hex}{PART_SUFFIX}")
                spare.write_bytes(data)
                os.replace(spare, final)
        self.discard()


def _rename(part: Path, final: Path) -> None:
    try:
        os.replace(part, final)
    except FileNotFoundError:
        if not final.exists():  # else recovery in another process renamed it first
            raise


def _check_kind(kind: str) -> None:
    if kind not in PHOTO_KINDS:
        raise fail("invalid_photo_kind", field_error("kind", f"가능한 값: {', '.join(PHOTO_KINDS)}",
                                                     f"One of: {', '.join(PHOTO_KINDS)}"))


def _photo_count(db: Session, report_id: int) -> int:
    return db.scalar(select(func.count()).where(ReportPhoto.report_id == report_id)) or 0


def check_can_add(db: Session, *, report: Report, kind: str, settings: Settings, queued: int = 0) -> None:
    """The cheap checks, before any decoding: the kind, the report's state, the photo count
    (with the `queued` uploads not processed yet)."""
    _check_kind(kind)
    if report.status not in UPLOAD_STATUSES:
        raise fail("report_locked")
    if _photo_count(db, report.id) + queued >= settings.photos_per_report:
        raise fail("too_many_photos", limit=settings.photos_per_report)


def photo_subject(report_id: int) -> str:
    return f"report:{report_id}"


def queue_photo(db: Session, *, report: Report, kind: str, raw: bytes, owner_id: int,
                settings: Settings) -> tuple[Job, bool]:
    """Keep the original with a photo job, in the caller's transaction: (job, created). The same
    bytes of the same kind for a report whose job is still open find that job (a phone retrying);
    after it is done, a repeat makes a new job, which `record_photo` answers with the photo stored."""
    _check_kind(kind)
    # Uploads to one report in turn, against its state as of the lock (a claim may have just landed).
    db.execute(select(Report).where(Report.id == report.id).with_for_update()
               .execution_options(populate_existing=True))
    key = f"photo:{report.id}:{kind}:{hashlib.sha256(raw).hexdigest()}"
    same = jobs.open_job_with_key(db, key)
    if same is not None:
        return same, False
    subject = photo_subject(report.id)
    check_can_add(db, report=report, kind=kind, settings=settings,
                  queued=jobs.count_open(db, kind="photo", subject=subject))
    return jobs.create_job(db, kind="photo", owner_id=owner_id, params={"report_id": report.id, "kind": kind},
                           subject=subject, idempotency_key=key, upload=("photo", raw))


def stage_photo(raw: bytes, *, report_id: int, settings: Settings) -> StagedPhoto:
    """Decode and clean the image and write its files under temporary names. No database."""
    image = process_image(raw, settings)
    photo_id = uuid.uuid4()
    root = Path(settings.photo_dir)
    staged = StagedPhoto(photo_id=photo_id, report_id=report_id, image=image, root=root,
                         storage_key=f"{report_id}/{photo_id}.{image.extension}",
                         thumb_key=f"{report_id}/{photo_id}.thumb.{image.extension}",
                         sha256=hashlib.sha256(image.data).hexdigest())
    (root / str(report_id)).mkdir(parents=True, exist_ok=True)
    try:
        staged._part(staged.storage_key).write_bytes(image.data)
        staged._part(staged.thumb_key).write_bytes(image.thumb)
    except BaseException:
        staged.discard()
        raise
    return staged


def record_photo(db: Session, *, report_id: int, staged: StagedPhoto, kind: str,
                 settings: Settings) -> tuple[ReportPhoto, bool]:
    """Insert the row for a staged photo; (photo, created). The report row is locked so that
    concurrent uploads to one report count and deduplicate correctly."""
    _check_kind(kind)
    report = db.execute(select(Report).where(Report.id == report_id).with_for_update()
                        .execution_options(populate_existing=True)).scalar_one_or_none()
    if report is None:
        raise fail("report_not_found")
    same = db.scalars(select(ReportPhoto).where(ReportPhoto.report_id == report_id, ReportPhoto.kind == kind,
                                                ReportPhoto.sha256 == staged.sha256)).first()
    if same is not None:
        return same, False  # a retry of an upload already stored
    if report.status not in UPLOAD_STATUSES:
        raise fail("report_locked")
    if _photo_count(db, report_id) >= settings.photos_per_report:
        raise fail("too_many_photos", limit=settings.photos_per_report)
    image = staged.image
    photo = ReportPhoto(id=staged.photo_id, report_id=report_id, kind=kind, content_type=image.content_type,
                        width_px=image.width_px, height_px=image.height_px, byte_size=len(image.data),
                        sha256=staged.sha256, storage_key=staged.storage_key, thumb_key=staged.thumb_key)
    db.add(photo)
    db.flush()
    # Only the report's own volunteer may upload to it (get_report_for, before staging).
    record_audit(db, actor_id=report.volunteer_id, action="photo.upload", object_type="photo", object_id=photo.id,
                 detail={"report_id": report_id, "kind": kind, "sha256": staged.sha256, "byte_size": len(image.data)})
    return photo, True


def add_photo(db: Session, *, report: Report, kind: str, raw: bytes, settings: Settings) -> ReportPhoto:
    """All three steps in the caller's one session (tests, scripts): the files get their real
    names before the caller commits (the caller owns that risk; the API uses the steps apart)."""
    check_can_add(db, report=report, kind=kind, settings=settings)
    staged = stage_photo(raw, report_id=report.id, settings=settings)
    try:
        photo, created = record_photo(db, report_id=report.id, staged=staged, kind=kind, settings=settings)
    except BaseException:
        staged.discard()
        raise
    if created:
        staged.finalize()
    else:
        staged.complete(photo)
    return photo


def get_photo(db: Session, *, report: Report, photo_id: uuid.UUID) -> ReportPhoto:
    photo = db.get(ReportPhoto, photo_id)
    if photo is None or photo.report_id != report.id:
        raise fail("photo_not_found")
    return photo


def photo_file(photo: ReportPhoto, settings: Settings, *, thumb: bool = False) -> Path:
    """The file of a photo whose row exists; completes a rename a crash interrupted."""
    key = photo.thumb_key if thumb else photo.storage_key
    path = Path(settings.photo_dir) / key
    if not path.exists():
        folder, name = key.rsplit("/", 1)
        part = Path(settings.photo_dir) / folder / f".{name}{PART_SUFFIX}"
        if part.exists():
            _rename(part, path)
    if not path.exists():
        raise fail("photo_file_missing")
    return path


def list_photos(db: Session, *, report_id: int) -> list[ReportPhoto]:
    return photos_of(db, [report_id])[report_id]


def photos_of(db: Session, report_ids: list[int]) -> dict[int, list[ReportPhoto]]:
    """list_photos of several reports in one query."""
    out: dict[int, list[ReportPhoto]] = {rid: [] for rid in report_ids}
    for photo in db.scalars(select(ReportPhoto).where(ReportPhoto.report_id.in_(report_ids))
                            .order_by(ReportPhoto.uploaded_at, ReportPhoto.id)):
        out[photo.report_id].append(photo)
    return out


def public_photo_files(db: Session, report_id: int, *, order: tuple[str, ...]) -> list[str]:
    """The public file names of a report's photos, by kind in `order`, then upload time (the
    published layer shows them so; photos are read only through this module)."""
    photos = db.scalars(select(ReportPhoto).where(ReportPhoto.report_id == report_id)).all()
    rank = {kind: i for i, kind in enumerate(order)}
    ordered = sorted(photos, key=lambda p: (rank.get(p.kind, len(rank)), p.uploaded_at, str(p.id)))
    return [p.public_name for p in ordered]


@dataclass
class PhotoRecovery:
    finalized: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def recover_photo_files(db: Session, settings: Settings, *, grace_s: float) -> PhotoRecovery:
    """After a crash: rename `.part` files whose row exists (the commit happened, the rename did
    not); remove those without a row once older than `grace_s` (a younger one may belong to an
    upload another process is committing right now)."""
    result = PhotoRecovery()
    root = Path(settings.photo_dir)
    if not root.is_dir():
        return result
    parts: list[tuple[Path, uuid.UUID]] = []
    for folder in root.iterdir():
        if folder.is_dir():
            for path in folder.glob(f".*{PART_SUFFIX}"):
                match = _PART_NAME.match(path.name)
                if match:
                    parts.append((path, uuid.UUID(match["id"])))
    if not parts:
        return result
    known = set(db.scalars(select(ReportPhoto.id).where(ReportPhoto.id.in_({p[1] for p in parts}))))
    cutoff = time.time() - grace_s
    for path, photo_id in parts:
        try:
            if photo_id in known:
                final = path.with_name(path.name[1:-len(PART_SUFFIX)])
                _rename(path, final)
                result.finalized.append(str(final.relative_to(root)))
            elif path.stat().st_mtime <= cutoff:
                path.unlink()
                result.removed.append(str(path.relative_to(root)))
        except FileNotFoundError:
            continue  # finalized or removed by another process meanwhile
    return result


_PUBLIC_NAME = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9]+)")


def photo_of_public_name(db: Session, name: str) -> ReportPhoto | None:
    """The photo a public file name (`<photo id>.<ext>`) names, else None (a malformed name is
    simply not a photo)."""
    m = _PUBLIC_NAME.fullmatch(name)
    if not m:
        return None
    photo = db.get(ReportPhoto, uuid.UUID(m.group(1)))
    return photo if photo is not None and photo.public_name == name else None


def storage_key_of_public_name(db: Session, name: str) -> str | None:
    """The storage key of the photo a public file name names, else None."""
    photo = photo_of_public_name(db, name)
    return photo.storage_key if photo is not None else None


def storage_keys_of_public_names(db: Session, names: list[str]) -> dict[str, str]:
    """Public file name → storage key, for the names that are photos (others are left out)."""
    ids = {uuid.UUID(m.group(1)): name for name in names if (m := _PUBLIC_NAME.fullmatch(name))}
    if not ids:
        return {}
    photos = db.scalars(select(ReportPhoto).where(ReportPhoto.id.in_(list(ids)))).all()
    return {p.public_name: p.storage_key for p in photos if ids.get(p.id) == p.public_name}
