"""The campaign the office runs: its name, dates and participant target (the per-organisation
targets live on `organisations.participant_target`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

CAMPAIGN_ID = 1  # one campaign at a time: the office edits it, the dashboard counts against it


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(f"id = {CAMPAIGN_ID}", name="single"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("participant_target BETWEEN 1 AND 10000000", name="participant_target_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    participant_target: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
