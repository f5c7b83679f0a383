"""Request dependencies: the settings, one database transaction per request, the caller and its role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Path, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer, OAuth2PasswordRequestForm
from sqlalchemy.orm import Session

from accounts.models import Account
from accounts.security import read_token
from accounts.service import get_account
from api.read_routing import public_read_factory
from core.config import Settings
from core.db import unit_of_work
from core.errors import fail
from core.rate_limit import RateLimits, client_key, nickname_key
from mobile_schema.registry import SchemaRegistry

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# The app's own objects: `async def` because they only read app.state, so FastAPI calls them on
# the event loop instead of sending each to the threadpool (a hop per dependency per request).
async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: commit if the route returned, roll back if it raised."""
    with unit_of_work(request.app.state.session_factory) as session:
        yield session


def get_read_db(request: Request) -> Iterator[Session]:
    """A public read: on the replica when DATABASE_READ_URL is set, except where read-your-writes
    needs the primary (api/read_routing.py). Never for a route that writes."""
    with unit_of_work(public_read_factory(request)) as session:
        yield session


async def get_registry(request: Request) -> SchemaRegistry:
    return request.app.state.schema_registry


# Path ids carry their column's range, so a number beyond it is a validation error (answered 404
# by api.errors: it names nothing) instead of a DataError from PostgreSQL.
INT4_MAX, INT8_MAX = 2**31 - 1, 2**63 - 1
BigId = Annotated[int, Path(ge=1, le=INT8_MAX, description="id (a bigint)")]  # reports, reviews
SmallId = Annotated[int, Path(ge=1, le=INT4_MAX, description="id (an integer)")]  # accounts, API keys

SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": commit before the response is sent, so a 201 is never followed by a failed commit.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
# Public reads that may be served by a replica (api/read_routing.py).
ReadSessionDep = Annotated[Session, Depends(get_read_db, scope="function")]
RegistryDep = Annotated[SchemaRegistry, Depends(get_registry)]


def get_current_account(
    db: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Account:
    """The account a bearer token names, checked on every request: a token of a deactivated
    account, or one issued before the password last changed (token_version), is refused at once."""
    if not token:
        raise fail("unauthorised")
    claims = read_token(token, secret=settings.secret_key or "")
    if claims is None:
        raise fail("invalid_token")
    account = db.get(Account, claims.account_id)
    if account is None or not account.is_active:
        raise fail("account_unusable")
    if claims.version != account.token_version:
        raise fail("invalid_token")
    return account


CurrentAccount = Annotated[Account, Depends(get_current_account)]


def check_role(account: Account, *roles: str) -> Account:
    if account.role not in roles:
        raise fail("forbidden_role", roles=" or ".join(roles))
    return account


def require_role(*roles: str) -> Callable[[Account], Awaitable[Account]]:
    # `async def`: the check only reads the account, so it runs on the event loop (no threadpool hop).
    async def check(account: CurrentAccount) -> Account:
        return check_role(account, *roles)

    return check


VolunteerAccount = Annotated[Account, Depends(require_role("volunteer"))]


def volunteer_released(request: Request, settings: SettingsDep,
                       token: Annotated[str | None, Depends(oauth2_scheme)]) -> Account:
    """The volunteer, read in a transaction of its own that ends at once: for a route that must
    hold no connection while it works (a photo upload decodes for seconds)."""
    with unit_of_work(request.app.state.session_factory) as db:
        return check_role(get_current_account(db, settings, token), "volunteer")


# The same check as VolunteerAccount, without a session open for the rest of the request.
VolunteerReleased = Annotated[Account, Depends(volunteer_released)]
ModeratorAccount = Annotated[Account, Depends(require_role("moderator", "admin"))]
ExporterAccount = Annotated[Account, Depends(require_role("exporter", "admin"))]
AdminAccount = Annotated[Account, Depends(require_role("admin"))]


def account_by_id(db: SessionDep, account_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Account:
    """The account a path names (404 if none). Put it after the role check in a route's
    signature, so that a 404 never tells a non-admin which ids exist."""
    return get_account(db, account_id)


PathAccount = Annotated[Account, Depends(account_by_id)]


# -- abuse limits (core/rate_limit.py; settings rate_limit_*): each counts the request before any
# costly work, per client address and per account, and answers 429 + Retry-After when over.

async def get_rate_limits(request: Request) -> RateLimits:
    return request.app.state.rate_limits


RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]


def client_address(request: Request) -> str:
    """The caller's address as counted (behind a proxy, uvicorn's --forwarded-allow-ips makes it
    the client's, not the proxy's)."""
    return client_key(request.client.host if request.client else None)


def limit_login(request: Request, limits: RateLimitsDep,
                form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> None:
    """Before any password is checked: per address (guessing from one place) and per nickname
    (one account guessed at from many)."""
    limits.hit_all(("login_per_ip", client_address(request)), ("login_per_nickname", nickname_key(form.username)))


def limit_join(request: Request, limits: RateLimitsDep) -> None:
    limits.hit("join_per_ip", client_address(request))


def limit_password_change(limits: RateLimitsDep, account: CurrentAccount) -> None:
    limits.hit("password_change_per_account", str(account.id))


def count_caller(request: Request, limits: RateLimits, *, rule: str, account_id: int,
                 account_rule: str | None = None) -> None:
    """One request against `<rule>_per_ip` for its address and `account_rule` (default
    `<rule>_per_account`) for its account."""
    limits.hit_all((f"{rule}_per_ip", client_address(request)), (account_rule or f"{rule}_per_account", str(account_id)))


def limit_reports(request: Request, limits: RateLimitsDep, account: CurrentAccount) -> None:
    """Submissions and revisions."""
    count_caller(request, limits, rule="reports", account_id=account.id)


def limit_photos(request: Request, limits: RateLimitsDep, account: VolunteerReleased) -> None:
    # VolunteerReleased, as the upload route: no session held while the photo is decoded.
    count_caller(request, limits, rule="photos", account_id=account.id)


RATE_LIMITED_RESPONSE = {
    "description": "Too many requests (`rate_limited`, in the error shape): try again after Retry-After",
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
}


def _counts_requests(dependant: Dependant) -> bool:
    return any(d.call is get_rate_limits or _counts_requests(d) for d in dependant.dependencies)


def _api_routes(routes) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # FastAPI keeps an included router whole
        if included is not None:
            yield from _api_routes(included.routes)


def document_rate_limits(app: FastAPI) -> None:
    """A 429 in the OpenAPI of every route whose dependencies count its requests, found from the
    dependencies themselves so that a new limited route is documented without a second list."""
    for route in _api_routes(app.routes):
        if _counts_requests(route.dependant):
            route.responses.setdefault(429, RATE_LIMITED_RESPONSE)


# An exporter's API key (exports, and the jobs their snapshots make).
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An exporter's API key")
