"""The office's counts kept on write (migration 0015's triggers) against the same tables computed
straight from the rows (tests/office/direct_tables.py, the statements before 0015).

Random worlds built through the API (reports submitted, approved, merged, rejected, sent back and
revised, merges waiting for a second review then confirmed or overturned, toilets retired), then
moved about in SQL the way only an operator would (timestamps on both sides of a Seoul midnight
over several days, a report's district, a volunteer's organisation, a toilet retired, a report
deleted): after each step every table read through the counts equals the direct one, for ranges
that start, end or fall between those midnights."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from office import gaps
from office.service import DateRange, table_rows, today_kst
from tests.factories import join_and_login, login, make_account
from tests.moderation.helpers import claim_one, decide, submit
from tests.office.direct_tables import DIRECT, GAP_IDS_DIRECT, GAPS_BY_DISTRICT_DIRECT

NO_ROUTE = {"access_route.path": None, "access_route.obstacles": []}
KST_MIDNIGHT_UTC = 15  # 00:00 in Seoul is 15:00 UTC the day before


def _admin(client, db):
    return login(client, make_account(db, "admin"), "correct horse")


def _moderators(client, db, admin):
    partner = client.post("/api/v1/partners", json={"name": "검수 협력"}, headers=admin).json()
    heads = []
    for _ in range(2):
        name = make_account(db, "moderator")
        head = login(client, name, "correct horse")
        client.put(f"/api/v1/partners/{partner['id']}/moderators/{client.get('/api/v1/me', headers=head).json()['id']}",
                   headers=admin)
        heads.append(head)
    return heads


def _volunteers(client, admin, rng):
    for code in ("ORG-X", "ORG-Y"):
        client.post("/api/v1/organisations", json={"code": code, "name": f"단체 {code}", "participant_target": 3},
                    headers=admin)
    bands = [None, "20s", "30s", "60_plus"]
    return [join_and_login(client, **({"organisation_code": rng.choice(["ORG-X", "ORG-Y"])} if rng.random() < 0.7
                                      else {}), **({"age_band": b} if (b := rng.choice(bands)) else {}))
            for _ in range(4)]


def _one_report(client, rng, a, b, volunteers, toilets, n, fate):
    """Submit one report and take it to `fate` through moderation; the published toilets grow.
    The queue hands out the oldest report first: the ones left queued or claimed come last."""
    fields = {"location.lon": 126.9700 + n * 0.0011, "place.name": f"화장실 {n} 번", **NO_ROUTE}
    report_id, _ = submit(client, rng.choice(volunteers), **fields)
    if fate == "queued":
        return "queued"
    claim_one(client, a, report_id)
    if fate == "claimed":
        return "claimed"
    if fate == "merge" and not toilets:
        fate = "approve"
    if fate == "revise":
        assert decide(client, a, report_id, action="request_changes", message="문 폭을 다시 재 주세요").status_code == 200
        volunteer = next(v for v in volunteers
                         if client.get(f"/api/v1/reports/{report_id}", headers=v).status_code == 200)
        from tests.factories import report_body
        r = client.post(f"/api/v1/reports/{report_id}/revisions", json=report_body(**fields), headers=volunteer)
        assert r.status_code == 201, r.text
        claim_one(client, a, report_id)
        fate = "approve"
    if fate == "reject":
        assert decide(client, a, report_id, action="reject", reason_code="duplicate").status_code == 200
    elif fate == "approve":
        r = decide(client, a, report_id, action="approve")
        assert r.status_code == 200, r.text
        if r.json().get("toilet_id"):
            toilets.append(r.json()["toilet_id"])
    else:
        r = decide(client, a, report_id, action="merge", merge_into=rng.choice(toilets),
                   **{"edits": {"place.opening_hours": f"0{n % 9}:00~22:00"}})
        assert r.status_code == 200, r.text
        review = r.json()["review"]
        if review["status"] == "pending" and rng.random() < 0.7:
            outcome = rng.choice(["confirm", "confirm", "overturn"])
            r = client.post(f"/api/v1/moderation/reviews/{review['id']}/second-review",
                            json={"outcome": outcome, **({"comment": "아님"} if outcome == "overturn" else {})},
                            headers=b)
            assert r.status_code == 200, r.text
            if outcome == "overturn":  # back in the queue: someone rejects it
                claim_one(client, a, report_id)
                assert decide(client, a, report_id, action="reject", reason_code="other",
                              comment="다시 봄").status_code == 200
    return fate


def _retire(client, rng, a, b, toilets):
    toilet = toilets.pop(rng.randrange(len(toilets)))
    r = client.post(f"/api/v1/moderation/toilets/{toilet}/retire", json={"reason": "철거"}, headers=a)
    assert r.status_code == 200, r.text
    review = r.json()["review"]
    if review["status"] == "pending":
        assert client.post(f"/api/v1/moderation/reviews/{review['id']}/second-review", json={"outcome": "confirm"},
                           headers=b).status_code == 200


def _around_midnights(db, rng, days: list[date]):
    """Move every report, review and toilet to a random time within a second of a Seoul midnight
    of one of `days` (before or after it)."""
    def moment():
        d = rng.choice(days)
        midnight = datetime(d.year, d.month, d.day, tzinfo=timezone.utc) - timedelta(hours=24 - KST_MIDNIGHT_UTC)
        return midnight + timedelta(microseconds=rng.choice([-1, 0, 1, -999_999, 500_000]))
    for table, column in (("reports", "submitted_at"), ("reviews", "created_at"), ("toilets", "created_at")):
        for (row_id,) in db.execute(text(f"SELECT id FROM {table} ORDER BY id")).all():
            if rng.random() < 0.8:
                db.execute(text(f"UPDATE {table} SET {column} = :t WHERE id = :id"), {"t": moment(), "id": row_id})


def _operator_edits(db):
    """What the application never does but an operator might: the counts must follow."""
    db.execute(text("UPDATE reports SET district_code = '11110' WHERE id = (SELECT min(id) FROM reports)"))
    db.execute(text("UPDATE accounts SET organisation_id = NULL, age_band = '40s' WHERE id = "
                    "(SELECT min(id) FROM accounts WHERE role = 'volunteer' AND organisation_id IS NOT NULL)"))
    db.execute(text("UPDATE toilets SET district_code = '11680', verdict = 'unknown' WHERE id = "
                    "(SELECT id FROM toilets WHERE status = 'active' ORDER BY id LIMIT 1)"))
    db.execute(text("UPDATE reports SET volunteer_id = (SELECT max(volunteer_id) FROM reports) "
                    "WHERE id = (SELECT max(id) FROM reports)"))
    db.execute(text("DELETE FROM reports WHERE id = (SELECT min(r.id) FROM reports r WHERE r.status = 'queued' "
                    "AND NOT EXISTS (SELECT 1 FROM reviews rv WHERE rv.report_id = r.id) "
                    "AND NOT EXISTS (SELECT 1 FROM missions m WHERE m.report_id = r.id))"))


def _ranges(days: list[date]) -> list[DateRange]:
    first, last = min(days), max(days)
    return [DateRange(first - timedelta(days=1), last + timedelta(days=1)), DateRange(first, first),
            DateRange(last, last), DateRange(first + timedelta(days=1), last), DateRange(first, last - timedelta(days=1))]


def _assert_tables_match(db, days):
    for rng_ in _ranges(days):
        for key, direct in DIRECT.items():
            from office.tables import TABLES
            kept = table_rows(db, TABLES[key], rng_)
            straight = [dict(r) for r in db.execute(text(direct.sql), rng_.params).mappings()]
            assert kept == straight, (key, rng_)
    assert gaps.gaps_by_district(db) == [dict(r) for r in db.execute(text(GAPS_BY_DISTRICT_DIRECT)).mappings()]
    total, items = gaps.list_gaps(db, districts=(), offset=0, limit=1000)
    direct_ids = db.execute(text(GAP_IDS_DIRECT)).scalars().all()
    assert total == len(direct_ids)
    assert [i["management_no"] for i in items] == db.execute(text(
        "SELECT management_no FROM reference_toilets WHERE id = ANY(:ids) ORDER BY array_position(:ids, id)"),
        {"ids": direct_ids}).scalars().all()


def _counts(db):
    """The kept counts with the stripes summed and empty rows dropped (what a reader sees)."""
    return {t: db.execute(text(f"SELECT {k}, {v} FROM {t} GROUP BY {k} HAVING {h} ORDER BY {k}")).all()
            for t, k, v, h in (
                ("office_day_counts", "day, district_code", "sum(reports), sum(verified), sum(published)",
                 "sum(reports) <> 0 OR sum(verified) <> 0 OR sum(published) <> 0"),
                ("office_group_days", "day, organisation_id, age_band", "sum(reports), sum(verified)",
                 "sum(reports) <> 0 OR sum(verified) <> 0"),
                ("office_volunteer_days", "volunteer_id, day", "sum(reports)", "sum(reports) <> 0"),
                ("office_toilet_counts", "district_code, verdict", "sum(active)", "sum(active) <> 0"))}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_kept_on_write_equal_the_tables_from_the_rows(client, db, seed):
    rng = random.Random(seed)
    admin = _admin(client, db)
    a, b = _moderators(client, db, admin)
    volunteers = _volunteers(client, admin, rng)
    toilets: list[str] = []
    fates = sorted((rng.choice(["approve", "approve", "reject", "revise", "merge", "merge", "queued", "claimed"])
                    for _ in range(14)), key=lambda f: {"claimed": 1, "queued": 2}.get(f, 0))
    fates = [_one_report(client, rng, a, b, volunteers, toilets, n, fate) for n, fate in enumerate(fates)]
    assert "merge" in fates or "approve" in fates, fates
    if len(toilets) > 1:
        _retire(client, rng, a, b, toilets)
    # Reference records: one matched to each published toilet (some since retired), some never.
    db.execute(text("""
        INSERT INTO reference_toilets (management_no, name, raw, district_code, disabled_stalls, match_status,
                                       candidate_toilet_id, location)
        SELECT 'R' || n, '공중화장실 ' || n, '{}', '11140', n % 3, CASE WHEN t.id IS NULL THEN 'none' ELSE 'matched' END,
               t.id, ST_SetSRID(ST_MakePoint(126.978, 37.5665), 4326)
          FROM generate_series(1, 8) n
          LEFT JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM toilets) t ON t.k = n"""))
    today = today_kst()
    _assert_tables_match(db, [today])
    days = [today - timedelta(days=d) for d in (0, 1, 2, 3)]
    _around_midnights(db, rng, days)
    _assert_tables_match(db, days)
    _operator_edits(db)
    _assert_tables_match(db, days)
    # The backfill (migration 0015 runs it) finds what the triggers kept.
    kept = _counts(db)
    db.execute(text("SELECT office_counts_rebuild()"))
    assert _counts(db) == kept
    assert sum(row[2] for row in kept["office_day_counts"]) > 0  # reports were counted at all


def test_a_report_verified_by_a_confirmed_second_review_counts_on_the_decision_day(client, db):
    """A merge waits for its second review: not verified until confirmed, then on the day of the
    first decision (the review's own time), as before 0015."""
    admin = _admin(client, db)
    a, b = _moderators(client, db, admin)
    first, volunteer = submit(client)
    claim_one(client, a, first)
    toilet = decide(client, a, first, action="approve").json()["toilet_id"]
    second, _ = submit(client, volunteer, **{"toilet.seat_height_cm": 45})
    claim_one(client, a, second)
    review = decide(client, a, second, action="merge", merge_into=toilet).json()["review"]
    yesterday = today_kst() - timedelta(days=1)
    db.execute(text("UPDATE reviews SET created_at = created_at - interval '1 day' WHERE id = :id"),
               {"id": review["id"]})
    from office.tables import TABLES
    days = DateRange(yesterday, today_kst())

    def verified():
        return {r["day"]: r["verified"] for r in table_rows(db, TABLES["per_day"], days)}
    assert verified() == {str(yesterday): 0, str(today_kst()): 1}
    client.post(f"/api/v1/moderation/reviews/{review['id']}/second-review", json={"outcome": "confirm"}, headers=b)
    assert verified() == {str(yesterday): 1, str(today_kst()): 1}
    _assert_tables_match(db, [yesterday, today_kst()])


def test_two_writers_of_one_stripe_never_deadlock(committed_engine):
    """Two transactions on backends of the same stripe write counts in opposite key orders (a
    decision's review, then its toilet, against another decision's): without migration 0017's
    stripe lock PostgreSQL ended one with "deadlock detected" (bench/moderation saw it); with it the
    second waits for the first and both commit, every delta counted once."""
    import threading

    import psycopg

    url = committed_engine.url.render_as_string(hide_password=False).replace("postgresql+psycopg", "postgresql")
    # two connections whose backends share a stripe (pid mod 8): among nine, two must
    conns = []
    while True:
        conn = psycopg.connect(url)
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        twin = next((c for c in conns if c.info.backend_pid % 8 == pid % 8), None)
        if twin is not None:
            first, second = twin, conn
            break
        conns.append(conn)
    delta = "SELECT office_apply(ARRAY[ROW(DATE '2023-09-{0:02d}', '{1}', NULL, 1, 0, 0)]::office_delta[])"
    errors: list[BaseException] = []
    try:
        first.execute(delta.format(1, "11110"))            # first: (1 Sep, 종로구)
        waiting = threading.Event()

        def second_writer():
            try:
                waiting.set()
                second.execute(delta.format(1, "11140"))   # second: (1 Sep, 중구) ...
                second.execute(delta.format(1, "11110"))   # ... then first's row
                second.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                second.rollback()

        thread = threading.Thread(target=second_writer)
        thread.start()
        waiting.wait(5)
        time.sleep(0.5)                                     # second is now waiting (or holds 중구)
        first.execute(delta.format(1, "11140"))             # first wants 중구: the opposite order
        first.commit()
        thread.join(20)
        assert not thread.is_alive()
        assert errors == []
        with committed_engine.connect() as c:
            got = dict(c.execute(text("SELECT district_code, sum(reports) FROM office_day_counts "
                                      "WHERE day = DATE '2023-09-01' GROUP BY 1")).all())
        assert got == {"11110": 2, "11140": 2}
    finally:
        for c in [*conns, second]:
            c.close()
        with committed_engine.begin() as c:
            c.execute(text("DELETE FROM office_day_counts WHERE day = DATE '2023-09-01'"))
