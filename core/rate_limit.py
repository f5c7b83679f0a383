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

import functools
import hashlib
import hmac
import ipaddress
import math
import threading
import time
import unicodedata
from typing import Any

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
# so concurrent hits from any process are counted exactly. `{n}` numbers the parameters and
# `{gate}` is the condition for running at all (see _combined).
_SLIDING_HIT = """
  w{n} AS (
    SELECT floor(extract(epoch FROM clock_timestamp()) / :expiry{n})::bigint AS i,
           extract(epoch FROM clock_timestamp()) / :expiry{n} AS t),
  p{n} AS (
    SELECT coalesce((SELECT c.count FROM rate_limit_counters c, w{n}
                      WHERE c.key = :key{n} || '/' || (w{n}.i - 1) AND c.expires_at > clock_timestamp()), 0)
           * (1 - (w{n}.t - w{n}.i)) AS weighted FROM w{n}),
  h{n} AS (
    INSERT INTO rate_limit_counters AS c (key, count, expires_at)
    SELECT :key{n} || '/' || w{n}.i, :amount, to_timestamp((w{n}.i + 2) * :expiry{n})
      FROM w{n}, p{n} WHERE floor(p{n}.weighted) + :amount <= :limit{n} AND {gate}
    ON CONFLICT (key) DO UPDATE SET count = c.count + EXCLUDED.count
     WHERE floor((SELECT weighted FROM p{n}) + c.count) + EXCLUDED.count <= :limit{n}
    RETURNING c.count)"""

# Fixed window: the count is incremented whatever it reaches (as the `limits` strategy does);
# over the limit is a refusal.
_FIXED_HIT = """
  h{n} AS (
    INSERT INTO rate_limit_counters AS c (key, count, expires_at)
    SELECT :key{n}, :amount, clock_timestamp() + make_interval(secs => :expiry{n}) WHERE {gate}
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN c.expires_at <= clock_timestamp() THEN EXCLUDED.count ELSE c.count + EXCLUDED.count END,
      expires_at = CASE WHEN c.expires_at <= clock_timestamp() THEN EXCLUDED.expires_at ELSE c.expires_at END
    RETURNING c.count)"""


def _combined(template: str, n: int, admitted: str) -> Any:
    """One statement for `n` counters hit in order: counter k runs only if counter k-1 admitted
    its hit (`admitted`, about h{k-1}), so the first refusal stops the rest, as separate hits
    in turn would. Returns one column per counter: its count, NULL where it did not run or (a
    sliding window) refused."""
    parts = [template.format(n=k, gate="true" if k == 0 else admitted.format(n=k - 1)) for k in range(n)]
    columns = ", ".join(f"(SELECT count FROM h{k}) AS c{k}" for k in range(n))
    return text("WITH" + ",".join(parts) + f"\nSELECT {columns}")


@functools.cache
def sliding_hits(n: int) -> Any:
    return _combined(_SLIDING_HIT, n, "EXISTS (SELECT FROM h{n})")


@functools.cache
def fixed_hits(n: int) -> Any:
    return _combined(_FIXED_HIT, n, "(SELECT count FROM h{n}) <= :limit{n}")


_SLIDING_ACQUIRE = text("WITH" + _SLIDING_HIT.format(n="", gate="true") + "\nSELECT count FROM h")
_FIXED_INCR = text("WITH" + _FIXED_HIT.format(n="", gate="true") + "\nSELECT count FROM h")

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

_PURGE_EVERY = 1000  # hits per process between two deletes of expired rows


class PostgresStorage(Storage, SlidingWindowCounterSupport):
    """`limits` storage over the rate_limit_counters table (fixed and sliding window counter)."""

    STORAGE_SCHEME = None  # built from an engine, never from a URI string

    def __init__(self, engine: Engine):
        super().__init__(wrap_exceptions=False)
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._hits = 0
        self._hits_lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def _row(self, statement, **params):
        with self.engine.connect() as conn:
            return conn.execute(statement, params).first()

    def hit_in_order(self, counters: list[tuple[str, int, int]], *, sliding: bool, amount: int = 1) -> int | None:
        """Hit each counter (key, limit, expiry in seconds) in turn, in one statement (one round
        trip): the index of the first that refuses, the ones after it not counted; None if all
        admitted. The same counts as `acquire_sliding_window_entry` or `incr` called for each."""
        if not counters:
            return None
        self._counted(len(counters))
        params: dict[str, Any] = {"amount": amount}
        for k, (key, limit, expiry) in enumerate(counters):
            params |= {f"key{k}": key, f"limit{k}": limit, f"expiry{k}": expiry}
        row = self._row((sliding_hits if sliding else fixed_hits)(len(counters)), **params)
        for k, (_key, limit, _expiry) in enumerate(counters):
            count = row[k]
            if count is None or (not sliding and count > limit):
                return k
        return None

    def _counted(self, hits: int = 1) -> None:
        with self._hits_lock:
            due = (self._hits + hits) // _PURGE_EVERY > self._hits // _PURGE_EVERY
            self._hits += hits
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
        self.limiter = strategy(storage)  # its window stats give Retry-After
        self.sliding = strategy is SlidingWindowCounterRateLimiter
        self.rules = parse_rules(settings)
        self._salt = (settings.secret_key or "").encode()

    def _identifier(self, who: str) -> str:
        # Bounded length whatever was sent, and no personal data at rest.
        return hmac.new(self._salt, who.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]

    def hit(self, rule: str, who: str) -> None:
        self.hit_all((rule, who))

    def hit_all(self, *hits: tuple[str, str]) -> None:
        """Count one request against each (rule, who) in order, every rate of every rule in one
        statement; the first rate over its limit raises 429 (the ones before it have counted, the
        ones after it not, as separate hits in turn would)."""
        if not self.enabled:
            return
        checks = [(item, rule, identifier) for rule, who in hits for identifier in (self._identifier(who),)
                  for item in self.rules[rule]]
        counters = [(item.key_for(rule, identifier), item.amount, item.get_expiry()) for item, rule, identifier in checks]
        try:
            refused = self.storage.hit_in_order(counters, sliding=self.sliding)
            if refused is None:
                return
            item, rule, identifier = checks[refused]
            reset_at = self.limiter.get_window_stats(item, rule, identifier).reset_time
        except DBAPIError as exc:  # the counters cannot be reached: refuse rather than let a flood through
            raise fail("database_unavailable", headers={"Retry-After": "5"}) from exc
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise fail("rate_limited", headers={"Retry-After": str(retry_after)}, retry_after=retry_after)
