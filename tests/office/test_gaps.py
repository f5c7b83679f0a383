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
