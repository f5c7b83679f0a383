"""The campaign the office runs: its name, dates and participant target (the per-organisation
targets live on `organisations.participant_target`); and the counts the dashboard reads, kept on
write by the triggers of migration 0015 (never written by the application: docs/office.md "How
the counts are kept")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Integer, SmallInteger, String, func
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


class OfficeDayCount(Base):
    """Per KST day and district: reports submitted, reports verified (their approving decision
    that day), active toilets first published that day. `stripe`: rows of concurrent writers."""
    __tablename__ = "office_day_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    stripe: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    reports: Mapped[int] = mapped_column(Integer, server_default="0")
    verified: Mapped[int] = mapped_column(Integer, server_default="0")
    published: Mapped[int] = mapped_column(Integer, server_default="0")


class OfficeGroupDay(Base):
    """Per KST day, organisation (0: none) and age band ('unknown': none) of volunteer accounts:
    reports submitted, reports verified (their approving decision that day)."""
    __tablename__ = "office_group_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    age_band: Mapped[str] = mapped_column(String(16), primary_key=True)
    stripe: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    reports: Mapped[int] = mapped_column(Integer, server_default="0")
    verified: Mapped[int] = mapped_column(Integer, server_default="0")


class OfficeVolunteerDay(Base):
    """Per account and KST day: reports it submitted (who reported in a range)."""
    __tablename__ = "office_volunteer_days"

    volunteer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reports: Mapped[int] = mapped_column(Integer, server_default="0")


class OfficeToiletCount(Base):
    """Active toilets now, per district and verdict."""
    __tablename__ = "office_toilet_counts"

    district_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(24), primary_key=True)
    stripe: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    active: Mapped[int] = mapped_column(Integer, server_default="0")
