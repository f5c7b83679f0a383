"""The key that signs login tokens never has a usable default.

Production (the default mode) refuses to start without a SECRET_KEY of its own: unset, shorter
than 32 characters, or a value this project ever published (anyone who reads the source could sign
an admin token with it). The demo (`REACHABLE_MODE=demo`, which `reachable up` sets) may go
without: it signs with a random key made once and kept in the git-ignored local folder, so demo
logins survive a restart, and that key serves only a loopback bind.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

from core.config import Settings

MIN_SECRET_CHARS = 32
# Every secret that was ever written into this repository (config default, docker-compose).
PUBLISHED_SECRETS = frozenset({
    "dev-only-change-me-0123456789abcdef0123456789",
    "change-me-in-production-0123456789abcdef",
})
HOW_TO_SET = ('set SECRET_KEY to a long random value, e.g. '
              'export SECRET_KEY="$(python3 -c \'import secrets; print(secrets.token_urlsafe(48))\')"')


class InsecureSecret(RuntimeError):
    """The server must not start with this secret (the message says why and what to do)."""


def secret_problem(secret: str | None) -> str | None:
    """Why `secret` must not sign tokens, or None when it may."""
    if not secret:
        return "SECRET_KEY is not set"
    if secret in PUBLISHED_SECRETS or secret.lower().startswith(("change-me", "changeme", "dev-only")):
        return "SECRET_KEY is a value published in this project's source"
    if len(secret) < MIN_SECRET_CHARS:
        return f"SECRET_KEY is shorter than {MIN_SECRET_CHARS} characters"
    return None


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name we cannot judge (or "" = every interface): not loopback


def demo_secret_path(settings: Settings) -> Path:
    # The local folder itself, not the cluster's (which, as root, may be owned by postgres elsewhere:
    # core.localdb.cluster_base): this key is read by whoever runs the server.
    return Path(settings.local_db_dir).resolve() / "secret_key"


def demo_secret(settings: Settings) -> str:
    """The demo's random key: made on first use (readable by its owner only), then reused."""
    path = demo_secret_path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # made by an earlier run (or a worker that won the race): reuse it
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48) + "\n")
        key = path.read_text().strip()
    except OSError as exc:
        raise InsecureSecret(f"cannot keep the demo's key in {path} ({exc}); {HOW_TO_SET}") from exc
    if secret_problem(key):
        raise InsecureSecret(f"{path} does not hold a usable key; delete it to make a new one, or {HOW_TO_SET}")
    return key


def usable_settings(settings: Settings, *, host: str | None = None) -> Settings:
    """`settings` with a key fit to sign tokens, or InsecureSecret saying why not and what to do.
    `host` is the address the server will bind (None: not known here, e.g. under plain uvicorn)."""
    problem = secret_problem(settings.secret_key)
    if problem is None:
        return settings
    if settings.reachable_mode != "demo":
        raise InsecureSecret(
            f"{problem}; refusing to start, since anyone could sign a login token for any account. "
            f"To run in production, {HOW_TO_SET}. For a local demo only, set REACHABLE_MODE=demo "
            f"(`reachable up` does): it then makes a random key once and keeps it in {demo_secret_path(settings)}.")
    if host is not None and not is_loopback(host):
        raise InsecureSecret(
            f"{problem}; refusing to serve on {host}: the demo's local key is only for a server bound to "
            f"127.0.0.1. To serve other machines, {HOW_TO_SET}.")
    return settings.model_copy(update={"secret_key": demo_secret(settings)})
