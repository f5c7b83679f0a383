"""The queue: priority, leases, release, figures, and many concurrent claimers."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import text
from sqlalchemy.orm import Session

from accounts.service import create_account
from core.config import Settings
from mobile_schema.registry import default_registry
from moderation.queue import claim_reports
from reports.service import submit_report
from tests.factories import report_body
from tests.moderation.helpers import assert_error_shape, claim_one, decide, moderator, submit


def test_claim_answers_items_with_ids_and_a_lease(client, db, settings):
    ids = [submit(client)[0] for _ in range(3)]
    mod = moderator(db, client)
    r = client.post("/api/v1/moderation/claims", json={"count": 2}, headers=mod)
    assert r.status_code == 200
    body = r.json()
    assert len(body["items"]) == 2 and {i["id"] for i in body["items"]} <= set(ids)
    assert all(i["status"] == "in_review" and i["payload"]["place"]["name"] for i in body["items"])
    assert body["lease_expires_at"]
    lease = db.execute(text("SELECT lease_expires_at - now() FROM reports WHERE id = :id"),
                       {"id": body["items"][0]["id"]}).scalar_one()
    assert abs(lease.total_seconds() - settings.claim_lease_minutes * 60) < 5
    assert_error_shape(client.post("/api/v1/moderation/claims", json={"count": 0}, headers=mod), 422)
    assert_error_shape(client.post("/api/v1/moderation/claims", json={"count": 1},
                                   headers=submit(client)[1]), 403)


def test_an_empty_queue_answers_no_items(client, db):
    r = client.post("/api/v1/moderation/claims", json={"count": 3}, headers=moderator(db, client))
    assert r.json() == {"items": [], "lease_expires_at": None}


def test_a_lease_expires_and_the_report_returns_to_the_queue(client, db):
    report_id, _ = submit(client)
    first, second = moderator(db, client), moderator(db, client)
    claim_one(client, first, report_id)
    assert client.post("/api/v1/moderation/claims", json={"count": 1}, headers=second).json()["items"] == []
    db.execute(text("UPDATE reports SET lease_expires_at = now() - interval '1 second' WHERE id = :id"),
               {"id": report_id})
    stats = client.get("/api/v1/moderation/queue", headers=second).json()
    assert stats["by_state"]["queued"] == 1 and stats["by_state"]["in_review"] == 0
    # the former holder can no longer decide
    assert_error_shape(decide(client, first, report_id, action="approve"), 409, "lease_expired")
    claim_one(client, second, report_id)
    assert_error_shape(decide(client, first, report_id, action="approve"), 403, "not_claim_holder")
    assert decide(client, second, report_id, action="approve").status_code == 200
    # the lapse is in the history, under the moderator whose lease ran out, before the new claim
    events = db.execute(text("SELECT a.action, ac.username FROM audit_log a JOIN accounts ac ON ac.id = a.actor_id "
                             "WHERE a.object_type = 'report' AND a.object_id = :id ORDER BY a.id"),
                        {"id": str(report_id)}).all()
    (submit1, _), (claim1, who1), (lapse, who_lapsed), (claim2, who2) = [tuple(e) for e in events][:4]
    assert submit1 == "report.submit"
    assert (claim1, lapse, claim2) == ("report.claim", "report.lease_expired", "report.claim")
    assert who_lapsed == who1 != who2


def test_a_claim_for_more_than_the_queue_holds_takes_all_of_it_once(client, db):
    """The claim reads the top of the queue first and, when that is short, the rest: each
    report is claimed once, audited once, in priority order (oldest first here)."""
    ids = [submit(client, **{"place.name": f"짧은 대기열 {i}"})[0] for i in range(3)]
    for hours, report_id in zip((1, 3, 2), ids, strict=True):
        db.execute(text("UPDATE reports SET submitted_at = now() - make_interval(hours => :h) WHERE id = :id"),
                   {"h": hours, "id": report_id})
    mod = moderator(db, client)
    r = client.post("/api/v1/moderation/claims", json={"count": 5}, headers=mod)
    assert r.status_code == 200
    assert [item["id"] for item in r.json()["items"]] == [ids[1], ids[2], ids[0]]
    claims = db.execute(text("SELECT object_id FROM audit_log WHERE action = 'report.claim' ORDER BY id")).scalars().all()
    assert claims == [str(ids[1]), str(ids[2]), str(ids[0])]
    assert client.post("/api/v1/moderation/claims", json={"count": 5}, headers=mod).json()["items"] == []


def test_release_gives_the_report_back(client, db):
    report_id, _ = submit(client)
    first, second = moderator(db, client), moderator(db, client)
    claim_one(client, first, report_id)
    r = client.post(f"/api/v1/moderation/reports/{report_id}/release", headers=first)
    assert r.status_code == 200 and r.json()["status"] == "queued"
    claim_one(client, second, report_id)
    actions = db.execute(text("SELECT action FROM audit_log WHERE object_type='report' AND object_id=:id ORDER BY id"),
                         {"id": str(report_id)}).scalars().all()
    assert actions == ["report.submit", "report.claim", "report.release", "report.claim"]


def test_priority_age_then_coverage_gaps_then_duplicates(client, db, settings):
    old, _ = submit(client, **{"place.name": "오래된 제보"})
    gap, _ = submit(client, **{"place.name": "빈 구역 제보"})
    db.execute(text("UPDATE reports SET submitted_at = now() - interval '100 hours' WHERE id = :id"), {"id": old})
    mod = moderator(db, client)
    # with no published toilet anywhere every district has the full gap bonus: age decides
    assert claim_one(client, mod)["id"] == old
    client.post(f"/api/v1/moderation/reports/{old}/release", headers=mod)
    # publish toilets in 중구 so its gap bonus is gone; a report in an empty district then wins
    settings.queue_gap_target_per_district = 1
    db.execute(text("UPDATE reports SET submitted_at = now() - interval '30 hours' WHERE id = :id"), {"id": old})
    claim_one(client, mod, old)
    decide(client, mod, old, action="approve")
    elsewhere, _ = submit(client, **{"location.lon": 127.0276, "location.lat": 37.4979, "place.district": "강남구",
                                     "place.road_address": "서울특별시 강남구 강남대로 396",
                                     "place.lot_address": "서울특별시 강남구 역삼동 858",
                                     "access_route.path": None, "access_route.obstacles": []})
    db.execute(text("UPDATE reports SET submitted_at = now() - interval '10 hours' WHERE id = :id"), {"id": elsewhere})
    db.execute(text("UPDATE reports SET submitted_at = now() - interval '20 hours' WHERE id = :id"), {"id": gap})
    # `gap` (중구, 20 h, and flagged as a duplicate of the published toilet: +24) vs `elsewhere` (강남구, 10 h, +48)
    assert claim_one(client, mod)["id"] == elsewhere
    assert claim_one(client, mod)["id"] == gap


def test_queue_figures(client, db):
    ids = [submit(client)[0] for _ in range(3)]
    mod = moderator(db, client)
    claim_one(client, mod)
    stats = client.get("/api/v1/moderation/queue", headers=mod).json()
    assert stats["depth"] == 2 and stats["by_state"]["in_review"] == 1
    assert stats["oldest_age_seconds"] >= 0
    jung = next(d for d in stats["by_district"] if d["code"] == "11140")
    assert jung["queued"] == 2 and jung["in_review"] == 1 and jung["name_ko"] == "중구"
    assert len(stats["by_district"]) == 25
    assert ids
    assert_error_shape(client.get("/api/v1/moderation/queue"), 401)


def test_many_concurrent_claimers_never_hold_the_same_report(committed_engine):
    """16 threads, each its own connection and transactions, claim until the queue is empty."""
    settings = Settings(claim_max_count=5)
    registry = default_registry()
    with Session(committed_engine) as s:
        volunteer = create_account(s, username="concurrency-vol", password="correct horse", role="volunteer",
                                   username_field="username")
        for i in range(60):
            submit_report(s, volunteer=volunteer, body=report_body(**{"place.name": f"동시성 {i}"}),
                          registry=registry, settings=settings)
        mods = [create_account(s, username=f"concurrency-mod-{i}", password="correct horse", role="moderator",
                               username_field="username") for i in range(16)]
        s.commit()
        mod_ids = [m.id for m in mods]

    claimed: list[tuple[int, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(mod_ids))
    errors: list[BaseException] = []

    def work(mod_id: int) -> None:
        try:
            barrier.wait()
            while True:
                with Session(committed_engine) as s:
                    from accounts.models import Account

                    me = s.get(Account, mod_id)
                    got = [r.id for r in claim_reports(s, moderator=me, count=3, settings=settings).reports]
                    s.commit()
                if not got:
                    return
                with lock:
                    claimed.extend((rid, mod_id) for rid in got)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(m,)) for m in mod_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    counts = Counter(rid for rid, _ in claimed)
    assert len(counts) == 60, "every report was claimed"
    assert max(counts.values()) == 1, [rid for rid, n in counts.items() if n > 1]
    assert len({m for _, m in claimed}) > 1, "the work was shared"
    with committed_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, claimed_by_id FROM reports")).all()
    assert {r.id: r.claimed_by_id for r in rows} == {rid: m for rid, m in claimed}
