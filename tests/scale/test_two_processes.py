"""Two API processes (real uvicorn servers on two ports) against one database, as two machines
behind a load balancer would be: what must hold across them holds, because it is kept in
PostgreSQL and not in a process (docs/scaling.md).

- claims: moderators claiming at once through both never get the same report;
- idempotent submission: the same client_submission_id sent to both at once is one report;
- the change log: decisions made through both get sequence numbers 1, 2, 3, … with no gap, and a
  reader polling while they commit never sees a number before the ones below it;
- the abuse limits: requests counted on one process count on the other.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.factories import join_and_login, login, make_account, report_body
from tests.faults.server import ApiProcess

LOGIN_LIMIT = 4  # per nickname and hour, on both processes (the setting is per service, like the secret)


@pytest.fixture
def two_processes(committed_engine, database_url: str, tmp_path: Path) -> Iterator[list[ApiProcess]]:
    key = secrets.token_hex(32)
    env = {"RATE_LIMIT_LOGIN_PER_NICKNAME": f"{LOGIN_LIMIT}/hour"}
    apis = [ApiProcess(database_url=database_url, photo_dir=tmp_path / "photos", snapshot_dir=tmp_path / "snap",
                       log=tmp_path / f"server-{i}.log", workers=1, secret_key=key, extra_env=env)
            for i in range(2)]
    try:
        for api in apis:
            api.start()
        assert apis[0].port != apis[1].port
        yield apis
    finally:
        for api in apis:
            api.stop()


def clients(apis: list[ApiProcess]) -> list[httpx.Client]:
    return [httpx.Client(base_url=api.base, timeout=30) for api in apis]


def run_together(work, count: int) -> list:
    """`work(i)` in `count` threads released at once; their results in order, any error raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if errors:
        raise errors[0]
    return results


def submit_reports(http: list[httpx.Client], volunteers: int, each: int) -> set[int]:
    """`volunteers` volunteers, each sending `each` reports, alternately to the two processes."""
    ids: set[int] = set()
    for v in range(volunteers):
        headers = join_and_login(http[v % 2])
        for i in range(each):
            body = report_body(**{"location.lon": 126.95 + v * 0.003, "location.lat": 37.55 + i * 0.0004,
                                  "place.name": f"두 프로세스 시험 {v}-{i}", "access_route.path": None,
                                  "access_route.obstacles": []})
            r = http[(v + i) % 2].post("/api/v1/reports", json=body, headers=headers)
            assert r.status_code == 201, r.text
            ids.add(r.json()["id"])
    return ids


def test_claims_never_doubled_and_change_log_gap_free(two_processes, committed_engine):
    http = clients(two_processes)
    queued = submit_reports(http, volunteers=4, each=10)
    moderators = [make_account_committed(committed_engine) for _ in range(6)]
    headers = [login(http[i % 2], name, "correct horse") for i, name in enumerate(moderators)]

    def claim_until_empty(i: int) -> list[int]:
        mine: list[int] = []
        turn = i
        while True:  # alternate processes on every claim, as a load balancer might
            r = http[turn % 2].post("/api/v1/moderation/claims", json={"count": 2}, headers=headers[i])
            assert r.status_code == 200, r.text
            got = [item["id"] for item in r.json()["items"]]
            if not got:
                return mine
            mine += got
            turn += 1

    held = run_together(claim_until_empty, len(moderators))
    every = [rid for ids in held for rid in ids]
    assert Counter(every).most_common(1)[0][1] == 1  # no report handed out twice, to anyone
    assert set(every) == queued
    assert all(held)  # every moderator got some: the claims really ran side by side
    with committed_engine.connect() as conn:
        claims = Counter(conn.execute(text(
            "SELECT object_id FROM audit_log WHERE action = 'report.claim'")).scalars())
        owners = dict(conn.execute(text("SELECT id, claimed_by_id FROM reports")).all())
    assert claims == Counter(str(rid) for rid in queued)
    ids_of = {name: i for i, name in enumerate(moderators)}
    with committed_engine.connect() as conn:
        account_ids = dict(conn.execute(text("SELECT username, id FROM accounts WHERE role = 'moderator'")).all())
    for name, i in ids_of.items():
        assert {rid for rid, owner in owners.items() if owner == account_ids[name]} == set(held[i])

    # Every moderator approves what they hold, alternating processes, while a reader polls the log.
    reader = ChangeLogReader(committed_engine)
    reader.start()

    def approve_all(i: int) -> int:
        published = 0
        for n, rid in enumerate(held[i]):
            r = http[(i + n) % 2].post(f"/api/v1/moderation/reports/{rid}/decision", json={"action": "approve"},
                                       headers=headers[i])
            assert r.status_code == 200, r.text
            published += r.json()["published"]
        return published

    published = sum(run_together(approve_all, len(moderators)))
    reader.stop()
    assert published == len(queued)
    with committed_engine.connect() as conn:
        seqs = list(conn.execute(text("SELECT seq FROM change_log ORDER BY seq")).scalars())
        toilets = conn.execute(text("SELECT count(*) FROM change_log WHERE entity = 'toilet' AND op = 'create'")
                               ).scalar_one()
    assert seqs == list(range(1, len(seqs) + 1))  # strictly increasing, no gap
    assert toilets == len(queued)
    assert reader.gaps == []  # at no moment was a number visible before one below it
    assert reader.reads > 1 and reader.seen == seqs  # it read while the writes went on, and saw them all


def make_account_committed(engine) -> str:
    with Session(engine) as db:
        return make_account(db, "moderator")


class ChangeLogReader(threading.Thread):
    """An incremental consumer: reads the change log after its cursor over and over, and records
    any read whose first number is not cursor + 1 or whose numbers skip one."""

    def __init__(self, engine) -> None:
        super().__init__(daemon=True)
        self.engine = engine
        self.done = threading.Event()
        self.seen: list[int] = []
        self.gaps: list[tuple[int, list[int]]] = []
        self.reads = 0

    def run(self) -> None:
        with self.engine.connect() as conn:
            while True:
                last = self.done.is_set()
                cursor = self.seen[-1] if self.seen else 0
                batch = list(conn.execute(text("SELECT seq FROM change_log WHERE seq > :c ORDER BY seq"),
                                          {"c": cursor}).scalars())
                conn.commit()
                self.reads += 1
                if batch and batch != list(range(cursor + 1, cursor + 1 + len(batch))):
                    self.gaps.append((cursor, batch))
                self.seen += batch
                if last:
                    return
                self.done.wait(0.01)

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=60)


def test_same_submission_to_both_processes_is_one_report(two_processes, committed_engine):
    http = clients(two_processes)
    headers = join_and_login(http[0])
    body = report_body()

    answers = run_together(lambda i: http[i % 2].post("/api/v1/reports", json=body, headers=headers), 8)
    assert {r.status_code for r in answers} <= {200, 201}, [r.text for r in answers]
    assert Counter(r.status_code for r in answers)[201] == 1  # created once, found seven times
    assert len({r.json()["id"] for r in answers}) == 1
    other = dict(body, notes="다른 내용 · another body")
    conflict = http[1].post("/api/v1/reports", json=other, headers=headers)
    assert conflict.status_code == 409, conflict.text
    with committed_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reports WHERE client_submission_id = :s"),
                            {"s": uuid.UUID(body["client_submission_id"])}).scalar_one() == 1


def test_rate_limits_count_across_processes(two_processes):
    http = clients(two_processes)
    nickname = f"limit-{uuid.uuid4().hex[:8]}"
    r = http[0].post("/api/v1/volunteers", json={"nickname": nickname, "password": "correct horse",
                                                 "age_band": "20s"})
    assert r.status_code == 201, r.text
    for i in range(LOGIN_LIMIT):  # A, B, A, B: each process alone has seen only half the limit
        r = http[i % 2].post("/api/v1/auth/token", data={"username": nickname, "password": "correct horse"})
        assert r.status_code == 200, (i, r.text)
    for api in (1, 0):  # the next one is refused wherever it goes
        r = http[api].post("/api/v1/auth/token", data={"username": nickname, "password": "correct horse"})
        assert r.status_code == 429, r.text
        assert r.json()["code"] == "rate_limited" and int(r.headers["Retry-After"]) > 0
    other = http[1].post("/api/v1/volunteers", json={"nickname": f"{nickname}-2", "password": "correct horse",
                                                     "age_band": "20s"})
    assert other.status_code == 201  # the limit is this nickname's, not the process's
    assert http[1].post("/api/v1/auth/token", data={"username": f"{nickname}-2", "password": "correct horse"}
                        ).status_code == 200
