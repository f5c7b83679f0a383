"""Issue 12 item 5: the gap list, per district, as a page and as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text

from tests.factories import login, make_account
from tests.moderation.helpers import assert_error_shape, claim_one, decide, submit


@pytest.fixture
def admin(client, db):
    return login(client, make_account(db, "admin"), "correct horse")


def _reference(db, number, name, district="11140", stalls=1, status="none", toilet=None, point=True):
    db.execute(text(
        "INSERT INTO reference_toilets (management_no, name, raw, district_code, disabled_stalls, match_status, "
        "candidate_toilet_id, location) VALUES (:n, :name, '{}', :d, :s, :m, :t, "
        "CASE WHEN :p THEN ST_SetSRID(ST_MakePoint(126.978, 37.5665), 4326) END)"),
        {"n": number, "name": name, "d": district, "s": stalls, "m": status, "t": toilet, "p": point})


def test_gaps_are_stalled_records_without_an_active_verified_match(client, db, admin):
    mod = login(client, make_account(db, "moderator"), "correct horse")
    report_id, _ = submit(client)
    claim_one(client, mod, report_id)
    toilet = decide(client, mod, report_id, action="approve").json()["toilet_id"]
    _reference(db, "A", "=cmd|' /C calc'!A0", stalls=2)                  # a gap (and a hostile name)
    _reference(db, "B", "시청 화장실", status="matched", toilet=toilet)      # covered
    _reference(db, "C", "애매한 곳", status="ambiguous", toilet=toilet)       # a gap: left for a person
    _reference(db, "D", "장애인 칸 없음", stalls=0)                           # no stall: not a gap
    _reference(db, "E", "좌표 없음", district="11110", point=False)          # a gap without a point
    body = client.get("/api/v1/office/gaps", headers=admin).json()
    assert body["total"] == 3
    assert [i["management_no"] for i in body["items"]] == ["E", "A", "C"]
    assert body["items"][0]["lon"] is None and body["items"][1]["lat"] == 37.5665
    per = {d["code"]: d for d in body["districts"]}
    assert len(per) == 25 and per["11140"]["with_stall"] == 3 and per["11140"]["gaps"] == 2
    assert per["11110"]["gaps"] == 1
    jung = client.get("/api/v1/office/gaps", params={"district": "중구"}, headers=admin).json()
    assert jung["total"] == 2 and {i["district_code"] for i in jung["items"]} == {"11140"}
    r = client.get("/api/v1/office/gaps.csv", params={"district": "11140"}, headers=admin)
    assert not r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))
    assert [row["management_no"] for row in rows] == ["A", "C"] and rows[0]["name"].startswith("'=cmd")
    # once the toilet it was matched to is retired, the covered record is a gap again
    db.execute(text("UPDATE toilets SET status = 'retired', retired_reason = '폐쇄'"))
    assert client.get("/api/v1/office/gaps", headers=admin).json()["total"] == 4


@pytest.mark.parametrize("params, path", [({"district": "강남"}, "district"), ({"page_size": 1001}, "page_size"),
                                          ({"page": 0}, "page")])
def test_bad_gap_queries_are_bilingual_422s(client, admin, params, path):
    err = assert_error_shape(client.get("/api/v1/office/gaps", params=params, headers=admin), 422)
    assert err["fields"][0]["path"].split(".")[-1] == path


def _ambiguous(db, number, toilets):
    """A record left ambiguous between `toilets` (its stored candidates, best first)."""
    _reference(db, number, "두 곳 사이", status="ambiguous", toilet=toilets[0])
    cands = [{"toilet_id": str(t), "name": f"후보 {i}", "method": "distance", "distance_m": 12.5 + i,
              "similarity": 0.4, "strong": True} for i, t in enumerate(toilets)]
    db.execute(text("UPDATE reference_toilets SET match_method = 'distance', match_candidates = CAST(:c AS jsonb) "
                    "WHERE management_no = :n"), {"c": __import__("json").dumps(cands), "n": number})


def test_the_office_resolves_an_ambiguous_record_by_hand(client, db, admin):
    mod = login(client, make_account(db, "moderator"), "correct horse")
    toilets = []
    for name in ("시청 화장실", "시청 별관 화장실"):
        report_id, _ = submit(client, **{"place.name": name})
        claim_one(client, mod, report_id)
        toilets.append(decide(client, mod, report_id, action="approve").json()["toilet_id"])
    _ambiguous(db, "AMB-1", toilets)
    page = client.get("/api/v1/office/gaps", headers=admin).json()
    item = next(i for i in page["items"] if i["management_no"] == "AMB-1")
    assert [c["toilet_id"] for c in item["candidates"]] == toilets and item["candidates"][1]["distance_m"] == 13.5

    r = client.post("/api/v1/office/reference/AMB-1/match", json={"toilet_id": toilets[1]}, headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["match_status"] == "matched" and body["match_method"] == "person" and body["toilet_id"] == toilets[1]
    admin_id = db.execute(text("SELECT id FROM accounts WHERE role = 'admin'")).scalar_one()
    assert body["matched_by_id"] == admin_id
    # no longer a gap, and audited with the match it replaced
    assert all(i["management_no"] != "AMB-1" for i in client.get("/api/v1/office/gaps", headers=admin).json()["items"])
    audit = db.execute(text("SELECT actor_id, detail FROM audit_log WHERE action = 'reference.match' "
                            "AND object_id = 'AMB-1'")).one()
    assert audit.actor_id == admin_id and audit.detail["before"]["status"] == "ambiguous"
    assert audit.detail["toilet_id"] == toilets[1] and audit.detail["review_id"] is None
    # re-matching leaves the office's match alone while the toilet is active
    from core.config import get_settings
    from reference.matching import match_references
    match_references(db, settings=get_settings(), scope="r.management_no = 'AMB-1'")
    assert db.execute(text("SELECT match_method, candidate_toilet_id::text FROM reference_toilets "
                           "WHERE management_no = 'AMB-1'")).one() == ("person", toilets[1])


def test_resolving_by_hand_refuses_what_it_cannot_do_and_changes_nothing(client, db, admin):
    mod = login(client, make_account(db, "moderator"), "correct horse")
    report_id, _ = submit(client)
    claim_one(client, mod, report_id)
    toilet = decide(client, mod, report_id, action="approve").json()["toilet_id"]
    _ambiguous(db, "AMB-2", [toilet])
    before = db.execute(text("SELECT * FROM reference_toilets")).all()
    audits = db.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    url = "/api/v1/office/reference/AMB-2/match"
    # unknown record: 404, bilingual
    err = assert_error_shape(client.post("/api/v1/office/reference/NOPE/match", json={"toilet_id": toilet},
                                         headers=admin), 404)
    assert "management number" in err["message_en"]
    # a toilet that is not published, a retired one, a malformed one, extra fields, no body
    missing = "00000000-0000-4000-8000-000000000000"
    for body, path in [({"toilet_id": missing}, "toilet_id"), ({"toilet_id": "=cmd|calc"}, "toilet_id"),
                       ({"toilet_id": toilet, "extra": 1}, "extra"), ({}, "toilet_id")]:
        err = assert_error_shape(client.post(url, json=body, headers=admin), 422)
        assert err["fields"][0]["path"].split(".")[-1] == path, (body, err)
    # a path that is not text (NUL, a lone surrogate) or too long: a clear 4xx, never a 500
    for bad in ("A%00B", "%ED%A0%80", "x" * 65):
        r = client.post(f"/api/v1/office/reference/{bad}/match", json={"toilet_id": toilet}, headers=admin)
        assert r.status_code in (404, 422) and r.json()["message_en"], (bad, r.status_code, r.text)
    # not an admin: the moderator is refused, no one logged in too
    assert client.post(url, json={"toilet_id": toilet}, headers=mod).status_code == 403
    assert client.post(url, json={"toilet_id": toilet}).status_code == 401
    db.execute(text("UPDATE toilets SET status = 'retired', retired_reason = '폐쇄'"))
    err = assert_error_shape(client.post(url, json={"toilet_id": toilet}, headers=admin), 422)
    assert err["fields"][0]["path"].endswith("toilet_id") and "retired" in err["fields"][0]["message_en"]
    db.execute(text("UPDATE toilets SET status = 'active', retired_reason = NULL"))
    assert db.execute(text("SELECT * FROM reference_toilets")).all() == before
    assert db.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == audits
