"""Missions for volunteers (issue 12 item 6): the places near them to check, taking one, and
linking the report that checks it. The office's counts are a dashboard table (office/tables.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import BigId, SessionDep, SettingsDep, VolunteerAccount
from core.schemas import ResponseModel
from missions import service

router = APIRouter(prefix="/api/v1/missions", tags=["missions"])


class MissionOut(ResponseModel):
    id: int
    kind: Literal["gap", "reverify"] = Field(description="gap: a listed public toilet nobody has checked; "
                                                         "reverify: a published toilet verified too long ago")
    status: Literal["open", "taken", "reported", "done", "closed"]
    mine: bool = Field(description="taken (or reported) by the volunteer asking")
    held_until: datetime | None
    district_code: str | None
    district_ko: str | None
    district_en: str | None
    name: str | None
    building_name: str | None
    road_address: str | None
    lot_address: str | None
    category: str | None
    opening_hours: str | None
    disabled_stalls: int | None
    management_no: str | None = Field(description="gap: the record of the city's public toilet list")
    toilet_id: str | None = Field(description="reverify: the published toilet (open /app/?toilet=…)")
    verified_on: str | None = Field(description="reverify: the last verification, YYYY-MM-DD (Seoul)")
    lon: float | None
    lat: float | None
    distance_m: int | None
    address: str | None = Field(description="the road address, else the lot address (for display)")
    place: dict[str, str] = Field(description="what the mission knows of the place, under the report form's "
                                              "`place` field names (what a new report is filled with)")


class NearbyMissions(ResponseModel):
    district_code: str | None = Field(description="the district of the point (null: outside Seoul)")
    items: list[MissionOut] = Field(description="within radius_m, the volunteer's own first, then nearest first")
    in_district: list[MissionOut] = Field(description="gap missions of the district whose record has no point")


class LinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    report_id: int = Field(ge=1, le=2**63 - 1)


@router.get("/nearby", response_model=NearbyMissions)
def nearby(db: SessionDep, settings: SettingsDep, volunteer: VolunteerAccount,
           lon: Annotated[float, Query(ge=-180, le=180)], lat: Annotated[float, Query(ge=-90, le=90)],
           radius_m: Annotated[float, Query(gt=0, le=5000)] = 1000) -> NearbyMissions:
    """Toilets to check near (lon, lat): listed ones nobody has checked and published ones whose
    verification is older than REVERIFY_AFTER_MONTHS (open, or the volunteer's own)."""
    found = service.nearby_missions(db, volunteer_id=volunteer.id, lon=lon, lat=lat, radius_m=radius_m,
                                    settings=settings)
    return NearbyMissions(district_code=found.district_code, items=[MissionOut(**m) for m in found.items],
                          in_district=[MissionOut(**m) for m in found.in_district])


@router.get("/{mission_id}", response_model=MissionOut)
def get_mission(mission_id: BigId, db: SessionDep, settings: SettingsDep, volunteer: VolunteerAccount) -> MissionOut:
    """One mission (open, or the volunteer's own): what the app fills a new report with."""
    return MissionOut(**service.mission_view(db, mission_id=mission_id, volunteer_id=volunteer.id, settings=settings))


@router.post("/{mission_id}/take", response_model=MissionOut)
def take(mission_id: BigId, db: SessionDep, settings: SettingsDep, volunteer: VolunteerAccount) -> MissionOut:
    """Take the mission (held for MISSION_HOLD_HOURS; again renews it). 409 if someone else holds it."""
    return MissionOut(**service.take_mission(db, mission_id=mission_id, volunteer_id=volunteer.id, settings=settings))


@router.post("/{mission_id}/report", response_model=MissionOut)
def link_report(mission_id: BigId, body: LinkBody, db: SessionDep, settings: SettingsDep,
                volunteer: VolunteerAccount) -> MissionOut:
    """Link the volunteer's report to the mission (after sending it): the mission is `reported`,
    and `done` once a moderator publishes the report."""
    return MissionOut(**service.link_report(db, mission_id=mission_id, report_id=body.report_id,
                                            volunteer_id=volunteer.id, settings=settings))
