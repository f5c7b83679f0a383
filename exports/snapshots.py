"""Snapshots: an export frozen on disk with its manifest and the photos it references.

Layout of a snapshot directory:
    <layer>-<profile>.<ext>     the data file
    photos/<photo id>.<ext>     every photo the file points at (published by the map team
                                under `export_photo_url_prefix`)
    manifest.json               sha256, byte size, feature count, sequence high-water mark,
                                profile, filters, created_at, photos, the consumer check, and
                                (smart-seoul-map toilets) the toilets left out, with the reasons
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.config import Settings
from core.errors import fail
from exports.consumer_check import MESSAGES, check_file, record_findings, severity
from exports.models import Snapshot
from exports.profiles.smart_seoul_map import PUBLIC_LAYER_ONLY
from exports.query import excluded_query
from exports.request import ExportRequest, layer_state
from exports.stream import ATTRIBUTION_KO, ExportStream, count_features, photo_files, stream_export

MANIFEST = "manifest.json"
FINDINGS_LISTED = 1000  # the manifest lists this many findings per kind; counts cover all


def _free(_: int) -> None:
    pass


def write_snapshot(db: Session, settings: Settings, req: ExportRequest, out_dir: Path, *,
                   on_progress: Callable[[int, int], None] | None = None,
                   charge: Callable[[int], None] = _free) -> dict[str, Any]:
    """Write the data file, the photos and the manifest into `out_dir`; returns the manifest.
    `charge(n)` is told of every n bytes before they are written (a disk budget raises there).
    A failure leaves a partial `out_dir`: callers write into a temporary one (snapshot_store)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    state = layer_state(db)
    total = count_features(db, req, settings)
    stream = ExportStream(req, state, on_feature=(lambda n: on_progress(n, total)) if on_progress else None)
    data_path = out_dir / req.filename()
    digest = hashlib.sha256()
    size = 0
    with data_path.open("wb") as fh:
        for chunk in stream_export(db, req, settings, state=state, stream=stream, total=total):
            charge(len(chunk))
            fh.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    photos, missing = _bundle_photos(db, settings, req, out_dir, charge)
    manifest = {
        "layer": req.layer,
        "profile": req.profile,
        "format": req.format,
        "file": data_path.name,
        "sha256": digest.hexdigest(),
        "bytes": size,
        "feature_count": stream.features,
        "seq": state.seq,
        "since": req.since,
        "filters": {"district": list(req.districts), "verdict": list(req.verdicts),
                    "bbox": list(req.bbox) if req.bbox else None},
        "bom": req.bom,
        "columns": req.columns,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "photos": {"count": len(photos), "dir": "photos/", "url_prefix": settings.export_photo_url_prefix,
                   "files": photos, "missing": missing},
        "attribution": ATTRIBUTION_KO,
        "licence": settings.export_licence,
        "consumer_check": _consumer_check(db, settings, req, out_dir, data_path, charge),
        "excluded": excluded_toilets(db, settings, req),
    }
    encoded = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    charge(len(encoded))
    (out_dir / MANIFEST).write_bytes(encoded)
    return manifest


def _bundle_photos(db: Session, settings: Settings, req: ExportRequest, out_dir: Path,
                   charge: Callable[[int], None]) -> tuple[list[str], list[str]]:
    photos, missing = [], []
    target = out_dir / "photos"
    for name, storage_key in photo_files(db, req, settings):
        source = Path(settings.photo_dir) / storage_key
        if not source.is_file():
            missing.append(name)  # the export still points at it: the map team must know
            continue
        target.mkdir(exist_ok=True)
        charge(source.stat().st_size)
        shutil.copyfile(source, target / name)
        photos.append(name)
    return photos, missing


def _consumer_check(db: Session, settings: Settings, req: ExportRequest, out_dir: Path,
                    data_path: Path, charge: Callable[[int], None]) -> dict[str, Any] | None:
    """The known consumer reads the smart-seoul-map toilets CSV. A GeoJSON or wrapper snapshot is
    checked through the CSV of the same rows (same values, streamed to a scratch file)."""
    if req.profile != "smart-seoul-map" or req.layer != "toilets":
        return None
    if req.format == "csv":
        report = check_file(data_path)
    else:
        scratch = out_dir / ".check.csv"
        as_csv = ExportRequest(**{**asdict(req), "format": "csv", "bom": False})
        with scratch.open("wb") as fh:
            for chunk in stream_export(db, as_csv, settings, state=layer_state(db)):
                charge(len(chunk))  # on disk for a moment, so it counts
                fh.write(chunk)
        report = check_file(scratch)
        scratch.unlink()
    result = report.as_dict()
    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    result["counts"] = counts
    result["checked_as"] = "file" if req.format == "csv" else "csv rendering of the same rows"
    for key in ("aborts", "dropped", "misread"):
        result[f"{key}_total"] = len(result[key])
        result[key] = result[key][:FINDINGS_LISTED]
    return result


_EXCLUDED_SELECT = ("t.id::text AS id, t.name, t.data #>> '{place,road_address}' AS road, "
                    "t.data #>> '{place,lot_address}' AS lot, t.photo_files[1] IS NOT NULL AS photo, "
                    "t.public_layer_only AS public_only")


def _reason(code: str, ko: str, en: str) -> dict[str, str]:
    return {"code": code, "message_ko": ko, "message_en": en}


def excluded_toilets(db: Session, settings: Settings, req: ExportRequest) -> dict[str, Any] | None:
    """The smart-seoul-map export holds only toilets the known consumer keeps; this lists the
    others its filter matches, each with why (the consumer's drop rules, as
    exports.consumer_check.record_findings reads them, or a moderator's public-layer-only
    choice), so the map team and the moderators know what is missing. None for other exports."""
    if req.profile != "smart-seoul-map" or req.layer != "toilets":
        return None
    q = excluded_query(req, settings, _EXCLUDED_SELECT)
    if q is None:
        return None
    items, total = [], 0
    for row in db.execute(text(q.sql), q.params):
        total += 1
        if len(items) >= FINDINGS_LISTED:
            continue
        reasons = [_reason("public_layer_only", *PUBLIC_LAYER_ONLY)] if row.public_only else []
        reasons += [_reason(f.code, *MESSAGES[f.code])
                    for f in record_findings(name=row.name, road_address=row.road, lot_address=row.lot,
                                             has_main_photo=row.photo)
                    if severity(f.code) == "dropped"]
        items.append({"id": row.id, "name": row.name, "reasons": reasons})
    return {"total": total, "items": items}


# -- snapshots kept by the service (API; created by exports.snapshot_store) --------------------

def list_snapshots(db: Session, *, limit: int = 100) -> list[Snapshot]:
    return list(db.scalars(select(Snapshot).order_by(Snapshot.created_at.desc()).limit(limit)))


def get_snapshot(db: Session, snapshot_id: uuid.UUID) -> Snapshot:
    snap = db.get(Snapshot, snapshot_id)
    if snap is None:
        raise fail("snapshot_not_found")
    return snap


def snapshot_file(snap: Snapshot, name: str) -> Path:
    """A file of the snapshot by its name in the manifest (never a path outside the directory)."""
    allowed = {snap.data_file, MANIFEST} | {f"photos/{p}" for p in snap.manifest["photos"]["files"]}
    if name not in allowed:
        raise fail("snapshot_file_not_found")
    return Path(snap.directory) / name


class _Pipe:
    """A write-only, non-seekable file whose bytes are collected for streaming (zipfile writes
    data descriptors when it cannot seek)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, b: bytes) -> int:
        self.parts.append(bytes(b))
        self.offset += len(b)
        return len(b)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def stream_bundle(snap: Snapshot) -> Iterator[bytes]:
    """The snapshot directory (data file, manifest, photos) as a zip, streamed."""
    pipe = _Pipe()
    names = [snap.data_file, MANIFEST] + [f"photos/{p}" for p in snap.manifest["photos"]["files"]]
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as zf:  # type: ignore[arg-type]
        for name in names:
            path = Path(snap.directory) / name
            with path.open("rb") as src, zf.open(name, "w", force_zip64=True) as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()
