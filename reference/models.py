"""One table: a record of the national public toilet standard data (공중화장실정보, 행정안전부,
data.go.kr standard dataset 15012892), keyed on its management number.

`raw` is the row as the file sent it (every column, NFC-normalised, nothing else changed); the
other columns are derived from it on import. `location` is set only when the file's coordinates
are usable (inside Seoul and in the district the address names); the coordinates as given stay in
`given_lon`/`given_lat` and what was wrong with them in `flags`, so a record without a usable
point is kept for matching by address.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (BigInteger, CheckConstraint, DateTime, Double, ForeignKey, Index, Integer, String, Text,
                        func, text)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base

# The words for the codes (the moderator console shows them: GET /moderation/vocabulary).
FLAG_LABELS: dict[str, tuple[str, str]] = {
    "no_coordinates": ("좌표 없음", "No coordinates"),
    "bad_coordinates": ("쓸 수 없는 좌표", "Unusable coordinates"),
    "outside_seoul": ("서울 밖의 좌표", "Point outside Seoul"),
    "district_mismatch": ("주소와 다른 자치구의 좌표", "Point in another district than the address"),
    "address_without_district": ("자치구 없는 주소", "Address names no district"),
}
MATCH_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "matched": ("게시 화장실과 연결됨", "Matched to a published toilet"),
    "ambiguous": ("확인 필요: 분명한 후보 없음", "To confirm: no clear candidate"),
    "none": ("연결된 게시 화장실 없음", "No published toilet matched"),
}
# how a match was made: by the matcher (distance, address), or by a moderator publishing a report
# that checks the record (person: re-matching leaves it alone while its toilet is active)
MATCH_METHOD_LABELS: dict[str, tuple[str, str]] = {
    "distance": ("거리와 이름으로", "By distance and name"),
    "address": ("주소로", "By address"),
    "person": ("검수자의 결정", "A moderator's decision"),
}
FLAGS = tuple(FLAG_LABELS)
MATCH_STATUSES = tuple(MATCH_STATUS_LABELS)
MATCH_METHODS = tuple(MATCH_METHOD_LABELS)


class ReferenceToilet(Base):
    __tablename__ = "reference_toilets"
    __table_args__ = (
        CheckConstraint("match_status IN ('matched', 'ambiguous', 'none')", name="match_status_known"),
        CheckConstraint("match_method IS NULL OR match_method IN ('distance', 'address', 'person')", name="match_method_known"),
        # The office's counts and gap list (office/gaps.py), read from the index alone: migration 0015.
        Index("ix_reference_toilets_office", "district_code",
              postgresql_include=["match_status", "candidate_toilet_id", "disabled_stalls"]),
        Index("ix_reference_toilets_gaps", "district_code", "name", "id", postgresql_where=text("disabled_stalls > 0"),
              postgresql_include=["match_status", "candidate_toilet_id"]),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    management_no: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str | None] = mapped_column(Text)  # 구분: 공중화장실, 개방화장실, …
    name: Mapped[str] = mapped_column(Text)
    road_address: Mapped[str | None] = mapped_column(Text)
    lot_address: Mapped[str | None] = mapped_column(Text)
    manager: Mapped[str | None] = mapped_column(Text)  # 관리기관명
    phone: Mapped[str | None] = mapped_column(Text)
    opening: Mapped[str | None] = mapped_column(Text)  # 개방시간: 상시, 정시, …
    opening_hours: Mapped[str | None] = mapped_column(Text)  # 개방시간상세
    ownership: Mapped[str | None] = mapped_column(Text)  # 화장실소유구분
    disabled_stalls: Mapped[int | None] = mapped_column(Integer)  # 남성용 + 여성용 장애인용대변기수
    given_lon: Mapped[float | None] = mapped_column(Double)
    given_lat: Mapped[float | None] = mapped_column(Double)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"), index=True)
    address_district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"))
    flags: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    raw: Mapped[dict[str, Any]] = mapped_column(JSONB)
    match_status: Mapped[str] = mapped_column(String(10), server_default="none", index=True)
    match_method: Mapped[str | None] = mapped_column(String(10))
    # The published toilet this record is matched to (matched), or its likeliest candidate (ambiguous).
    candidate_toilet_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("toilets.id"),
                                                               index=True)
    match_distance_m: Mapped[float | None] = mapped_column(Double)
    match_similarity: Mapped[float | None] = mapped_column(Double)
    match_candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # match_method 'person': the moderator whose decision made the match (the audit row has the review)
    matched_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
