"""Joining, creating accounts, logging in."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts.models import AGE_BANDS, ROLES, Account, Organisation
from accounts.security import burn_time_for_unknown_user, hash_password, verify_password
from core.audit import record_audit
from core.errors import fail, field_error

PASSWORD_MIN = 8
PASSWORD_MAX = 128


def _check_username(username: str) -> str:
    name = unicodedata.normalize("NFC", username).strip()
    if not 2 <= len(name) <= 40 or any(unicodedata.category(c).startswith("C") for c in name):
        raise fail("invalid_nickname", field_error("nickname", "2~40자, 제어 문자 없이 입력해 주세요.",
                         "2 to 40 characters, no control characters."))
    return name


def _check_password(password: str, path: str = "password") -> None:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise fail("invalid_password", field_error(path, f"{PASSWORD_MIN}~{PASSWORD_MAX}자여야 합니다.",
                         f"Must be {PASSWORD_MIN} to {PASSWORD_MAX} characters."))


def find_by_username(db: Session, username: str) -> Account | None:
    name = unicodedata.normalize("NFC", username).strip()
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
) -> Account:
    if role not in ROLES:
        raise fail("invalid_role", field_error(
            "role", f"가능한 값: {', '.join(ROLES)}", f"One of: {', '.join(ROLES)}"))
    name = _check_username(username)
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
    if find_by_username(db, name) is not None:
        raise fail("nickname_taken", field_error(
            username_field, "다른 닉네임을 골라 주세요.", "Choose another nickname."))
    account = Account(username=name, password_hash=hash_password(password), role=role,
                      organisation_id=organisation_id, age_band=age_band)
    try:
        with db.begin_nested():
            db.add(account)
            db.flush()
    except IntegrityError as exc:  # a concurrent join with the same nickname
        raise fail("nickname_taken", field_error(
            username_field, "다른 닉네임을 골라 주세요.", "Choose another nickname.")) from exc
    if created_by is not None:
        record_audit(db, actor_id=created_by.id, action="account.create", object_type="account",
                     object_id=account.id, detail={"role": role, "username": name})
    return account


def authenticate(db: Session, *, username: str, password: str) -> Account:
    account = find_by_username(db, username)
    if account is None:
        burn_time_for_unknown_user(password)
    if account is None or not account.is_active or not verify_password(account.password_hash, password):
        raise fail("bad_credentials")
    return account


def create_organisation(db: Session, *, code: str, name: str, created_by: Account) -> Organisation:
    code = code.strip().upper()
    if db.scalars(select(Organisation).where(Organisation.code == code)).one_or_none():
        raise fail("organisation_exists", field_error("code", "다른 코드를 쓰세요.", "Use another code."))
    org = Organisation(code=code, name=name.strip())
    db.add(org)
    db.flush()
    record_audit(db, actor_id=created_by.id, action="organisation.create", object_type="organisation",
                 object_id=org.id, detail={"code": code, "name": org.name})
    return org
