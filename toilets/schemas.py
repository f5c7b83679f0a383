"""The published layer's shapes on the public API: RFC 7946 GeoJSON built inside PostGIS
(`toilets.public`). Declared here so OpenAPI documents them and the tests check them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from core.schemas import ResponseModel, Timestamp


class PointGeometry(ResponseModel):
    type: Literal["Point"]
    coordinates: list[float] = Field(min_length=2, max_length=2, description="[lon, lat], WGS84")


class LineGeometry(ResponseModel):
    type: Literal["LineString"]
    coordinates: list[list[float]]


class VerdictRule(ResponseModel):
    op: Literal[">=", "<=", "between", "in", "not_in"]
    value: float | str | bool | list[float] | list[str] = Field(
        description="the threshold in `unit`, [width, depth], [low, high] (between), or the accepted (in) / "
                    "refused (not_in) codes")
    unit: Literal["cm", "%"] | None
    disqualifying: float | list[str] | None = Field(
        description="beyond this limit (or with these codes) the toilet is not accessible")
    alternative: VerdictRule | None = Field(default=None, description="another rule that meets it (a large stall)")


class ReasonText(ResponseModel):
    ko: str
    en: str


class VerdictReason(ResponseModel):
    """One criterion of the verdict (docs/finder.md): what was measured, the rule, the outcome."""
    criterion: Literal["arrangement", "step_free", "ramp_slope", "lift", "door_clear_width", "door_type",
                       "threshold", "turning_space", "grab_bars", "emergency_bell", "seat_height",
                       "grab_bar_height", "emergency_bell_height", "washbasin_knee_clearance"]
    outcome: Literal["met", "failed", "unknown", "confirmed"] = Field(
        description="confirmed: not measured, confirmed as met by a moderator")
    caps: Literal["not_accessible", "unknown", "partially_accessible"] | None = Field(
        description="the best verdict this outcome allows; null: it does not hold the verdict down")
    measured: dict[str, Any] = Field(description="the form fields read, as stored; unknown stays null; a "
                                     "measurement's bound (`<field>_bound`: at_least | at_most) where it has one")
    rule: VerdictRule
    text: ReasonText


class FinderCriteria(ResponseModel):
    """The finder's criteria (toilets.criteria, docs/finder.md): true, false, or null when unknown."""
    step_free: bool | None
    door_90: bool | None
    grab_bars_both: bool | None
    bell_reachable: bool | None
    turning_space: bool | None
    open_now: bool | None = Field(description="at the time of the request, in Seoul")
    open_24h: bool | None
    unisex: bool | None


class VerifiedAge(ResponseModel):
    """How fresh the last verification is: `ageing` once it is older than REVERIFY_AFTER_MONTHS."""
    verified_on: str = Field(description="the date of the last verification, in Seoul (YYYY-MM-DD)")
    months: int = Field(description="whole months since the last verification")
    reverify_after_months: int
    ageing: bool


class ToiletProperties(ResponseModel):
    id: str
    version: int
    status: Literal["active", "retired"]
    retired_reason: str | None
    name: str
    building_name: str | None
    floor: str | None
    district_code: str
    district_name_ko: str
    district_name_en: str
    verdict: Literal["accessible", "partially_accessible", "not_accessible", "unknown"]
    verdict_reasons: list[VerdictReason] = Field(
        description="one per criterion, in the table's order; empty only for a version whose reasons were never known")
    last_verified_at: Timestamp | None
    updated_at: Timestamp
    place: dict[str, Any] = Field(description="the form's place fields; unknown stays null")
    toilet: dict[str, Any] = Field(description="the form's toilet fields; unknown stays null")
    access_route: dict[str, Any] = Field(description="the form's access-route fields (the path is `route`)")
    route: LineGeometry | None
    photos: list[str] = Field(description="public photo file names in display order "
                                          "(GET /api/v1/toilets/{id}/photos/{name})")
    criteria: FinderCriteria
    verified_age: VerifiedAge
    distance_m: float | None = Field(default=None, description="nearby only: metres from the asked point")


class ToiletFeature(ResponseModel):
    type: Literal["Feature"]
    id: str
    geometry: PointGeometry
    properties: ToiletProperties


class ToiletCollection(ResponseModel):
    type: Literal["FeatureCollection"]
    features: list[ToiletFeature]
    numberMatched: int
    numberReturned: int
    page: int
    page_size: int
    has_next: bool


class LonLat(ResponseModel):
    lon: float
    lat: float


class NearbyCollection(ResponseModel):
    type: Literal["FeatureCollection"]
    features: list[ToiletFeature]
    numberReturned: int
    center: LonLat
    radius_m: float


class ChangeEntry(ResponseModel):
    seq: int
    entity: str
    op: str
    version: int | None
    changed_at: Timestamp


class ToiletHistory(ResponseModel):
    """Public: what the toilet was at each version and when it changed; no names."""
    toilet_id: str
    versions: list[dict[str, Any]]
    changes: list[ChangeEntry]
    events: list[dict[str, Any]]
