"""The published layer: verified toilets, their access routes, versions and the change log.

Moderation writes it; exports and the public API read it. Every create/update/retire of a
toilet or route appends to `change_log` in the same transaction, so an incremental consumer
that syncs from sequence N never misses a change or a removal.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

import geo.models  # noqa: F401  (districts, referenced by foreign key)
from core.db import Base, sql_in

VERDICTS = ("accessible", "partially_accessible", "not_accessible", "unknown")
TOILET_STATUSES = ("active", "retired")


class Toilet(Base):
    __tablename__ = "toilets"
    __table_args__ = (
        CheckConstraint(sql_in("status", TOILET_STATUSES), name="status_known"),
        CheckConstraint(sql_in("verdict", VERDICTS), name="verdict_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("status = 'active' OR retired_reason IS NOT NULL", name="retired_has_reason"),
        Index("ix_toilets_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
        # "Is this toilet active?" from the index alone (office/gaps.py COVERED): migration 0015.
        Index("ix_toilets_active", "id", postgresql_where=text("status = 'active'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    status: Mapped[str] = mapped_column(String(8), server_default="active")
    retired_reason: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200))
    building_name: Mapped[str | None] = mapped_column(String(200))
    floor: Mapped[str | None] = mapped_column(String(8))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    # place / toilet / access_route fields with DESIGN.md names; unknown stays null.
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # The public file names of the photos the toilet shows, in display order: those of the report
    # behind its latest version that had one. Stored when that version is published (a report's
    # photos are frozen once review starts), so exports need no join per toilet.
    photo_files: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    verdict: Mapped[str] = mapped_column(String(24))
    # Why: one reason per criterion (toilets.verdict.assess, `Reason.as_json`), stored with the
    # verdict it explains so readers never recompute it from data a later rule might judge otherwise.
    verdict_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    # Where each known field of `data` came from: {"toilet.door_clear_width_cm": {"version": 2,
    # "at": "…"}}. A merge keeps a published value the new report left unknown, and its source
    # (toilets.merge).
    field_sources: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    # The criteria moderators confirmed by eye (toilets.verdict.CONFIRMABLE), kept across merges.
    confirmed: Mapped[list[str]] = mapped_column(JSONB, server_default="[]")
    last_verified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # A moderator's decision: on the public layer (finder, API, geojson) but not handed to Smart
    # Seoul Map (the smart-seoul-map export leaves it out; docs/exports.md).
    public_layer_only: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class ToiletRoute(Base):
    """The access route (street entrance → toilet door) of a published toilet."""

    __tablename__ = "toilet_routes"
    __table_args__ = (CheckConstraint(sql_in("status", TOILET_STATUSES), name="status_known"),)

    toilet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("toilets.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    status: Mapped[str] = mapped_column(String(8), server_default="active")
    path = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=False)
    step_free: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ToiletVersion(Base):
    """Every version a toilet has had, with the report and review that made it (provenance)."""

    __tablename__ = "toilet_versions"

    toilet_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("toilets.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    route_path = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    verdict: Mapped[str] = mapped_column(String(24))
    verdict_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    field_sources: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    confirmed: Mapped[list[str]] = mapped_column(JSONB, server_default="[]")
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    review_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("reviews.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ChangeLogEntry(Base):
    __tablename__ = "change_log"
    __table_args__ = (
        CheckConstraint("entity IN ('toilet', 'route')", name="entity_known"),
        CheckConstraint("op IN ('create', 'update', 'retire')", name="op_known"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entity: Mapped[str] = mapped_column(String(8))
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), index=True)
    op: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
