"""The abuse counters in PostgreSQL behind the `limits` library: exact under concurrency from
several engines, windows that end, keys without personal data.

Sliding-window counts use day-long windows: the strategy may admit one more right after a window
boundary (it floors the previous window's weighted count), which a minute would make a flake."""

from __future__ import annotations

import threading
import time

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter, SlidingWindowCounterRateLimiter
from pydantic import ValidationError
from sqlalchemy import create_engine, text

from core.config import Settings
from core.errors import DomainError
from core.rate_limit import RULES, PostgresStorage, RateLimits, client_key, nickname_key


@pytest.fixture
def engines(database_url):
    made = [create_engine(database_url, pool_size=12, max_overflow=0) for _ in range(2)]
    PostgresStorage(made[0]).reset()
    yield made
    PostgresStorage(made[0]).reset()
    for e in made:
        e.dispose()


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT key, count FROM rate_limit_counters ORDER BY key"))]


@pytest.mark.parametrize("strategy", [SlidingWindowCounterRateLimiter, FixedWindowRateLimiter])
def test_concurrent_hits_from_two_engines_admit_exactly_the_limit(engines, strategy):
    limiters = [strategy(PostgresStorage(e)) for e in engines]
    item = parse("7/day")
    results: list[bool] = []
    start = threading.Barrier(24)

    def hit(i: int) -> None:
        start.wait()
        results.append(limiters[i % 2].hit(item, "login_per_ip", "one-client"))

    threads = [threading.Thread(target=hit, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 7 and len(results) == 24
    stats = limiters[1].get_window_stats(item, "login_per_ip", "one-client")
    assert stats.remaining == 0 and time.time() < stats.reset_time <= time.time() + 2 * 86400
    assert limiters[0].hit(item, "login_per_ip", "another-client")  # counted apart


def test_a_fixed_window_ends_and_counting_starts_again(engines):
    storage = PostgresStorage(engines[0])
    limiter = FixedWindowRateLimiter(storage)
    item = parse("3/minute")
    assert [limiter.hit(item, "r", "c") for _ in range(4)] == [True, True, True, False]
    reset = limiter.get_window_stats(item, "r", "c").reset_time
    assert time.time() < reset <= time.time() + 61
    with engines[0].begin() as conn:  # the minute passes
        conn.execute(text("UPDATE rate_limit_counters SET expires_at = now() - interval '1 second'"))
    assert storage.get(item.key_for("r", "c")) == 0
    assert limiter.hit(item, "r", "c") and storage.get(item.key_for("r", "c")) == 1


def test_the_sliding_window_weights_the_previous_window(engines):
    """A full previous window still counts by the share of it the sliding window overlaps."""
    storage = PostgresStorage(engines[0])
    limiter = SlidingWindowCounterRateLimiter(storage)
    item = parse("10/day")
    key = item.key_for("r", "c")
    with engines[0].begin() as conn:
        index, elapsed = conn.execute(text(
            "SELECT floor(extract(epoch FROM clock_timestamp()) / 86400)::bigint,"
            " extract(epoch FROM clock_timestamp()) / 86400 - floor(extract(epoch FROM clock_timestamp()) / 86400)"
        )).one()
        conn.execute(text("INSERT INTO rate_limit_counters VALUES (:k, 10, now() + interval '1 day')"),
                     {"k": f"{key}/{index - 1}"})
    allowed = sum(limiter.hit(item, "r", "c") for _ in range(12))
    assert allowed == 10 - int(10 * (1 - float(elapsed)))
    previous, previous_ttl, current, _ = storage.get_sliding_window(key, 86400)
    assert (previous, current) == (10, allowed) and 0 < previous_ttl <= 86400


def test_expired_rows_are_purged_and_live_ones_kept(engines):
    storage = PostgresStorage(engines[0])
    with engines[0].begin() as conn:
        conn.execute(text("INSERT INTO rate_limit_counters VALUES ('old', 5, now() - interval '1 minute'), "
                          "('live', 5, now() + interval '1 minute')"))
    assert storage.purge_expired() == 1
    assert _rows(engines[0]) == [("live", 5)]


def _limits(engine, strategy: str = "sliding-window-counter", **rates) -> RateLimits:
    settings = Settings(secret_key="rate-limit-test-" + "s" * 40, rate_limit_strategy=strategy,
                        **{f"rate_limit_{k}": v for k, v in rates.items()})
    return RateLimits(PostgresStorage(engine), settings)


@pytest.mark.parametrize("strategy, rate, longest_wait", [("fixed-window", "2/minute", 60),
                                                         ("sliding-window-counter", "2/day", 2 * 86400)])
def test_over_the_limit_is_429_rate_limited_with_retry_after(engines, strategy, rate, longest_wait):
    limits = _limits(engines[0], strategy, login_per_nickname=rate)
    limits.hit("login_per_nickname", "alice")
    limits.hit("login_per_nickname", "alice")
    with pytest.raises(DomainError) as caught:
        limits.hit("login_per_nickname", "alice")
    error = caught.value
    assert error.status == 429 and error.code == "rate_limited"
    seconds = int(error.headers["Retry-After"])
    assert 1 <= seconds <= longest_wait and f"{seconds}" in error.message_en and f"{seconds}" in error.message_ko
    limits.hit("login_per_nickname", "bob")  # another nickname is not held back


def test_every_rule_applies_each_of_its_rates(engines):
    limits = _limits(engines[0], photos_per_ip="50/month;2/day")
    limits.hit("photos_per_ip", "1.2.3.4")
    limits.hit("photos_per_ip", "1.2.3.4")
    with pytest.raises(DomainError):
        limits.hit("photos_per_ip", "1.2.3.4")


def test_keys_hold_no_nickname_or_address_and_stay_short_whatever_was_sent(engines):
    limits = _limits(engines[0])
    limits.hit("login_per_nickname", nickname_key("휠체어탐험대"))
    limits.hit("login_per_ip", "203.0.113.9")
    limits.hit("login_per_nickname", "x" * 200_000)
    keys = [k for k, _ in _rows(engines[0])]
    assert len(keys) == 6 and all(len(k) < 120 for k in keys)  # two rates per rule, two rules
    assert not any("휠체어" in k or "203.0.113" in k or "xxxx" in k for k in keys)


def test_disabled_limits_count_nothing(engines):
    settings = Settings(secret_key="x" * 40, rate_limits_enabled=False, rate_limit_join_per_ip="1/minute")
    limits = RateLimits(PostgresStorage(engines[0]), settings)
    for _ in range(3):
        limits.hit("join_per_ip", "1.2.3.4")
    assert _rows(engines[0]) == []


def test_one_client_is_one_ipv4_address_or_one_ipv6_64():
    assert client_key("203.0.113.9") == "203.0.113.9"
    assert client_key("::ffff:203.0.113.9") == "203.0.113.9"
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key(None) == "unknown" and client_key("testclient") == "testclient"
    assert nickname_key(" Wheelie ") == nickname_key("wheelie")
    assert nickname_key("\u1100\u1161") == nickname_key("\uac00")  # NFD and NFC Korean: one nickname


def test_every_rule_has_a_setting_and_a_bad_rate_stops_the_start():
    settings = Settings()
    assert all(isinstance(getattr(settings, f"rate_limit_{rule}"), str) for rule in RULES)
    with pytest.raises(ValidationError, match="RATE_LIMIT_LOGIN_PER_IP"):
        Settings(rate_limit_login_per_ip="lots")


def _counts(engine) -> dict[str, int]:
    """Each rule's count, whatever its key's window suffix (rules are the keys' second part)."""
    counts: dict[str, int] = {}
    for key, count in _rows(engine):
        rule = key.split("/")[1]
        counts[rule] = counts.get(rule, 0) + count
    return counts


@pytest.mark.parametrize("strategy", ["sliding-window-counter", "fixed-window"])
def test_all_the_rates_of_a_request_are_counted_in_one_statement(engines, strategy):
    """hit_all: every rate of every rule in one round trip, counted as separate hits would be."""
    limits = _limits(engines[0], strategy, reports_per_ip="5/day", reports_per_account="3/day;100/day")
    statements: list[str] = []
    listen = lambda *a: statements.append(a[2])  # noqa: E731
    from sqlalchemy import event
    event.listen(engines[0], "before_cursor_execute", listen)
    try:
        limits.hit_all(("reports_per_ip", "1.2.3.4"), ("reports_per_account", "7"))
    finally:
        event.remove(engines[0], "before_cursor_execute", listen)
    assert len(statements) == 1
    assert _counts(engines[0]) == {"reports_per_ip": 1, "reports_per_account": 2}  # one per rate


@pytest.mark.parametrize("strategy", ["sliding-window-counter", "fixed-window"])
def test_the_first_rate_over_its_limit_refuses_and_the_later_ones_are_not_counted(engines, strategy):
    limits = _limits(engines[0], strategy, reports_per_ip="3/day", reports_per_account="3/day")
    for _ in range(3):
        limits.hit_all(("reports_per_ip", "1.2.3.4"), ("reports_per_account", "7"))
    with pytest.raises(DomainError) as caught:
        limits.hit_all(("reports_per_ip", "1.2.3.4"), ("reports_per_account", "7"))
    assert caught.value.status == 429 and int(caught.value.headers["Retry-After"]) >= 1
    counts = _counts(engines[0])
    assert counts["reports_per_account"] == 3  # the refused request never reached the account's rate
    # the sliding window does not count a refused hit; the fixed window counts it, as `limits` does
    assert counts["reports_per_ip"] == (3 if strategy == "sliding-window-counter" else 4)
    # from another address, the account's own rate (already full) is the one that refuses
    with pytest.raises(DomainError):
        limits.hit_all(("reports_per_ip", "5.6.7.8"), ("reports_per_account", "7"))
    assert _counts(engines[0])["reports_per_account"] == (3 if strategy == "sliding-window-counter" else 4)


def test_combined_hits_from_two_engines_admit_exactly_the_limit(engines):
    """Two API processes (two engines, two pools) counting one account through hit_all."""
    limiters = [_limits(e, reports_per_ip="1000/day", reports_per_account="9/day") for e in engines]
    admitted: list[bool] = []
    start = threading.Barrier(24)

    def hit(i: int) -> None:
        start.wait()
        try:
            limiters[i % 2].hit_all(("reports_per_ip", f"10.0.0.{i}"), ("reports_per_account", "42"))
            admitted.append(True)
        except DomainError:
            admitted.append(False)

    threads = [threading.Thread(target=hit, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert admitted.count(True) == 9 and len(admitted) == 24
    assert _counts(engines[0]) == {"reports_per_ip": 24, "reports_per_account": 9}
