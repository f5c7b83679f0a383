"""The shapes of the reference layer in API responses (the moderation report view's `reference`)."""

from __future__ import annotations

from core.schemas import ResponseModel


class ReferenceBlock(ResponseModel):
    """The nearest record of the national public toilet data within the match radius of a report:
    what the city already lists there (addresses, opening hours), to check the report against."""

    management_no: str
    name: str
    category: str | None
    road_address: str | None
    lot_address: str | None
    opening: str | None
    opening_hours: str | None
    manager: str | None
    phone: str | None
    disabled_stalls: int | None
    district_code: str | None
    flags: list[str]
    match_status: str  # matched | ambiguous | none (to a published toilet)
    candidate_toilet_id: str | None
    distance_m: float
    source: str
