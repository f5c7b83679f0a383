"""Issue 12 item 3: the audit-log browser (filters, paging, CSV), the account list's search, and
the events audited now: a volunteer joining, a snapshot made."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text

from office.service import today_kst
from tests.factories import join_and_login, login, make_account
from tests.moderation.helpers import assert_error_shape
from tests.workers import snapshot_via_api


@pytest.fixture
def admin(client, db):
    return login(client, make_account(db, "admin", "office-root"), "correct horse")


def _me(client, headers):
    return client.get("/api/v1/me", headers=headers).json()


def test_a_volunteer_joining_is_audited_as_themself(client, db, admin):
    vol = join_and_login(client, "새봉사자")
    me = _me(client, vol)
    r = client.get("/api/v1/office/audit", params={"action": "account.join"}, headers=admin).json()
    assert r["total"] == 1
    entry = r["items"][0]
    assert entry["actor_id"] == me["id"] and entry["actor"] == "새봉사자" and entry["object_id"] == str(me["id"])
    assert entry["detail"] == {"username": "새봉사자", "organisation_id": None, "age_band": "30s"}


def test_a_snapshot_is_audited(client, db, connection, settings, admin):
    exp = login(client, make_account(db, "exporter", "map-team"), "correct horse")
    job, snap = snapshot_via_api(client, exp, {}, connection=connection, settings=settings)  # a job since 14.3
    assert snap is not None, job
    r = client.get("/api/v1/office/audit", params={"action": "export.snapshot"}, headers=admin).json()
    assert [(e["actor"], e["object_type"], e["object_id"]) for e in r["items"]] == [
        ("map-team", "snapshot", snap["id"])]
    assert r["items"][0]["detail"]["layer"] == "toilets"


def test_filters_paging_and_csv(client, db, admin):
    ids = []
    for i in range(3):
        vol = join_and_login(client, f"paged-{i}")
        ids.append(_me(client, vol)["id"])
    r = client.post(f"/api/v1/accounts/{ids[0]}/deactivate", json={"reason": "=HYPERLINK(\"http://x\")"},
                    headers=admin)
    assert r.status_code == 200
    everything = client.get("/api/v1/office/audit", headers=admin).json()
    assert everything["total"] == 4  # 3 joins, 1 deactivation (the factory's accounts are made unaudited)
    page1 = client.get("/api/v1/office/audit", params={"page_size": 2}, headers=admin).json()
    page2 = client.get("/api/v1/office/audit", params={"page_size": 2, "page": 2}, headers=admin).json()
    assert page1["total"] == 4 and len(page1["items"]) == 2
    assert [e["id"] for e in page1["items"] + page2["items"]] == [e["id"] for e in everything["items"]][:4]
    assert page1["items"][0]["action"] == "account.deactivate"  # newest first
    by_who = client.get("/api/v1/office/audit", params={"who": "OFFICE-ROOT"}, headers=admin).json()
    assert [e["action"] for e in by_who["items"]] == ["account.deactivate"]
    prefix = client.get("/api/v1/office/audit", params={"action": "account."}, headers=admin).json()
    assert prefix["total"] == 4
    obj = client.get("/api/v1/office/audit", params={"object_type": "account", "object_id": str(ids[0])},
                     headers=admin).json()
    assert [e["action"] for e in obj["items"]] == ["account.deactivate", "account.join"]
    today = str(today_kst())
    assert client.get("/api/v1/office/audit", params={"from": today, "to": today},
                      headers=admin).json()["total"] == 4
    assert client.get("/api/v1/office/audit", params={"to": "2020-01-01"}, headers=admin).json()["total"] == 0
    r = client.get("/api/v1/office/audit.csv", params={"action": "account."}, headers=admin)
    assert r.status_code == 200 and not r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))
    assert len(rows) == 4 and rows[0]["reason"] == "'=HYPERLINK(\"http://x\")"
    assert rows[0]["at"].endswith("+09:00") and rows[0]["actor"] == "office-root"


@pytest.mark.parametrize("params, path", [
    ({"from": "2023-12-09", "to": "2023-09-01"}, "to"),
    ({"from": "1999-01-01"}, "from"),
    ({"to": "someday"}, "to"),
    ({"page": 0}, "page"),
    ({"page_size": 201}, "page_size"),
    ({"action": "x" * 65}, "action"),
])
@pytest.mark.parametrize("url", ["/api/v1/office/audit", "/api/v1/office/audit.csv"])
def test_bad_audit_filters_are_bilingual_422s(client, admin, params, path, url):
    if url.endswith(".csv") and path.startswith("page"):
        return  # the CSV has no pages
    err = assert_error_shape(client.get(url, params=params, headers=admin), 422)
    assert err["fields"][0]["path"].split(".")[-1] == path


def test_account_search(client, db, admin):
    join_and_login(client, "Wheel-Kim")
    join_and_login(client, "wheel_lee")
    make_account(db, "moderator", "wheel-mod")
    names = lambda **p: [a["username"] for a in client.get("/api/v1/accounts", params=p, headers=admin).json()]  # noqa: E731
    assert names(q="WHEEL") == ["Wheel-Kim", "wheel_lee", "wheel-mod"]
    assert names(q="wheel", role="moderator") == ["wheel-mod"]
    assert names(q="_") == ["wheel_lee"]  # `_` is a character, not a wildcard
    assert names(q="wheel", page_size=1, page=2) == ["wheel_lee"]
    kim = next(a for a in client.get("/api/v1/accounts", params={"q": "kim"}, headers=admin).json())
    client.post(f"/api/v1/accounts/{kim['id']}/deactivate", json={}, headers=admin)
    assert names(q="wheel", active=False) == ["Wheel-Kim"]
    assert_error_shape(client.get("/api/v1/accounts", params={"role": "boss"}, headers=admin), 422)
    assert_error_shape(client.get("/api/v1/accounts", params={"q": "x" * 41}, headers=admin), 422)
    assert db.execute(text("SELECT count(*) FROM accounts")).scalar_one() == 4  # the refusals added none


@pytest.mark.parametrize("url, param", [("/api/v1/office/audit", "action"), ("/api/v1/office/audit.csv", "who"),
                                        ("/api/v1/office/audit", "object_id"), ("/api/v1/accounts", "q")])
def test_control_characters_in_filters_are_422s(client, admin, url, param):
    err = assert_error_shape(client.get(url, params={param: "a\x00b"}, headers=admin), 422)
    assert err["fields"][0]["path"].split(".")[-1] == param
