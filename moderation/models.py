"""Reviews: a moderator's decision on a report (or on a published toilet), append-only.

A review that needs a second moderator (see `moderation.rules`) is stored with
`status = 'pending'` and the proposal it would publish (`proposed_payload`, `toilet_id`);
the second moderator's outcome is written on the same row once (`confirmed` | `overturned`),
never edited afterwards.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

import accounts.models  # noqa: F401  (accounts, referenced by foreign key)
from core.db import Base, sql_in

# The decisions a moderator can take, with the labels the console shows for them.
ACTION_LABELS: dict[str, tuple[str, str]] = {
    "approve": ("승인", "Approve"),
    "merge": ("병합", "Merge"),
    "request_changes": ("보완 요청", "Request changes"),
    "reject": ("반려", "Reject"),
    "retire": ("폐쇄", "Retire"),
}
ACTIONS = tuple(ACTION_LABELS)
REVIEW_STATUSES = ("final", "pending", "confirmed", "overturned")

# Documented in docs/moderation.md; the console shows the Korean and English labels.
REJECT_REASONS: dict[str, tuple[str, str]] = {
    "duplicate": ("이미 게시된 화장실과 중복", "Duplicate of a published toilet or another report"),
    "not_a_toilet": ("화장실이 아님", "Not a toilet, or not a toilet the public can use"),
    "wrong_location": ("위치가 틀림 (고칠 수 없음)", "Location wrong and cannot be corrected"),
    "insufficient_evidence": ("사진·측정값이 부족함", "Not enough photos or measurements to verify"),
    "photo_problem": ("사진에 사람 얼굴·개인정보가 있거나 알아볼 수 없음",
                      "Photos show people or personal data, or are unreadable"),
    "spam_or_abuse": ("장난·광고·욕설", "Spam, advertising or abuse"),
    "outside_scope": ("사업 범위 밖 (서울 밖, 개인 주택 등)", "Outside the programme (outside Seoul, private home…)"),
    "other": ("기타 (설명 필수)", "Other (comment required)"),
}
# What a moderator may ask a volunteer to add (request_changes); the label is the message the
# volunteer reads unless the moderator writes one. The first two are what the Smart Seoul Map
# layer needs and a report often lacks (exports.consumer_check.REQUIRED_COLUMNS).
CHANGE_REQUESTS: dict[str, tuple[str, str]] = {
    "add_entrance_photo": ("입구 사진을 추가해 주세요", "Please add a photo of the entrance"),
    "add_addresses": ("도로명주소와 지번주소를 모두 적어 주세요",
                      "Please give both the road-name address and the lot-number address"),
    "shorten_name": ("이름을 64자 이내로 줄여 주세요", "Please shorten the name to 64 characters or fewer"),
}
# The consumer's drop codes each request answers (the console offers the request beside the gap).
CHANGE_REQUEST_FOR: dict[str, str] = {"blank_image": "add_entrance_photo", "blank_road_address": "add_addresses",
                                      "blank_lot_address": "add_addresses", "name_too_long": "shorten_name"}
REASON_CODES = (*REJECT_REASONS, *CHANGE_REQUESTS)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint(sql_in("action", ACTIONS), name="action_known"),
        CheckConstraint(sql_in("status", REVIEW_STATUSES), name="status_known"),
        CheckConstraint(f"reason_code IS NULL OR {sql_in('reason_code', REASON_CODES)}", name="reason_known"),
        CheckConstraint("action <> 'reject' OR reason_code IS NOT NULL", name="reject_has_reason"),
        CheckConstraint("action <> 'request_changes' OR message IS NOT NULL", name="request_has_message"),
        CheckConstraint("report_id IS NOT NULL OR action = 'retire'", name="report_or_retire"),
        CheckConstraint("second_reviewer_id IS NULL OR second_reviewer_id <> moderator_id",
                        name="second_is_another"),
        Index("ix_reviews_report", "report_id", "id"),
        Index("ix_reviews_pending", "status", postgresql_where="status = 'pending'"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    report_revision: Mapped[int | None] = mapped_column(Integer)
    toilet_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("toilets.id"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    # The partner the moderator belonged to when deciding (null: none, or an admin): decisions
    # count per partner even after a moderator moves to another one.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)  # to the volunteer (request_changes)
    # approve / merge: publish to the public layer only, not to Smart Seoul Map (None: unchanged)
    public_layer_only: Mapped[bool | None] = mapped_column(Boolean)
    # [{"path": "toilet.door_clear_width_cm", "before": 85, "after": 90}, …]
    edits: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    confirmed: Mapped[list[str]] = mapped_column(JSONB, server_default="[]")
    # A merge's choices field by field ({"toilet.door_clear_width_cm": "published" | "report"});
    # fields not named follow the default: the report's value where it knows one (toilets.merge).
    field_choices: Mapped[dict[str, str]] = mapped_column(JSONB, server_default="{}")
    # What a pending review would publish (the report payload with the edits applied).
    proposed_payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # approve / merge: the reference record publishing ties to the toilet (match by a person)
    reference_toilet_id: Mapped[int | None] = mapped_column(ForeignKey("reference_toilets.id", ondelete="SET NULL"))
    second_review_reasons: Mapped[list[str]] = mapped_column(JSONB, server_default="[]")
    second_reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    second_comment: Mapped[str | None] = mapped_column(Text)
    second_decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
