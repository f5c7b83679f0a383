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
    match_method: str | None = None  # distance | address (the matcher) | person (a moderator's decision)
    candidate_toilet_id: str | None
    distance_m: float | None  # null: the record (or the report) has no usable point
    source: str
    # true: the report checks this very record (a mission sent the volunteer), not just the nearest
    via_mission: bool = False
