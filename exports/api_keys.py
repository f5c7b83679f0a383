"""API keys for the map team's automated pulls: created and revoked by admins (audited), kept
only as a sha256 of the secret, shown once at creation.

Format: `rk_<prefix>_<secret>`; the prefix (8 hex) finds the row, the secret (192 bits) is
compared by hash in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.models import Account
from core.audit import record_audit
from core.errors import fail, field_error
from exports.models import ApiKey


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(db: Session, *, admin: Account, account_id: int, label: str) -> tuple[ApiKey, str]:
    """A new key for an exporter account; returns the row and the key (shown this once only)."""
    account = db.get(Account, account_id)
    if account is None:
        raise fail("account_not_found")
    if account.role != "exporter" or not account.is_active:
        raise fail("not_an_exporter", field_error(
            "account_id", "exporter 계정을 고르세요.", "Choose an exporter account."))
    label = (label or "").strip()
    if not 1 <= len(label) <= 100:
        raise fail("invalid_label", field_error("label", "1~100자로 적어 주세요.", "1–100 characters."))
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(24)
    key = ApiKey(account_id=account.id, label=label, prefix=prefix, key_hash=_hash(secret), created_by=admin.id)
    db.add(key)
    db.flush()
    record_audit(db, actor_id=admin.id, action="api_key.create", object_type="api_key", object_id=key.id,
                 detail={"account_id": account.id, "label": label, "prefix": prefix})
    return key, f"rk_{prefix}_{secret}"


def revoke_api_key(db: Session, *, admin: Account, key_id: int, reason: str | None = None) -> ApiKey:
    key = db.get(ApiKey, key_id)
    if key is None:
        raise fail("api_key_not_found")
    if key.revoked_at is not None:
        raise fail("api_key_revoked")
    key.revoked_at = datetime.now(UTC)
    key.revoked_by = admin.id
    db.flush()
    record_audit(db, actor_id=admin.id, action="api_key.revoke", object_type="api_key", object_id=key.id,
                 reason=reason, detail={"account_id": key.account_id, "prefix": key.prefix})
    return key


def list_api_keys(db: Session) -> list[ApiKey]:
    return list(db.scalars(select(ApiKey).order_by(ApiKey.id)))


def account_for_key(db: Session, presented: str) -> Account:
    """The exporter account a presented key belongs to, or Unauthorised (401)."""
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "rk":
        raise fail("invalid_api_key")
    key = db.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.key_hash, _hash(parts[2])) or key.revoked_at is not None:
        raise fail("invalid_api_key")
    account = db.get(Account, key.account_id)
    if account is None or not account.is_active or account.role != "exporter":
        raise fail("invalid_api_key")
    key.last_used_at = datetime.now(UTC)
    db.flush()
    return account
