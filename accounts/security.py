"""Password hashing (argon2id) and bearer tokens (signed JWT).

Each argon2 hash or verification takes ~64 MiB and tens of ms of CPU, so they run through one
bounded section per process: at most `argon2_max_concurrent` at once, at most
`argon2_max_waiting` more waiting (each at most `argon2_wait_seconds`); beyond that the caller
gets 503 + Retry-After at once, so a login flood can neither exhaust memory nor tie up every
request thread.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import fail

_hasher = PasswordHasher()
ALGORITHM = "HS256"


class BoundedSection:
    """At most `concurrent` callers inside, at most `waiting` queued for `wait_seconds`; others
    are refused (503 `server_busy`) instead of piling up."""

    def __init__(self, *, concurrent: int, waiting: int, wait_seconds: float):
        self.configure(concurrent=concurrent, waiting=waiting, wait_seconds=wait_seconds)

    def configure(self, *, concurrent: int, waiting: int, wait_seconds: float) -> None:
        self._slots = threading.BoundedSemaphore(concurrent)
        self._admitted = threading.BoundedSemaphore(concurrent + waiting)
        self.wait_seconds = wait_seconds

    @contextmanager
    def enter(self):
        slots, admitted = self._slots, self._admitted  # a reconfigure mid-call releases what it took
        if not admitted.acquire(blocking=False):
            raise _busy()
        try:
            if not slots.acquire(timeout=self.wait_seconds):
                raise _busy()
            try:
                yield
            finally:
                slots.release()
        finally:
            admitted.release()


def _busy():
    return fail("server_busy", headers={"Retry-After": "2"}, retry_after=2)


# Replaced from the settings by configure_password_work() when an app is built.
_section = BoundedSection(concurrent=4, waiting=16, wait_seconds=5.0)


def configure_password_work(*, concurrent: int, waiting: int, wait_seconds: float) -> None:
    _section.configure(concurrent=concurrent, waiting=waiting, wait_seconds=wait_seconds)


def hash_password(password: str) -> str:
    with _section.enter():
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    with _section.enter():
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


# A real hash to verify against when the user does not exist, so timing does not reveal names.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def burn_time_for_unknown_user(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


@dataclass(frozen=True)
class TokenClaims:
    account_id: int
    version: int  # the account's token_version when the token was issued


def issue_token(*, account_id: int, role: str, secret: str, minutes: int, version: int = 0) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(account_id), "role": role, "ver": version, "iat": now,
              "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, *, secret: str) -> TokenClaims | None:
    """What a valid token names, or None for an invalid or expired token."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
        return TokenClaims(account_id=int(claims["sub"]), version=int(claims.get("ver", 0)))
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
