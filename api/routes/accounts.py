"""Joining, logging in, and the admin's account and organisation management."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from accounts import service
from accounts.models import Account, Organisation
from api.params import Page, paging
from api.deps import (AdminAccount, CurrentAccount, PathAccount, SessionDep, SettingsDep, limit_join, limit_login,
                      limit_password_change)
from core.text import MultilineText, Text

router = APIRouter(prefix="/api/v1", tags=["accounts"])

AgeBand = Literal["under_20", "20s", "30s", "40s", "50s", "60_plus"]
Role = Literal["volunteer", "moderator", "exporter", "admin"]
AccountPage = Annotated[Page, Depends(paging(default_size=1000, max_size=1000))]


class VolunteerJoin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nickname: Text = Field(min_length=2, max_length=40)
    password: str = Field(min_length=8, max_length=128)
    organisation_code: str | None = Field(default=None, max_length=32)
    age_band: AgeBand


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Text = Field(min_length=2, max_length=40)
    password: str = Field(min_length=8, max_length=128)
    role: Role
    organisation_code: str | None = Field(default=None, max_length=32)
    age_band: AgeBand | None = None
    partner_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="moderators only: their partner")


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    role: str
    age_band: str | None
    organisation_id: int | None
    partner_id: int | None = None
    is_active: bool
    created_at: datetime


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds; staff tokens live shorter than volunteers'")
    role: str
    username: str


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_password: str = Field(min_length=8, max_length=128)
    reason: MultilineText | None = Field(default=None, max_length=500)


class LifecycleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: MultilineText | None = Field(default=None, max_length=500)


ParticipantTarget = Annotated[int | None, Field(ge=0, le=1_000_000,
                                                 description="volunteers the organisation means to recruit")]


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9-]+$")
    name: Text = Field(min_length=1, max_length=200)
    participant_target: ParticipantTarget = None


class OrganisationUpdate(BaseModel):
    """Only the fields sent change; `participant_target: null` clears the target."""
    model_config = ConfigDict(extra="forbid")
    name: Text | None = Field(default=None, min_length=1, max_length=200)
    participant_target: ParticipantTarget = None


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    participant_target: int | None = None


@router.post("/volunteers", status_code=status.HTTP_201_CREATED, response_model=AccountOut,
             dependencies=[Depends(limit_join)])
def join_as_volunteer(body: VolunteerJoin, db: SessionDep) -> Account:
    """A volunteer joins: the nickname is the login name."""
    return service.join_as_volunteer(db, nickname=body.nickname, password=body.password,
                                     organisation_code=body.organisation_code, age_band=body.age_band)


@router.post("/auth/token", response_model=Token, dependencies=[Depends(limit_login)])
def log_in(form: Annotated[OAuth2PasswordRequestForm, Depends()], db: SessionDep, settings: SettingsDep) -> Token:
    """OAuth2 password flow. Volunteers use their nickname as the username."""
    account = service.authenticate(db, username=form.username, password=form.password)
    return _token(account, settings)


def _token(account: Account, settings) -> Token:
    return Token(access_token=service.login_token(account, settings=settings), role=account.role,
                 username=account.username,
                 expires_in=60 * service.token_minutes(role=account.role, settings=settings))


@router.get("/me", response_model=AccountOut)
def who_am_i(account: CurrentAccount) -> Account:
    return account


@router.post("/me/password", response_model=Token, dependencies=[Depends(limit_password_change)])
def change_my_password(body: PasswordChange, account: CurrentAccount, db: SessionDep,
                       settings: SettingsDep) -> Token:
    """Change your own password (the current one is required). Every token issued before,
    on any device, stops working; the response carries a fresh one."""
    service.change_own_password(db, account=account, current_password=body.current_password,
                                new_password=body.new_password)
    return _token(account, settings)


@router.post("/accounts", status_code=status.HTTP_201_CREATED, response_model=AccountOut)
def create_account(body: AccountCreate, db: SessionDep, admin: AdminAccount) -> Account:
    """Admins create moderator, exporter, admin (and volunteer) accounts; audited."""
    return service.create_account(db, username=body.username, password=body.password, role=body.role,
                                  organisation_code=body.organisation_code, age_band=body.age_band,
                                  created_by=admin, username_field="username", partner_id=body.partner_id)


@router.get("/accounts", response_model=list[AccountOut])
def list_accounts(db: SessionDep, _: AdminAccount, page: AccountPage,
                  q: Annotated[Text | None, Query(max_length=40, description="part of the username")] = None,
                  role: Role | None = None, active: bool | None = None) -> list[Account]:
    """Accounts in id order, optionally those whose username contains `q` (any case), of one role,
    active or not; a page at a time."""
    return service.list_accounts(db, query=q, role=role, active=active, offset=page.offset, limit=page.page_size)


@router.post("/accounts/{account_id}/deactivate", response_model=AccountOut)
def deactivate_account(admin: AdminAccount, target: PathAccount, db: SessionDep,
                       body: LifecycleChange | None = None) -> Account:
    """The account can no longer log in; its tokens stop working at once. Audited."""
    return service.deactivate_account(db, account=target, by=admin, reason=body.reason if body else None)


@router.post("/accounts/{account_id}/reactivate", response_model=AccountOut)
def reactivate_account(admin: AdminAccount, target: PathAccount, db: SessionDep,
                       body: LifecycleChange | None = None) -> Account:
    """The account may log in again (with a new login: old tokens stay dead). Audited."""
    return service.reactivate_account(db, account=target, by=admin, reason=body.reason if body else None)


@router.post("/accounts/{account_id}/password", response_model=AccountOut)
def reset_password(admin: AdminAccount, target: PathAccount, body: PasswordReset, db: SessionDep) -> Account:
    """Set a new password for an account (e.g. a volunteer who forgot theirs); its tokens stop
    working. Audited (never the password)."""
    return service.reset_password(db, account=target, new_password=body.new_password, by=admin, reason=body.reason)


@router.post("/organisations", status_code=status.HTTP_201_CREATED, response_model=OrganisationOut)
def create_organisation(body: OrganisationCreate, db: SessionDep, admin: AdminAccount) -> Organisation:
    """A recruiting organisation: its code (what volunteers type when joining), name and target. Audited."""
    return service.create_organisation(db, code=body.code, name=body.name, created_by=admin,
                                       participant_target=body.participant_target)


def organisation_by_id(db: SessionDep, organisation_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Organisation:
    return service.get_organisation(db, organisation_id)


@router.patch("/organisations/{organisation_id}", response_model=OrganisationOut)
def update_organisation(body: OrganisationUpdate, admin: AdminAccount,
                        org: Annotated[Organisation, Depends(organisation_by_id)], db: SessionDep) -> Organisation:
    """Rename an organisation or set its participant target (the code stays). Audited."""
    changes = body.model_dump(exclude_unset=True)
    return service.update_organisation(db, organisation=org, by=admin, name=changes.get("name"),
                                       **({"participant_target": changes["participant_target"]}
                                          if "participant_target" in changes else {}))


@router.get("/organisations", response_model=list[OrganisationOut])
def list_organisations(db: SessionDep, _: AdminAccount) -> list[Organisation]:
    return list(db.scalars(select(Organisation).order_by(Organisation.code)))
