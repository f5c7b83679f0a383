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

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from toilets.models import ChangeLogEntry

CHANGE_LOG_LOCK_KEY = 727_001  # arbitrary, project-wide constant for pg_advisory_xact_lock


def append_change(db: Session, *, entity: str, entity_id: uuid.UUID, op: str, version: int) -> ChangeLogEntry:
    db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK_KEY})
    seq = db.execute(text("SELECT coalesce(max(seq), 0) + 1 FROM change_log")).scalar_one()
    entry = ChangeLogEntry(seq=seq, entity=entity, entity_id=entity_id, op=op, version=version)
    db.add(entry)
    db.flush()
    return entry


@dataclass(frozen=True)
class LayerState:
    """What the published layer's readers hang their caches on (export ETags, incremental sync,
    the vector tiles' cache): the last change-log entry."""

    seq: int  # high-water mark: the last change-log sequence number
    changed_at: datetime | None


def layer_state(db: Session) -> LayerState:
    row = db.execute(text("SELECT seq, changed_at FROM change_log ORDER BY seq DESC LIMIT 1")).first()
    return LayerState(row.seq, row.changed_at) if row else LayerState(0, None)
