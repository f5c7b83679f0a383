"""The partners (moderating organisations) and their moderators: the office's, admin only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, ConfigDict, Field

from accounts.models import Partner
from api.deps import AdminAccount, PathAccount, SessionDep
from core.schemas import ResponseModel
from core.text import Text
from office import partners as service

router = APIRouter(prefix="/api/v1/partners", tags=["office"])


class PartnerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text = Field(min_length=1, max_length=200)


class PartnerModerator(ResponseModel):
    id: int
    username: str
    is_active: bool


class PartnerOut(ResponseModel):
    id: int
    name: str
    moderators: list[PartnerModerator]
    decisions: int = Field(description="decisions taken by its moderators while they belonged to it")


def _summary_out(s: service.PartnerSummary) -> PartnerOut:
    return PartnerOut(id=s.partner.id, name=s.partner.name, decisions=s.decisions,
                      moderators=[PartnerModerator.model_validate(m) for m in s.moderators])


def _out(db, partner: Partner) -> PartnerOut:
    return _summary_out(service.partner_summaries(db, partner_id=partner.id)[0])


def partner_by_id(db: SessionDep, partner_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Partner:
    return service.get_partner(db, partner_id)


PathPartner = Annotated[Partner, Depends(partner_by_id)]


@router.get("", response_model=list[PartnerOut])
def list_partners(db: SessionDep, _: AdminAccount) -> list[PartnerOut]:
    """Every partner with its moderators and its decision count."""
    return [_summary_out(s) for s in service.partner_summaries(db)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PartnerOut)
def create_partner(body: PartnerBody, db: SessionDep, admin: AdminAccount) -> PartnerOut:
    """A moderating organisation. Audited."""
    return _out(db, service.create_partner(db, name=body.name, by=admin))


@router.patch("/{partner_id}", response_model=PartnerOut)
def rename_partner(body: PartnerBody, admin: AdminAccount, partner: PathPartner, db: SessionDep) -> PartnerOut:
    return _out(db, service.rename_partner(db, partner=partner, name=body.name, by=admin))


@router.put("/{partner_id}/moderators/{account_id}", response_model=PartnerOut)
def add_moderator(admin: AdminAccount, partner: PathPartner, account: PathAccount, db: SessionDep) -> PartnerOut:
    """The moderator now belongs to this partner (moved from another one if need be). Audited."""
    service.add_moderator(db, partner=partner, account=account, by=admin)
    return _out(db, partner)


@router.delete("/{partner_id}/moderators/{account_id}", response_model=PartnerOut)
def remove_moderator(admin: AdminAccount, partner: PathPartner, account: PathAccount, db: SessionDep) -> PartnerOut:
    service.remove_moderator(db, partner=partner, account=account, by=admin)
    return _out(db, partner)
