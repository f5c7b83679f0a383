"""The programme office over HTTP (admin only): the campaign, the dashboard's tables (JSON and
CSV), the final report; and the console page at /office."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AdminAccount, SessionDep
from api.params import DistrictParam, Page, paging
from core.config import PROJECT_ROOT
from core.schemas import Paged, ResponseModel
from core.text import Text
from office import gaps, service
from office.audit_log import AuditFilter, audit_csv, search_audit
from office.tables import DASHBOARD_TABLES, REPORT_TABLES, TABLES, Table
from reference import person
from toilets.filters import parse_districts

router = APIRouter(prefix="/api/v1/office", tags=["office"])
page_router = APIRouter(include_in_schema=False)
CONSOLE = PROJECT_ROOT / "static" / "office" / "index.html"

FromParam = Annotated[date | None, Query(alias="from", description="first day (YYYY-MM-DD, Seoul time)")]
ToParam = Annotated[date | None, Query(alias="to", description="last day, included (YYYY-MM-DD)")]
TableName = Literal["organisations", "age_bands", "per_day", "districts", "backlog", "verdicts", "missions"]
Cell = str | int | float | None


class OrganisationTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation_id: int = Field(ge=1, le=2**31 - 1)
    participant_target: int | None = Field(ge=0, le=1_000_000)


class CampaignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text = Field(min_length=1, max_length=200)
    starts_on: date
    ends_on: date
    participant_target: int = Field(ge=1, le=10_000_000)
    organisation_targets: list[OrganisationTarget] = Field(default_factory=list, max_length=1000)


class CampaignOut(ResponseModel):
    name: str
    starts_on: date
    ends_on: date
    participant_target: int


class CampaignDays(ResponseModel):
    total: int
    elapsed: int
    left: int


class OrganisationTargetOut(ResponseModel):
    id: int
    code: str
    name: str
    participant_target: int | None


class CampaignState(ResponseModel):
    campaign: CampaignOut | None
    days: CampaignDays | None
    organisations: list[OrganisationTargetOut]


class ColumnOut(ResponseModel):
    key: str
    kind: str
    label_ko: str
    label_en: str


class TableOut(ResponseModel):
    key: str
    title_ko: str
    title_en: str
    columns: list[ColumnOut]
    rows: list[dict[str, Cell]]


class RangeOut(ResponseModel):
    from_: date = Field(serialization_alias="from")
    to: date
    days: int


class Dashboard(ResponseModel):
    range: RangeOut
    campaign: CampaignState
    tables: dict[str, TableOut]


class Totals(ResponseModel):
    participant_target: int | None
    volunteers: int
    target_share: float | None
    reporting: int
    reports: int
    verified: int
    published: int
    active: int
    accessible: int
    accessible_share: float | None
    reference: int
    reference_matched: int
    coverage: float | None


class FinalReport(ResponseModel):
    range: RangeOut
    campaign: CampaignOut | None
    totals: Totals
    tables: dict[str, TableOut]


def _state(db) -> CampaignState:
    from accounts.models import Organisation

    campaign = service.get_campaign(db)
    orgs = db.query(Organisation).order_by(Organisation.code).all()
    return CampaignState(campaign=CampaignOut.model_validate(campaign) if campaign else None,
                         days=service.campaign_days(campaign),
                         organisations=[OrganisationTargetOut.model_validate(o) for o in orgs])


def _table(db, table: Table, rng: service.DateRange) -> TableOut:
    return TableOut(key=table.key, title_ko=table.ko, title_en=table.en,
                    columns=[ColumnOut(key=c.key, kind=c.kind, label_ko=c.ko, label_en=c.en) for c in table.columns],
                    rows=service.table_rows(db, table, rng))


def _range(rng: service.DateRange) -> RangeOut:
    return RangeOut(from_=rng.start, to=rng.end, days=rng.days)


@router.get("/campaign", response_model=CampaignState, response_model_by_alias=True)
def get_campaign(db: SessionDep, _: AdminAccount) -> CampaignState:
    """The campaign (null until the office sets it), its days, and every organisation's target."""
    return _state(db)


@router.put("/campaign", response_model=CampaignState)
def put_campaign(body: CampaignBody, db: SessionDep, admin: AdminAccount) -> CampaignState:
    """Set the campaign's name, dates and participant target, and organisations' targets. Audited."""
    service.save_campaign(db, name=body.name, starts_on=body.starts_on, ends_on=body.ends_on,
                          participant_target=body.participant_target, by=admin,
                          organisation_targets={t.organisation_id: t.participant_target
                                                for t in body.organisation_targets})
    return _state(db)


@router.get("/dashboard", response_model=Dashboard)
def dashboard(db: SessionDep, _: AdminAccount, start: FromParam = None, end: ToParam = None) -> Dashboard:
    """Every dashboard table over the range (default: the campaign so far, else the last 30 days)."""
    rng = service.resolve_range(db, start, end)
    return Dashboard(range=_range(rng), campaign=_state(db),
                     tables={k: _table(db, TABLES[k], rng) for k in DASHBOARD_TABLES})


def _csv(body: str | bytes, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/tables/{table}.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def table_csv(table: TableName, db: SessionDep, _: AdminAccount, start: FromParam = None,
              end: ToParam = None) -> Response:
    """One dashboard table as CSV (UTF-8, no BOM; text cells neutralised for spreadsheets)."""
    rng = service.resolve_range(db, start, end)
    return _csv(service.table_csv(db, TABLES[table], rng), f"office-{table}-{rng.start}-{rng.end}.csv")


@router.get("/report", response_model=FinalReport)
def final_report(db: SessionDep, _: AdminAccount, start: FromParam = None, end: ToParam = None) -> FinalReport:
    """The numbers a council report needs, per district and per organisation, for the range."""
    rng = service.resolve_range(db, start, end)
    campaign = service.get_campaign(db)
    tables = {k: _table(db, TABLES[k], rng) for k in REPORT_TABLES}  # each table read once
    totals = service.report_totals(db, rng, districts=tables["districts"].rows, orgs=tables["organisations"].rows)
    return FinalReport(range=_range(rng), campaign=CampaignOut.model_validate(campaign) if campaign else None,
                       totals=Totals(**totals), tables=tables)


@router.get("/report.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def final_report_csv(db: SessionDep, _: AdminAccount, start: FromParam = None, end: ToParam = None) -> Response:
    """The final report as one CSV (a `section` column: range, totals, districts, organisations)."""
    rng = service.resolve_range(db, start, end)
    return _csv("".join(service.report_csv(db, rng)), f"office-report-{rng.start}-{rng.end}.csv")


AuditPage = Annotated[Page, Depends(paging(default_size=50, max_size=200))]


class AuditEntryOut(ResponseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor: str | None = Field(description="the actor's username (null: the CLI or the system)")
    action: str
    object_type: str
    object_id: str
    reason: str | None
    detail: dict[str, Any]


class AuditPageOut(Paged):
    items: list[AuditEntryOut]


def audit_filter(
    who: Annotated[Text | None, Query(max_length=40, description="the actor's username (exact, any case)")] = None,
    action: Annotated[Text | None, Query(max_length=64, description="an action, or a prefix ending in '.'")] = None,
    object_type: Annotated[Text | None, Query(max_length=32)] = None,
    object_id: Annotated[Text | None, Query(max_length=64)] = None,
    start: FromParam = None, end: ToParam = None,
) -> AuditFilter:
    f = AuditFilter(actor=who, action=action, object_type=object_type, object_id=object_id, start=start, end=end)
    if start or end:
        f.range()  # a bad range is a 422 here, before anything is read
    return f


AuditFilterDep = Annotated[AuditFilter, Depends(audit_filter)]


@router.get("/audit", response_model=AuditPageOut)
def browse_audit(db: SessionDep, _: AdminAccount, f: AuditFilterDep, page: AuditPage) -> AuditPageOut:
    """The audit log, newest first, filtered by who, action, object and date; a page at a time."""
    total, items = search_audit(db, f, offset=page.offset, limit=page.page_size)
    return AuditPageOut(page=page.page, page_size=page.page_size, total=total,
                        items=[AuditEntryOut(**i) for i in items])


@router.get("/audit.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def audit_csv_download(db: SessionDep, _: AdminAccount, f: AuditFilterDep) -> Response:
    """Every entry that matches as CSV (UTF-8, no BOM; text cells neutralised), newest first."""
    # built before the request's transaction ends (the log is read in batches of 2,000 by id)
    return _csv("".join(audit_csv(db, f)), "office-audit.csv")


GapPage = Annotated[Page, Depends(paging(default_size=100, max_size=1000))]


class GapDistrict(ResponseModel):
    code: str
    name_ko: str
    name_en: str
    with_stall: int = Field(description="reference records with a disabled-use stall")
    gaps: int = Field(description="of those, the ones no verified toilet is matched to")


class GapCandidate(ResponseModel):
    toilet_id: uuid.UUID
    name: str
    method: str = Field(description="distance | address")
    distance_m: float | None
    similarity: float | None
    strong: bool


class GapOut(ResponseModel):
    management_no: str
    name: str
    category: str | None
    district_code: str | None
    district_ko: str | None
    road_address: str | None
    lot_address: str | None
    disabled_stalls: int
    match_status: str
    lon: float | None
    lat: float | None
    flags: str
    candidates: list[GapCandidate] = Field(
        description="an ambiguous record's candidate toilets, best first (empty otherwise): POST one of them to "
                    "/api/v1/office/reference/{management_no}/match to resolve it")


class GapList(Paged):
    districts: list[GapDistrict]
    items: list[GapOut]


def gap_districts(district: DistrictParam = None) -> tuple[str, ...]:
    return parse_districts(district)


GapDistricts = Annotated[tuple[str, ...], Depends(gap_districts)]


@router.get("/gaps", response_model=GapList)
def gap_list(db: SessionDep, _: AdminAccount, districts: GapDistricts, page: GapPage) -> GapList:
    """Reference toilets with a disabled-use stall but no verified toilet matched: per district,
    and one page of them (optionally of some districts)."""
    total, items = gaps.list_gaps(db, districts=districts, offset=page.offset, limit=page.page_size)
    return GapList(page=page.page, page_size=page.page_size, total=total,
                   districts=[GapDistrict(**d) for d in gaps.gaps_by_district(db)],
                   items=[GapOut(**i) for i in items])


@router.get("/gaps.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def gap_csv(db: SessionDep, _: AdminAccount, districts: GapDistricts) -> Response:
    """Every gap (of the districts asked for) as CSV."""
    return _csv(gaps.gaps_csv(db, districts=districts), "office-gaps.csv")


class ReferenceMatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    toilet_id: uuid.UUID = Field(description="the active published toilet the record is")


class ReferenceMatchOut(ResponseModel):
    management_no: str
    match_status: str
    match_method: str | None
    toilet_id: uuid.UUID | None
    matched_by_id: int | None
    match_distance_m: float | None
    match_similarity: float | None
    matched_at: datetime | None


ManagementNo = Annotated[Text, Path(min_length=1, max_length=64, description="the record's 관리번호 (번호)")]


@router.post("/reference/{management_no}/match", response_model=ReferenceMatchOut)
def match_reference(management_no: ManagementNo, body: ReferenceMatchBody, db: SessionDep,
                    admin: AdminAccount) -> ReferenceMatchOut:
    """Resolve a reference record by hand (an `ambiguous` one from the gap list, or any): it becomes
    the office's match (`match_method` person) to the toilet, which re-matching and re-imports leave
    alone while the toilet is active. Audited (`reference.match`)."""
    return ReferenceMatchOut(**person.match_by_office(db, management_no=management_no, toilet_id=body.toilet_id,
                                                      admin_id=admin.id))


@page_router.get("/office")
def console() -> FileResponse:
    return FileResponse(CONSOLE, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})
