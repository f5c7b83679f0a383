"""Reports as volunteers sent them: raw payload kept unchanged, normalised columns derived."""

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
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

import geo.models  # noqa: F401  (districts, referenced by foreign key)
import accounts.models  # noqa: F401  (accounts, referenced by foreign key)
import reference.models  # noqa: F401  (reference_toilets, referenced by foreign key)
from core.db import Base, sql_in

# queued → in_review (claimed) → approved | merged | rejected | changes_requested → queued …
# with the labels the moderator console shows (the volunteer app words them for volunteers).
REPORT_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "queued": ("대기", "Queued"),
    "in_review": ("검토 중", "In review"),
    "changes_requested": ("보완 요청", "Changes requested"),
    "pending_second_review": ("2차 검토 대기", "Second review"),
    "approved": ("승인", "Approved"),
    "merged": ("병합", "Merged"),
    "rejected": ("반려", "Rejected"),
}
REPORT_STATUSES = tuple(REPORT_STATUS_LABELS)
# Reports a moderator has not finished with: shown as duplicate candidates.
PENDING_STATUSES = ("queued", "in_review", "changes_requested", "pending_second_review")
PHOTO_KINDS = ("entrance", "route", "door", "interior", "other")


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("volunteer_id", "client_submission_id", name="uq_reports_volunteer_submission"),
        CheckConstraint(sql_in("status", REPORT_STATUSES), name="status_known"),
        CheckConstraint("location_source IN ('gps', 'map_pin', 'address')", name="location_source_known"),
        CheckConstraint("accuracy_m IS NULL OR accuracy_m >= 0", name="accuracy_non_negative"),
        CheckConstraint("schema_version >= 1", name="schema_version_positive"),
        CheckConstraint("ST_IsValid(location)", name="location_valid"),
        CheckConstraint("route_path IS NULL OR ST_IsSimple(route_path)", name="route_simple"),
        Index("ix_reports_status_submitted", "status", "submitted_at"),
        Index("ix_reports_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
        # The moderation queue's order within a district and duplicate flag (moderation.queue).
        Index("ix_reports_queue", "district_code", "likely_duplicate", "submitted_at", "id",
              postgresql_where=text("status IN ('queued', 'in_review')")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    client_submission_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # sha256 of the canonical JSON of the body as sent: same id + same hash = same submission.
    body_sha256: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    raw_payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)  # upgraded to the latest schema
    status: Mapped[str] = mapped_column(String(24), server_default="queued")
    revision: Mapped[int] = mapped_column(Integer, server_default="1")
    observed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    location_source: Mapped[str] = mapped_column(String(8))
    route_path = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=True)

    name: Mapped[str] = mapped_column(String(200))
    building_name: Mapped[str | None] = mapped_column(String(200))
    floor: Mapped[str | None] = mapped_column(String(8))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    # The address named another district than the point: shown to the moderator.
    district_mismatch: Mapped[bool] = mapped_column(Boolean, server_default="false")
    # The record of the city's public toilet list this report checks (a gap mission, missions/).
    reference_record_id: Mapped[int | None] = mapped_column(ForeignKey("reference_toilets.id", ondelete="SET NULL"))
    moderator_message: Mapped[str | None] = mapped_column(Text)
    # The claim (lease) a moderator holds while reviewing; see moderation.queue.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A stored duplicate candidate of this report is likely: kept by triggers on
    # report_duplicate_candidates (migration 0013), read by the queue's priority. Never set here.
    likely_duplicate: Mapped[bool] = mapped_column(Boolean, server_default="false")


class ReportPhoto(Base):
    __tablename__ = "report_photos"
    __table_args__ = (
        CheckConstraint(sql_in("kind", PHOTO_KINDS), name="kind_known"),
        CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'image/webp')", name="content_type_known"),
        CheckConstraint("byte_size > 0", name="byte_size_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(16))
    width_px: Mapped[int] = mapped_column(Integer)
    height_px: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    thumb_key: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def public_name(self) -> str:
        """The file name exports and the preview publish: the photo's id and its extension, no
        report id (the storage key's folder) and nothing from the volunteer's device."""
        return f"{self.id}.{self.storage_key.rsplit('.', 1)[1]}"


class DuplicateCandidate(Base):
    """A published toilet or pending report near a report, found when it was submitted (or last
    revised or claimed): a likely duplicate on evidence, or only nearby (reports.duplicates)."""

    __tablename__ = "report_duplicate_candidates"
    __table_args__ = (CheckConstraint("candidate_type IN ('toilet', 'report')", name="candidate_type_known"),)

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    candidate_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    candidate_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    distance_m: Mapped[float] = mapped_column(Float)
    name_similarity: Mapped[float] = mapped_column(Float)
    same_floor: Mapped[bool | None] = mapped_column(Boolean)
    candidate_name: Mapped[str] = mapped_column(String(200))
    likely: Mapped[bool] = mapped_column(Boolean, server_default="false")
    # why it is a likely duplicate: same_toilet_named | same_reference | similar_name_close
    evidence: Mapped[list[str]] = mapped_column(JSONB, server_default="[]")


class ReportRevision(Base):
    """A volunteer's fixed version of a report sent back to them (revision 2, 3, …).

    The first submission stays in `reports.raw_payload`, untouched; each revision keeps its own
    body as sent. `reports.payload` and the derived columns follow the latest revision.
    """

    __tablename__ = "report_revisions"
    __table_args__ = (
        UniqueConstraint("report_id", "client_submission_id", name="uq_report_revisions_submission"),
        CheckConstraint("revision >= 2", name="revision_after_first"),
    )

    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_submission_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    body_sha256: Mapped[str] = mapped_column(String(64))
    raw_payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
