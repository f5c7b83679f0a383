"""Exports' own tables: API keys for the map team's automated pulls, and snapshot records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class ApiKey(Base):
    """A key an exporter account pulls with (`X-API-Key`). Only a sha256 of the secret is kept:
    keys are 192-bit random strings, so a fast hash is enough and keeps every pull cheap."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("char_length(key_hash) = 64", name="hash_length"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)  # shown in lists, finds the row
    key_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Snapshot(Base):
    """A frozen export on disk (data file, manifest, bundled photos) the map team can download."""

    __tablename__ = "export_snapshots"
    __table_args__ = (
        CheckConstraint("layer IN ('toilets', 'routes')", name="layer_known"),
        CheckConstraint("format IN ('geojson', 'csv', 'json')", name="format_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()"))
    layer: Mapped[str] = mapped_column(String(16))
    profile: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(8))
    directory: Mapped[str] = mapped_column(Text)
    data_file: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    feature_count: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    manifest: Mapped[dict[str, Any]] = mapped_column(JSONB)
