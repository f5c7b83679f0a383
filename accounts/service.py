"""Joining, creating accounts, logging in, and each account's lifecycle (deactivate, reactivate,
change or reset the password). Plain functions taking the session: the API, the CLI and the
programme office's screens call the same ones."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import AGE_BANDS, ROLES, Account, Organisation, Partner
from accounts.security import burn_time_for_unknown_user, hash_password, issue_token, verify_password
from core.audit import record_audit
from core.config import Settings
from core.errors import fail, field_error
from core.text import TextRefused, clean_text

PASSWORD_MIN = 8
PASSWORD_MAX = 128
STAFF_ROLES = ("moderator", "exporter", "admin")


def _check_username(username: str, path: str = "nickname") -> str:
    try:
        name = clean_text(username).strip()
    except TextRefused as exc:
        raise fail("invalid_nickname", exc.at(path)) from exc
    # Any other format character (category Cf) left after cleaning is still refused in a login name.
    if not 2 <= len(name) <= 40 or any(unicodedata.category(c).startswith("C") for c in name):
        raise fail("invalid_nickname", field_error(path, "2~40자, 제어 문자 없이 입력해 주세요.",
                         "2 to 40 characters, no control characters."))
    return name


def _check_password(password: str, path: str = "password") -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise fail("invalid_password", field_error(path, f"{PASSWORD_MIN}~{PASSWORD_MAX}자여야 합니다.",
                         f"Must be {PASSWORD_MIN} to {PASSWORD_MAX} characters."))


def find_by_username(db: Session, username: str) -> Account | None:
    try:
        name = clean_text(username).strip()  # as create_account stored it
    except TextRefused:
        return None  # no stored name holds what clean_text refuses
    return db.scalars(select(Account).where(func.lower(Account.username) == name.lower())).one_or_none()


def create_account(
    db: Session,
    *,
    username: str,
    password: str,
    role: str,
    organisation_code: str | None = None,
    age_band: str | None = None,
    created_by: Account | None = None,
    username_field: str = "nickname",
    partner_id: int | None = None,
) -> Account:
    if role not in ROLES:
        raise fail("invalid_role", field_error(
            "role", f"가능한 값: {', '.join(ROLES)}", f"One of: {', '.join(ROLES)}"))
    name = _check_username(username, username_field)
    _check_password(password)
    if age_band is not None and age_band not in AGE_BANDS:
        raise fail("invalid_age_band", field_error("age_band", f"가능한 값: {', '.join(AGE_BANDS)}",
                                            f"One of: {', '.join(AGE_BANDS)}"))
    organisation_id = None
    if organisation_code:
        org = db.scalars(select(Organisation).where(Organisation.code == organisation_code.strip().upper())).one_or_none()
        if org is None:
            raise fail("unknown_organisation", field_error("organisation_code", "모집 기관에서 받은 코드를 확인해 주세요.",
                             "Check the code your recruiting organisation gave you."))
        organisation_id = org.id
    if partner_id is not None:
        _check_partner(db, partner_id, role)
    if find_by_username(db, name) is not None:
        raise fail("nickname_taken", field_error(
            username_field, "다른 닉네임을 골라 주세요.", "Choose another nickname."))
    account = Account(username=name, password_hash=hash_password(password), role=role,
                      organisation_id=organisation_id, age_band=age_band, partner_id=partner_id)
    try:
        with db.begin_nested():
            db.add(account)
            db.flush()
    except IntegrityError as exc:  # a concurrent join with the same nickname
        raise fail("nickname_taken", field_error(
            username_field, "다른 닉네임을 골라 주세요.", "Choose another nickname.")) from exc
    if created_by is not None:
        record_audit(db, actor_id=created_by.id, action="account.create", object_type="account",
                     object_id=account.id, detail={"role": role, "username": name,
                                                   **({"partner_id": partner_id} if partner_id else {})})
    return account


def _check_partner(db: Session, partner_id: int, role: str) -> None:
    if role != "moderator":
        raise fail("not_a_moderator", field_error("partner_id", "중재자 계정만 협력 기관에 속할 수 있습니다.",
                                                  "Only moderator accounts belong to a partner."))
    if db.get(Partner, partner_id) is None:
        raise fail("unknown_partner", field_error("partner_id", "없는 협력 기관입니다.", "No such partner."))


def join_as_volunteer(db: Session, *, nickname: str, password: str, organisation_code: str | None,
                      age_band: str | None) -> Account:
    """A volunteer joins by themself: the account, and an audit entry `account.join` whose actor is
    the new account (nothing personal beyond what the account holds)."""
    account = create_account(db, username=nickname, password=password, role="volunteer",
                             organisation_code=organisation_code, age_band=age_band)
    record_audit(db, actor_id=account.id, action="account.join", object_type="account", object_id=account.id,
                 detail={"username": account.username, "organisation_id": account.organisation_id,
                         "age_band": account.age_band})
    return account


def authenticate(db: Session, *, username: str, password: str) -> Account:
    account = find_by_username(db, username)
    if account is None:
        burn_time_for_unknown_user(password)
    if account is None or not verify_password(account.password_hash, password):
        raise fail("bad_credentials")
    if not account.is_active:  # said only to someone who knows the password: it reveals nothing
        raise fail("account_deactivated")
    return account


def token_minutes(*, role: str, settings: Settings) -> int:
    """Staff tokens (moderator, exporter, admin) live shorter than a volunteer's."""
    return settings.staff_token_minutes if role in STAFF_ROLES else settings.access_token_minutes


def login_token(account: Account, *, settings: Settings) -> str:
    """A bearer token for `account`, valid until its life ends or the account's token_version moves."""
    return issue_token(account_id=account.id, role=account.role, secret=settings.secret_key or "",
                       minutes=token_minutes(role=account.role, settings=settings),
                       version=account.token_version)


def list_accounts(db: Session, *, query: str | None = None, role: str | None = None, active: bool | None = None,
                  offset: int = 0, limit: int = 1000) -> list[Account]:
    """Accounts in id order: those whose username contains `query` (any case, as typed: `%` and
    `_` are plain characters), of `role`, active or not."""
    stmt = select(Account).order_by(Account.id).offset(offset).limit(limit)
    if query:
        stmt = stmt.where(func.strpos(func.lower(Account.username), query.strip().lower()) > 0)
    if role is not None:
        stmt = stmt.where(Account.role == role)
    if active is not None:
        stmt = stmt.where(Account.is_active.is_(active))
    return list(db.scalars(stmt))


def get_account(db: Session, account_id: int) -> Account:
    account = db.get(Account, account_id)
    if account is None:
        raise fail("account_not_found")
    return account


def _end_tokens(account: Account) -> None:
    account.token_version = (account.token_version or 0) + 1


def _audit(db: Session, *, by: Account | None, action: str, account: Account, reason: str | None = None,
           **detail: object) -> None:
    # The CLI acts as nobody in particular: actor NULL, and the detail says so.
    record_audit(db, actor_id=by.id if by else None, action=action, object_type="account", object_id=account.id,
                 reason=reason, detail={"username": account.username, **({} if by else {"via": "cli"}), **detail})


def deactivate_account(db: Session, *, account: Account, by: Account | None, reason: str | None = None) -> Account:
    """The account can no longer log in, and every token it holds stops working on its next
    request. Idempotent (a second call changes and audits nothing). An admin cannot deactivate
    themself (so the office never locks its last admin out by a slip)."""
    if by is not None and by.id == account.id:
        raise fail("cannot_deactivate_self")
    if not account.is_active:
        return account
    account.is_active = False
    account.deactivated_at = datetime.now(UTC)
    _end_tokens(account)
    db.flush()
    _audit(db, by=by, action="account.deactivate", account=account, reason=reason)
    return account


def reactivate_account(db: Session, *, account: Account, by: Account | None, reason: str | None = None) -> Account:
    """The account may log in again (tokens from before the deactivation stay dead). Idempotent."""
    if account.is_active:
        return account
    account.is_active = True
    account.deactivated_at = None
    db.flush()
    _audit(db, by=by, action="account.reactivate", account=account, reason=reason)
    return account


def _set_password(account: Account, password: str) -> None:
    account.password_hash = hash_password(password)
    account.password_changed_at = datetime.now(UTC)
    _end_tokens(account)


def change_own_password(db: Session, *, account: Account, current_password: str, new_password: str) -> Account:
    """Any logged-in account changes its own password, proving the current one; every token
    issued before stops working (the caller gets a fresh one from login_token)."""
    _check_password(new_password, path="new_password")
    if not verify_password(account.password_hash, current_password):
        raise fail("wrong_current_password", field_error(
            "current_password", "지금 쓰는 비밀번호를 다시 확인해 주세요.", "Check your current password."))
    if new_password == current_password:
        raise fail("invalid_password", field_error(
            "new_password", "지금 비밀번호와 다른 비밀번호를 골라 주세요.", "Choose a password other than the current one."))
    _set_password(account, new_password)
    db.flush()
    _audit(db, by=account, action="account.password_change", account=account)
    return account


def reset_password(db: Session, *, account: Account, new_password: str, by: Account | None,
                   reason: str | None = None) -> Account:
    """An admin (or the CLI) sets a new password, e.g. for a volunteer who forgot theirs; every
    token of the account stops working. Audited; the password itself is never logged."""
    _check_password(new_password, path="new_password")
    _set_password(account, new_password)
    db.flush()
    _audit(db, by=by, action="account.password_reset", account=account, reason=reason)
    return account


def _check_target(target: int | None, path: str = "participant_target") -> int | None:
    if target is not None and not 0 <= target <= 1_000_000:
        raise fail("invalid_target", field_error(path, "0~1,000,000 사이의 수여야 합니다.",
                                                 "Must be a number from 0 to 1,000,000."))
    return target


def check_name(name: str, path: str = "name", limit: int = 200) -> str:
    try:
        cleaned = clean_text(name).strip()
    except TextRefused as exc:
        raise fail("invalid_name", exc.at(path)) from exc
    if not 1 <= len(cleaned) <= limit:
        raise fail("invalid_name", field_error(path, f"1~{limit}자로 입력해 주세요.", f"1 to {limit} characters."))
    return cleaned


def create_organisation(db: Session, *, code: str, name: str, created_by: Account,
                        participant_target: int | None = None) -> Organisation:
    code = code.strip().upper()
    name = check_name(name)
    _check_target(participant_target)
    if db.scalars(select(Organisation).where(Organisation.code == code)).one_or_none():
        raise fail("organisation_exists", field_error("code", "다른 코드를 쓰세요.", "Use another code."))
    org = Organisation(code=code, name=name, participant_target=participant_target)
    db.add(org)
    db.flush()
    record_audit(db, actor_id=created_by.id, action="organisation.create", object_type="organisation",
                 object_id=org.id, detail={"code": code, "name": org.name, "participant_target": participant_target})
    return org


def get_organisation(db: Session, organisation_id: int) -> Organisation:
    org = db.get(Organisation, organisation_id)
    if org is None:
        raise fail("organisation_not_found")
    return org


_UNSET: object = object()


def update_organisation(db: Session, *, organisation: Organisation, by: Account, name: str | None = None,
                        participant_target: int | None | object = _UNSET) -> Organisation:
    """Rename an organisation or set its participant target (None clears it); the code, which
    volunteers typed when joining, never changes. Audited with what changed (nothing: no entry)."""
    changed: dict[str, list[object]] = {}
    if name is not None:
        name = check_name(name)
        if name != organisation.name:
            changed["name"] = [organisation.name, name]
            organisation.name = name
    if participant_target is not _UNSET:
        target = _check_target(participant_target)  # type: ignore[arg-type]
        if target != organisation.participant_target:
            changed["participant_target"] = [organisation.participant_target, target]
            organisation.participant_target = target
    if changed:
        db.flush()
        record_audit(db, actor_id=by.id, action="organisation.update", object_type="organisation",
                     object_id=organisation.id, detail={"code": organisation.code, "changed": changed})
    return organisation
