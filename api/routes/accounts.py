"""Joining, logging in, and the admin's account and organisation management."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from accounts import service
from accounts.models import Account, Organisation
from accounts.security import issue_token
from api.deps import AdminAccount, CurrentAccount, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1", tags=["accounts"])

AgeBand = Literal["under_20", "20s", "30s", "40s", "50s", "60_plus"]
Role = Literal["volunteer", "moderator", "exporter", "admin"]


class VolunteerJoin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nickname: str = Field(min_length=2, max_length=40)
    password: str = Field(min_length=8, max_length=128)
    organisation_code: str | None = Field(default=None, max_length=32)
    age_band: AgeBand


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=40)
    password: str = Field(min_length=8, max_length=128)
    role: Role
    organisation_code: str | None = Field(default=None, max_length=32)
    age_band: AgeBand | None = None


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    role: str
    age_band: str | None
    organisation_id: int | None
    created_at: datetime


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    username: str


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=2, max_length=32, pattern=r"^[A-Za-z0-9-]+$")
    name: str = Field(min_length=1, max_length=200)


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str


@router.post("/volunteers", status_code=status.HTTP_201_CREATED, response_model=AccountOut)
def join_as_volunteer(body: VolunteerJoin, db: SessionDep) -> Account:
    """A volunteer joins: the nickname is the login name."""
    return service.create_account(db, username=body.nickname, password=body.password, role="volunteer",
                                  organisation_code=body.organisation_code, age_band=body.age_band)


@router.post("/auth/token", response_model=Token)
def log_in(form: Annotated[OAuth2PasswordRequestForm, Depends()], db: SessionDep, settings: SettingsDep) -> Token:
    """OAuth2 password flow. Volunteers use their nickname as the username."""
    account = service.authenticate(db, username=form.username, password=form.password)
    token = issue_token(account_id=account.id, role=account.role, secret=settings.secret_key,
                        minutes=settings.access_token_minutes)
    return Token(access_token=token, role=account.role, username=account.username)


@router.get("/me", response_model=AccountOut)
def who_am_i(account: CurrentAccount) -> Account:
    return account


@router.post("/accounts", status_code=status.HTTP_201_CREATED, response_model=AccountOut)
def create_account(body: AccountCreate, db: SessionDep, admin: AdminAccount) -> Account:
    """Admins create moderator, exporter, admin (and volunteer) accounts; audited."""
    return service.create_account(db, username=body.username, password=body.password, role=body.role,
                                  organisation_code=body.organisation_code, age_band=body.age_band,
                                  created_by=admin, username_field="username")


@router.get("/accounts", response_model=list[AccountOut])
def list_accounts(db: SessionDep, _: AdminAccount) -> list[Account]:
    return list(db.scalars(select(Account).order_by(Account.id)))


@router.post("/organisations", status_code=status.HTTP_201_CREATED, response_model=OrganisationOut)
def create_organisation(body: OrganisationCreate, db: SessionDep, admin: AdminAccount) -> Organisation:
    return service.create_organisation(db, code=body.code, name=body.name, created_by=admin)


@router.get("/organisations", response_model=list[OrganisationOut])
def list_organisations(db: SessionDep, _: AdminAccount) -> list[Organisation]:
    return list(db.scalars(select(Organisation).order_by(Organisation.code)))
