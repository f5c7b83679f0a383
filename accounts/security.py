"""Password hashing (argon2id) and bearer tokens (signed JWT)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A real hash to verify against when the user does not exist, so timing does not reveal names.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def burn_time_for_unknown_user(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


def issue_token(*, account_id: int, role: str, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(account_id), "role": role, "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, *, secret: str) -> int | None:
    """The account id a valid token names, or None for an invalid or expired token."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError):
        return None
