"""The append-only audit log: who did what to which object, when and why.

Written in the same transaction as the change it records (STYLE.md habit 16).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, Text, func, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


def record_audit(
    db: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One audit row, in the caller's transaction. A plain INSERT (no ORM object to track): the
    session flushes what it holds first, so the row is written after the change it records."""
    db.flush()
    db.execute(_INSERT_ENTRY, {"actor_id": actor_id, "action": action, "object_type": object_type,
                               "object_id": str(object_id), "reason": reason, "detail": detail or {}})


def record_audits(db: Session, entries: list[dict[str, Any]]) -> None:
    """Several audit rows in one round trip, in the order given (ids follow it). Each entry has
    record_audit's keywords."""
    if not entries:
        return
    db.flush()
    db.execute(_INSERT_ENTRY.values([
        {"actor_id": e["actor_id"], "action": e["action"], "object_type": e["object_type"],
         "object_id": str(e["object_id"]), "reason": e.get("reason"), "detail": e.get("detail") or {}}
        for e in entries]))


# Built once: SQLAlchemy's compiled cache serves every call.
_INSERT_ENTRY = insert(AuditEntry.__table__)
