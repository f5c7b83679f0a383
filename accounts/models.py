"""Accounts, organisations and partners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, sql_in

ROLES = ("volunteer", "moderator", "exporter", "admin")
AGE_BANDS = ("under_20", "20s", "30s", "40s", "50s", "60_plus")


class Organisation(Base):
    """A recruiting body (university social-service centre, volunteer centre, welfare centre)."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("code ~ '^[A-Z0-9-]{2,32}$'", name="code_format"),
        CheckConstraint("participant_target IS NULL OR participant_target BETWEEN 0 AND 1000000",
                        name="participant_target_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # How many volunteers the organisation promised to recruit for the campaign (null: none set).
    participant_target: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Partner(Base):
    """A moderating organisation: the private partner that checks (검수) and cleans (정제)
    reports. Each moderator belongs to at most one (accounts.partner_id); each decision records
    the partner its moderator belonged to when deciding (reviews.partner_id)."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(sql_in("role", ROLES), name="role_known"),
        CheckConstraint(f"age_band IS NULL OR {sql_in('age_band', AGE_BANDS)}", name="age_band_known"),
        CheckConstraint("char_length(username) BETWEEN 2 AND 40", name="username_length"),
        # Only moderators belong to a partner (an admin deciding acts for the office).
        CheckConstraint("partner_id IS NULL OR role = 'moderator'", name="partner_only_for_moderators"),
        # Nicknames are logins: unique regardless of case.
        Index("uq_accounts_username_lower", func.lower(text("username")), unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    age_band: Mapped[str | None] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Every token carries the version it was issued at; a password change, a reset or a
    # deactivation bumps it, so every token issued before stops working on its next request.
    token_version: Mapped[int] = mapped_column(Integer, server_default="0")
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
