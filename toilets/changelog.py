"""Appending to the change log so that sequence order is commit order.

A plain sequence can hand 5 to one transaction and 6 to another that commits first; a
consumer that synced up to 6 would then never see 5. Taking a transaction-scoped advisory
lock before drawing the number serialises writers of the log (they are rare: moderation
decisions), so every number a reader sees is final and nothing below it can still appear.

The number is the last one plus one, read under that lock, not the column's sequence: a
sequence value drawn by a transaction that rolls back (or dies with its process) would be a hole
in the log, and a consumer could not tell a hole from a change it missed.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from toilets.models import ChangeLogEntry

CHANGE_LOG_LOCK_KEY = 727_001  # arbitrary, project-wide constant for pg_advisory_xact_lock


_DEFERRED = "change_log_deferred"  # Session.info key: the entries a change_log_last block holds back


def append_change(db: Session, *, entity: str, entity_id: uuid.UUID, op: str,
                  version: int) -> ChangeLogEntry | None:
    """Append an entry now, or, inside a `change_log_last` block, when the block ends (None then)."""
    deferred = db.info.get(_DEFERRED)
    if deferred is not None:
        deferred.append((entity, entity_id, op, version))
        return None
    db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK_KEY})
    seq = db.execute(text("SELECT coalesce(max(seq), 0) + 1 FROM change_log")).scalar_one()
    entry = ChangeLogEntry(seq=seq, entity=entity, entity_id=entity_id, op=op, version=version)
    db.add(entry)
    db.flush()
    _appended(db)
    return entry


@contextmanager
def change_log_last(db: Session) -> Iterator[None]:
    """Entries appended inside are written when the block ends, all in one statement. The lock
    that orders the log is held from then until the commit, so a caller that ends the block as
    the last write of its transaction (a moderation decision) keeps the section that publishers
    go through one by one as short as it can be. Nested blocks write with the outermost."""
    if _DEFERRED in db.info:
        yield
        return
    entries: list[tuple[str, uuid.UUID, str, int]] = []
    db.info[_DEFERRED] = entries
    try:
        yield
    finally:  # on an error nothing is written: the transaction rolls back anyway
        del db.info[_DEFERRED]
    _write_entries(db, entries)


def _write_entries(db: Session, entries: list[tuple[str, uuid.UUID, str, int]]) -> None:
    if not entries:
        return
    db.flush()
    db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK_KEY})
    db.execute(_INSERT_ENTRIES, {"entities": [e[0] for e in entries], "ids": [e[1] for e in entries],
                                 "ops": [e[2] for e in entries], "versions": [e[3] for e in entries]})
    _appended(db)


# The numbers follow the last one, read under the lock, in the order the entries were appended.
_INSERT_ENTRIES = text("""
    INSERT INTO change_log (seq, entity, entity_id, op, version)
    SELECT (SELECT coalesce(max(seq), 0) FROM change_log) + u.i, u.entity, u.entity_id, u.op, u.version
      FROM unnest(CAST(:entities AS text[]), CAST(:ids AS uuid[]), CAST(:ops AS text[]), CAST(:versions AS int[]))
           WITH ORDINALITY AS u (entity, entity_id, op, version, i)
""")


@dataclass(frozen=True)
class LayerState:
    """What the published layer's readers hang their caches on (export ETags, incremental sync,
    the vector tiles' cache): the last change-log entry."""

    seq: int  # high-water mark: the last change-log sequence number
    changed_at: datetime | None


def layer_state(db: Session) -> LayerState:
    row = db.execute(text("SELECT seq, changed_at FROM change_log ORDER BY seq DESC LIMIT 1")).first()
    return LayerState(row.seq, row.changed_at) if row else LayerState(0, None)


# This process's count of change-log appends, written or committed, so that a reader of the layer
# state (the tiles' LayerStateClock) can tell without a query that it must read the state again.
# It is bumped when the entries are written and again after the commit: a state read between the
# two still sees the old entry (READ COMMITTED) and is dropped by the second bump.
_APPENDED = "change_log_appended"
_local_changes = 0
_local_changes_lock = threading.Lock()


def _count_local_change() -> None:
    global _local_changes
    with _local_changes_lock:
        _local_changes += 1


def _appended(db: Session) -> None:
    db.info[_APPENDED] = True
    _count_local_change()  # written: a session joined to this transaction may read it already


def local_changes() -> int:
    """How many change-log appends this process has written or committed (an ever-growing count)."""
    return _local_changes


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_APPENDED, False):
        _count_local_change()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_APPENDED, None)
