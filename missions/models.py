"""One table: a mission, a place a volunteer is asked to check.

Two kinds: `gap`, a record of the city's public toilet list (the reference layer) with a
disabled-use stall and no verified toilet matched to it (office/gaps.py); `reverify`, a
published toilet whose last verification is older than REVERIFY_AFTER_MONTHS.

A mission is `open`, `taken` by a volunteer (held for MISSION_HOLD_HOURS), `reported` once a
report of theirs is linked to it, `done` when that report is published (approved or merged), or
`closed` when it is no longer needed (someone else covered the place, the toilet was retired).
At most one mission per place is unfinished (open, taken or reported): partial unique indexes.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, sql_in

KINDS = ("gap", "reverify")
STATUSES = ("open", "taken", "reported", "done", "closed")
UNFINISHED = ("open", "taken", "reported")
_UNFINISHED_SQL = sql_in("status", UNFINISHED)


class Mission(Base):
    __tablename__ = "missions"
    __table_args__ = (
        CheckConstraint(sql_in("kind", KINDS), name="kind_known"),
        CheckConstraint(sql_in("status", STATUSES), name="status_known"),
        CheckConstraint("(kind = 'gap') = (reference_toilet_id IS NOT NULL)", name="gap_has_reference"),
        CheckConstraint("kind = 'gap' OR toilet_id IS NOT NULL", name="reverify_has_toilet"),
        CheckConstraint("status IN ('open', 'closed') OR taken_by_id IS NOT NULL", name="taken_has_volunteer"),
        Index("uq_missions_unfinished_reference", "reference_toilet_id", unique=True,
              postgresql_where=text(f"kind = 'gap' AND {_UNFINISHED_SQL}")),
        Index("uq_missions_unfinished_toilet", "toilet_id", unique=True,
              postgresql_where=text(f"kind = 'reverify' AND {_UNFINISHED_SQL}")),
        Index("ix_missions_status_district", "status", "district_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    reference_toilet_id: Mapped[int | None] = mapped_column(ForeignKey("reference_toilets.id", ondelete="CASCADE"))
    # reverify: the toilet to check again; gap: the toilet its report published, once done.
    toilet_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("toilets.id"), index=True)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
