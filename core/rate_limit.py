"""Abuse limits that hold across uvicorn workers and API processes: the `limits` library's
strategies (rate strings such as "10/minute;100/hour") over a storage of ours in PostgreSQL, so
no Redis or other server is needed beside the database every process already shares.

The counters live in one UNLOGGED table (no WAL: a crash may forget a minute of counts, which only
lets a few more requests through). Each hit is one atomic upsert on its own autocommit connection,
so a request that fails afterwards (a wrong password) still counts, and the clock is the
database's, so processes on machines with skewed clocks share one window. Keys never hold a
nickname or an IP in clear: an HMAC of it under the server's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

from limits import RateLimitItem, parse_many
from limits.storage import Storage
from limits.storage.base import SlidingWindowCounterSupport
from limits.strategies import FixedWindowRateLimiter, SlidingWindowCounterRateLimiter
from sqlalchemy import BigInteger, Column, DateTime, Table, Text, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from core.config import Settings
from core.db import Base
from core.errors import fail

rate_limit_counters = Table(
    "rate_limit_counters", Base.metadata,
    Column("key", Text, primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    prefixes=["UNLOGGED"],
)

# The rules, each a settings field `rate_limit_<rule>` (core/config.py), and what it keys on.
RULES = (
    "login_per_ip", "login_per_nickname", "join_per_ip", "password_change_per_account",
    "reports_per_account", "reports_per_ip", "photos_per_account", "photos_per_ip",
    "exports_per_caller", "exports_per_ip", "snapshots_per_caller",
)

# Sliding window counter in one statement: the previous window's count weighted by how much of
# it still overlaps the sliding window, plus the current window's count; the current window's row
# is inserted or incremented only while that stays within the limit. ON CONFLICT locks the row,
# so concurrent hits from any process are counted exactly.
_SLIDING_ACQUIRE = text("""
WITH w AS (
  SELECT floor(extract(epoch FROM clock_timestamp()) / :expiry)::bigint AS i,
         extract(epoch FROM clock_timestamp()) / :expiry AS t),
p AS (
  SELECT coalesce((SELECT c.count FROM rate_limit_counters c, w
                    WHERE c.key = :key || '/' || (w.i - 1) AND c.expires_at > clock_timestamp()), 0)
         * (1 - (w.t - w.i)) AS weighted FROM w)
INSERT INTO rate_limit_counters AS c (key, count, expires_at)
SELECT :key || '/' || w.i, :amount, to_timestamp((w.i + 2) * :expiry)
  FROM w, p WHERE floor(p.weighted) + :amount <= :limit
ON CONFLICT (key) DO UPDATE SET count = c.count + EXCLUDED.count
 WHERE floor((SELECT weighted FROM p) + c.count) + EXCLUDED.count <= :limit
RETURNING c.count
""")

_SLIDING_GET = text("""
WITH w AS (
  SELECT floor(extract(epoch FROM clock_timestamp()) / :expiry)::bigint AS i,
         extract(epoch FROM clock_timestamp()) / :expiry AS t)
SELECT coalesce((SELECT count FROM rate_limit_counters WHERE key = :key || '/' || (w.i - 1)
                    AND expires_at > clock_timestamp()), 0) AS previous,
       coalesce((SELECT count FROM rate_limit_counters WHERE key = :key || '/' || w.i
                    AND expires_at > clock_timestamp()), 0) AS current,
       w.t - w.i AS elapsed
  FROM w
""")

_FIXED_INCR = text("""
INSERT INTO rate_limit_counters AS c (key, count, expires_at)
VALUES (:key, :amount, clock_timestamp() + make_interval(secs => :expiry))
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN c.expires_at <= clock_timestamp() THEN EXCLUDED.count ELSE c.count + EXCLUDED.count END,
  expires_at = CASE WHEN c.expires_at <= clock_timestamp() THEN EXCLUDED.expires_at ELSE c.expires_at END
RETURNING c.count
""")

_PURGE_EVERY = 1000  # hits per process between two deletes of expired rows


class PostgresStorage(Storage, SlidingWindowCounterSupport):
    """`limits` storage over the rate_limit_counters table (fixed and sliding window counter)."""

    STORAGE_SCHEME = None  # built from an engine, never from a URI string

    def __init__(self, engine: Engine):
        super().__init__(wrap_exceptions=False)
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._hits = 0
        self._hits_lock = threading.Lock()
        self._pinned = threading.local()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def _row(self, statement, **params):
        pinned = getattr(self._pinned, "conn", None)
        if pinned is not None:
            return pinned.execute(statement, params).first()
        with self.engine.connect() as conn:
            return conn.execute(statement, params).first()

    @contextmanager
    def one_connection(self) -> Iterator[None]:
        """Every counter of one request on one pooled connection (one checkout, one pre-ping),
        each hit still its own autocommitted statement."""
        if getattr(self._pinned, "conn", None) is not None:
            yield
            return
        with self.engine.connect() as conn:
            self._pinned.conn = conn
            try:
                yield
            finally:
                self._pinned.conn = None

    def _counted(self) -> None:
        with self._hits_lock:
            self._hits += 1
            due = self._hits % _PURGE_EVERY == 0
        if due:
            self.purge_expired()

    def purge_expired(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("DELETE FROM rate_limit_counters WHERE expires_at <= clock_timestamp()")).rowcount

    # -- fixed window ---------------------------------------------------------------------
    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        self._counted()
        return int(self._row(_FIXED_INCR, key=key, expiry=expiry, amount=amount)[0])

    def get(self, key: str) -> int:
        row = self._row(text("SELECT count FROM rate_limit_counters WHERE key = :key "
                             "AND expires_at > clock_timestamp()"), key=key)
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(text("SELECT extract(epoch FROM expires_at) FROM rate_limit_counters WHERE key = :key "
                             "AND expires_at > clock_timestamp()"), key=key)
        return float(row[0]) if row else time.time()

    def clear(self, key: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("DELETE FROM rate_limit_counters WHERE key = :key"), {"key": key})

    def check(self) -> bool:
        try:
            return self._row(text("SELECT 1")) is not None
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(text("DELETE FROM rate_limit_counters")).rowcount

    # -- sliding window counter -----------------------------------------------------------
    def acquire_sliding_window_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        self._counted()
        return self._row(_SLIDING_ACQUIRE, key=key, limit=limit, expiry=expiry, amount=amount) is not None

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        previous, current, elapsed = self._row(_SLIDING_GET, key=key, expiry=expiry)
        elapsed = float(elapsed)
        previous_ttl = (1 - elapsed) * expiry if previous else 0.0
        return int(previous), previous_ttl, int(current), (1 - elapsed) * expiry + expiry

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("DELETE FROM rate_limit_counters WHERE key LIKE :prefix"),
                         {"prefix": key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"})


def parse_rules(settings: Settings) -> dict[str, list[RateLimitItem]]:
    return {rule: parse_many(getattr(settings, f"rate_limit_{rule}")) for rule in RULES}


def client_key(host: str | None) -> str:
    """What counts as one client: its IPv4 address, or its IPv6 /64 (one household or phone gets a
    whole /64, so counting single IPv6 addresses would be no limit at all)."""
    try:
        ip = ipaddress.ip_address(host or "")
    except ValueError:
        return host or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def nickname_key(username: str) -> str:
    """The same person whatever the case or Unicode form (as accounts.service.find_by_username)."""
    return unicodedata.normalize("NFC", username).strip().lower()


class RateLimits:
    """The service's limits: `hit(rule, who)` counts one request, or raises 429 `rate_limited`
    with Retry-After once `who` is over any of the rule's rates."""

    def __init__(self, storage: PostgresStorage, settings: Settings):
        self.storage = storage
        self.enabled = settings.rate_limits_enabled
        strategy = (FixedWindowRateLimiter if settings.rate_limit_strategy == "fixed-window"
                    else SlidingWindowCounterRateLimiter)
        self.limiter = strategy(storage)
        self.rules = parse_rules(settings)
        self._salt = (settings.secret_key or "").encode()

    def _identifier(self, who: str) -> str:
        # Bounded length whatever was sent, and no personal data at rest.
        return hmac.new(self._salt, who.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]

    def hit(self, rule: str, who: str) -> None:
        self.hit_all((rule, who))

    def hit_all(self, *hits: tuple[str, str]) -> None:
        """Count one request against each (rule, who) in order, on one connection; the first
        rule over its rate raises 429 (the ones before it have counted, as separate hits would)."""
        if not self.enabled:
            return
        try:
            with self.storage.one_connection():
                for rule, who in hits:
                    self._hit_one(rule, self._identifier(who))
        except DBAPIError as exc:  # the counters cannot be reached: refuse rather than let a flood through
            raise fail("database_unavailable", headers={"Retry-After": "5"}) from exc

    def _hit_one(self, rule: str, identifier: str) -> None:
        for item in self.rules[rule]:
            if not self.limiter.hit(item, rule, identifier):
                reset_at = self.limiter.get_window_stats(item, rule, identifier).reset_time
                retry_after = max(1, math.ceil(reset_at - time.time()))
                raise fail("rate_limited", headers={"Retry-After": str(retry_after)}, retry_after=retry_after)
