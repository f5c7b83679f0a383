"""The service's own snapshots (`POST /api/v1/exports/snapshots`, `reachable export snapshot`
without `--out`): one directory under `snapshot_dir` per row of `export_snapshots`, within a disk
budget, pruned by retention.

- Nothing half-made is left: a snapshot is written into `.tmp-<id>/` and renamed to `<id>/`
  only when complete; a failure removes the temporary directory, and a rollback of the
  transaction that holds the row removes the renamed one.
- Disk budget (`snapshot_disk_budget_bytes`): every byte is charged before it is written; a
  snapshot that would take the store over the budget stops and is refused with 507
  `snapshot_over_budget` (RFC 4918: the server cannot store what the request needs; nothing is
  wrong with the request, and trying again after retention or a larger budget can succeed).
  A disk that really fills up (ENOSPC) is the same 507 as `snapshot_disk_full`.
- Retention: a snapshot older than `snapshot_keep_days` is removed before a new one is made, and
  beyond the newest `snapshot_keep_count` after; rows go in the same transaction, directories
  once it commits.
- Creation is serialised by an advisory lock, so the budget sees every byte and whatever lies
  in the store without a committed row (a crash mid-write) is known to be debris and swept.
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from pathlib import Path

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from core.audit import record_audit
from core.config import Settings
from core.errors import fail
from exports.models import Snapshot
from exports.request import ExportRequest
from exports.snapshots import write_snapshot

SNAPSHOT_LOCK_KEY = 727_002  # pg_advisory_xact_lock key (the change log uses 727_001)
TMP_PREFIX = ".tmp-"
MB = 1_048_576


class DiskBudget:
    def __init__(self, limit_bytes: int, used_bytes: int):
        self.limit = limit_bytes
        self.used = used_bytes

    def _refuse(self):
        return fail("snapshot_over_budget", budget_mb=round(self.limit / MB, 1), used_mb=round(self.used / MB, 1))

    def check(self) -> None:
        if self.used >= self.limit:
            raise self._refuse()

    def charge(self, n: int) -> None:
        if self.used + n > self.limit:
            raise self._refuse()
        self.used += n


def store_bytes(root: Path) -> int:
    total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except FileNotFoundError:
                continue
    return total


def _after_commit(db: Session, *, on_commit=None, on_rollback=None) -> None:
    """Run file-system work once the transaction's fate is known (files cannot roll back)."""
    done = False

    def committed(_session: Session) -> None:
        nonlocal done
        if not done:
            done = True
            if on_commit:
                on_commit()

    def rolled_back(_session: Session, previous) -> None:
        nonlocal done
        if not done and previous.parent is None:  # the whole transaction, not a savepoint in it
            done = True
            if on_rollback:
                on_rollback()

    event.listen(db, "after_commit", committed)
    event.listen(db, "after_soft_rollback", rolled_back)


def _ours(name: str) -> bool:
    """A directory this module names (`<uuid>` or `.tmp-<uuid>`); anything else is left alone."""
    try:
        uuid.UUID(name.removeprefix(TMP_PREFIX))
    except ValueError:
        return False
    return True


def _sweep(db: Session, root: Path) -> list[str]:
    """Remove what has no committed row (under the lock nothing else is being written)."""
    known = {str(d) for d in db.scalars(select(Snapshot.directory))}
    removed = []
    for entry in root.iterdir():
        if entry.is_dir() and _ours(entry.name) and str(entry) not in known:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def _prune(db: Session, settings: Settings, *, by_count: bool, keep: uuid.UUID | None = None) -> list[Snapshot]:
    rows = list(db.scalars(select(Snapshot).order_by(Snapshot.created_at.desc(), Snapshot.id)))
    doomed = []
    if settings.snapshot_keep_days is not None:
        cutoff = db.execute(text("SELECT now()")).scalar_one() - timedelta(days=settings.snapshot_keep_days)
        doomed += [s for s in rows if s.created_at < cutoff]
    if by_count and settings.snapshot_keep_count is not None:
        doomed += rows[settings.snapshot_keep_count:]
    doomed = [s for s in dict.fromkeys(doomed) if s.id != keep]
    for snap in doomed:
        db.delete(snap)
    db.flush()
    if doomed:
        directories = [Path(s.directory) for s in doomed]
        _after_commit(db, on_commit=lambda: [shutil.rmtree(d, ignore_errors=True) for d in directories])
    return doomed


def create_snapshot(db: Session, settings: Settings, req: ExportRequest, *, created_by: int | None,
                    on_progress: Callable[[int, int], None] | None = None) -> Snapshot:
    """Write a snapshot into the store and add its row (flushed; the caller commits)."""
    db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SNAPSHOT_LOCK_KEY})
    root = Path(settings.snapshot_dir)
    root.mkdir(parents=True, exist_ok=True)
    _sweep(db, root)
    _prune(db, settings, by_count=False)
    budget = DiskBudget(settings.snapshot_disk_budget_bytes, store_bytes(root))
    budget.check()
    snapshot_id = uuid.uuid4()
    scratch, directory = root / f"{TMP_PREFIX}{snapshot_id}", root / str(snapshot_id)
    try:
        manifest = write_snapshot(db, settings, req, scratch, charge=budget.charge, on_progress=on_progress)
        os.rename(scratch, directory)
    except OSError as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise fail("snapshot_disk_full") from exc
        raise
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    _after_commit(db, on_rollback=lambda: shutil.rmtree(directory, ignore_errors=True))
    snap = Snapshot(id=snapshot_id, layer=req.layer, profile=req.profile, format=req.format,
                    directory=str(directory), data_file=manifest["file"], sha256=manifest["sha256"],
                    feature_count=manifest["feature_count"], seq=manifest["seq"], created_by=created_by,
                    manifest=manifest, created_at=func.clock_timestamp())  # now() is the transaction's start
    db.add(snap)
    db.flush()
    db.refresh(snap)
    record_audit(db, actor_id=created_by, action="export.snapshot", object_type="snapshot", object_id=snap.id,
                 detail={"layer": req.layer, "profile": req.profile, "format": req.format,
                         "feature_count": snap.feature_count, "seq": snap.seq,
                         **({} if created_by else {"via": "cli"})})
    _prune(db, settings, by_count=True, keep=snap.id)
    return snap


def write_snapshot_into(db: Session, settings: Settings, req: ExportRequest, out: Path, *,
                        on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """`reachable export snapshot --out DIR`: written beside DIR first and moved in when complete
    (the manifest last), so a failure leaves DIR as it was. DIR is the caller's: no budget."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = out.parent / f".{out.name}{TMP_PREFIX}{uuid.uuid4().hex[:12]}"
    try:
        manifest = write_snapshot(db, settings, req, scratch, on_progress=on_progress)
        if not out.exists():
            os.rename(scratch, out)
            return manifest
        files = sorted((p for p in scratch.rglob("*") if p.is_file()), key=lambda p: p.name == "manifest.json")
        for path in files:
            target = out / path.relative_to(scratch)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        return manifest
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
