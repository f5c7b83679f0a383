"""Issue 12 item 1 (API): the campaign, the dashboard's tables and their CSV, the final report."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import text

from office.service import today_kst
from tests.factories import count_rows, join_and_login, login, make_account
from tests.moderation.helpers import assert_error_shape, claim_one, decide, submit


NO_ROUTE = {"access_route.path": None, "access_route.obstacles": []}


@pytest.fixture
def admin(client, db):
    return login(client, make_account(db, "admin"), "correct horse")


def _reference(db, number: str, district: str, toilet_id=None, stalls=1):
    db.execute(text(
        "INSERT INTO reference_toilets (management_no, name, raw, district_code, disabled_stalls, match_status, "
        "candidate_toilet_id, location) VALUES (:n, :name, '{}', :d, :s, :m, :t, "
        "ST_SetSRID(ST_MakePoint(126.978, 37.5665), 4326))"),
        {"n": number, "name": f"공중화장실 {number}", "d": district, "s": stalls,
         "m": "matched" if toilet_id else "none", "t": toilet_id})


@pytest.fixture
def campaign_world(client, db, admin):
    """Organisation A (target 4) with two volunteers, one volunteer without an organisation; three
    reports in 중구: one approved (published), one rejected, one queued; two reference records in
    중구, one matched to the published toilet."""
    org = client.post("/api/v1/organisations", json={"code": "ORG-A", "name": "=HYPERLINK(\"x\")",
                                                     "participant_target": 4}, headers=admin).json()
    v1 = join_and_login(client, organisation_code="ORG-A")
    join_and_login(client, organisation_code="ORG-A", age_band="60_plus")
    v3 = join_and_login(client)
    partner = client.post("/api/v1/partners", json={"name": "검수사"}, headers=admin).json()
    mod_name = make_account(db, "moderator")
    mod = login(client, mod_name, "correct horse")
    mod_id = client.get("/api/v1/me", headers=mod).json()["id"]
    client.put(f"/api/v1/partners/{partner['id']}/moderators/{mod_id}", headers=admin)
    approved, _ = submit(client, v1)
    claim_one(client, mod, approved)
    toilet = decide(client, mod, approved, action="approve").json()["toilet_id"]
    rejected, _ = submit(client, v1, **{"location.lon": 126.9790, "place.name": "다른 화장실", **NO_ROUTE})
    claim_one(client, mod, rejected)
    decide(client, mod, rejected, action="reject", reason_code="duplicate")
    submit(client, v3, **{"location.lon": 126.9770, "place.name": "셋째 화장실", **NO_ROUTE})
    _reference(db, "R1", "11140", toilet)
    _reference(db, "R2", "11140")
    return {"org": org, "toilet": toilet}


def _table(body, key):
    return body["tables"][key]["rows"]


def test_campaign_is_set_with_organisation_targets_and_audited(client, db, admin):
    org = client.post("/api/v1/organisations", json={"code": "ORG-B", "name": "단체 B"}, headers=admin).json()
    assert client.get("/api/v1/office/campaign", headers=admin).json()["campaign"] is None
    start = today_kst() - timedelta(days=9)
    body = {"name": "2023 휠체어도 가는 화장실", "starts_on": str(start), "ends_on": str(start + timedelta(days=99)),
            "participant_target": 3000, "organisation_targets": [{"organisation_id": org["id"],
                                                                   "participant_target": 150}]}
    r = client.put("/api/v1/office/campaign", json=body, headers=admin)
    assert r.status_code == 200, r.text
    state = r.json()
    assert state["campaign"]["participant_target"] == 3000
    assert state["days"] == {"total": 100, "elapsed": 10, "left": 90}
    assert state["organisations"][0]["participant_target"] == 150
    client.put("/api/v1/office/campaign", json={**body, "participant_target": 3500}, headers=admin)
    details = db.execute(text("SELECT detail FROM audit_log WHERE action = 'campaign.update' ORDER BY id")).scalars()
    assert [d["changed"].get("participant_target") for d in details] == [[None, 3000], [3000, 3500]]


def test_the_demo_opens_on_a_campaign_with_targets(client, db, settings):
    """After `scripts/run` the office sees participants against a target, not an empty campaign."""
    from demo.loader import load_demo

    load_demo(db, settings=settings, report_count=6)
    admin = login(client, "admin", "admin-demo-pass")
    state = client.get("/api/v1/office/campaign", headers=admin).json()
    assert state["campaign"]["participant_target"] == 3000 and "데모" in state["campaign"]["name"]
    assert state["days"] == {"total": 100, "elapsed": 11, "left": 89}
    targets = {o["code"]: o["participant_target"] for o in state["organisations"]}
    assert targets == {"SNU-SSC": 1000, "SEOUL-VC": 1500, "SWCA": 500}
    body = client.get("/api/v1/office/dashboard", headers=admin).json()
    assert body["range"]["from"] == str(today_kst() - timedelta(days=10)) and body["range"]["to"] == str(today_kst())
    orgs = {row["code"]: row for row in _table(body, "organisations")}
    assert orgs["SEOUL-VC"]["target"] == 1500 and orgs["SEOUL-VC"]["target_share"] == round(
        orgs["SEOUL-VC"]["volunteers"] / 1500, 4)
    assert sum(row["reports"] for row in _table(body, "organisations")) == count_rows(db, "reports")
    assert db.execute(text("SELECT count(*) FROM audit_log WHERE action = 'campaign.update'")).scalar_one() == 1
    load_demo(db, settings=settings)  # loaded already: the campaign is left as it is
    assert db.execute(text("SELECT count(*) FROM audit_log WHERE action = 'campaign.update'")).scalar_one() == 1


@pytest.mark.parametrize("change, path", [
    ({"ends_on": "2023-08-01"}, "ends_on"),            # before the start
    ({"ends_on": "2026-01-01"}, "ends_on"),            # longer than two years
    ({"participant_target": 0}, "participant_target"),
    ({"name": ""}, "name"),
    ({"organisation_targets": [{"organisation_id": 4242, "participant_target": 1}]}, "organisation_targets"),
])
def test_bad_campaigns_are_refused_and_change_nothing(client, db, admin, change, path):
    body = {"name": "캠페인", "starts_on": "2023-09-01", "ends_on": "2023-12-09", "participant_target": 3000,
            **change}
    err = assert_error_shape(client.put("/api/v1/office/campaign", json=body, headers=admin), 422)
    assert err["fields"] and err["fields"][0]["path"].split(".")[0] == path, err
    assert err["fields"][0]["message_ko"] and err["fields"][0]["message_en"]
    assert count_rows(db, "campaigns") == 0


def test_dashboard_counts(client, db, admin, campaign_world):
    r = client.get("/api/v1/office/dashboard", headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    orgs = {row["code"]: row for row in _table(body, "organisations")}
    assert orgs["ORG-A"] | {} == {**orgs["ORG-A"], "target": 4, "volunteers": 2, "target_share": 0.5,
                                  "reporting": 1, "reports": 2, "verified": 1}
    assert orgs[None]["volunteers"] == 1 and orgs[None]["reports"] == 1 and orgs[None]["verified"] == 0
    bands = {row["age_band"]: row for row in _table(body, "age_bands")}
    assert bands["30s"]["volunteers"] == 2 and bands["60_plus"] == {"age_band": "60_plus", "volunteers": 1,
                                                                    "reporting": 0, "reports": 0}
    days = _table(body, "per_day")
    assert len(days) == body["range"]["days"] == 30 and days[-1]["day"] == str(today_kst())
    assert days[-1] | {} == {"day": str(today_kst()), "reports": 3, "verified": 1, "published": 1}
    jung = next(row for row in _table(body, "districts") if row["code"] == "11140")
    assert {k: jung[k] for k in ("reports", "verified", "published", "active", "accessible", "reference",
                                 "reference_matched", "coverage")} == {
        "reports": 3, "verified": 1, "published": 1, "active": 1, "accessible": jung["accessible"],
        "reference": 2, "reference_matched": 1, "coverage": 0.5}
    assert len(_table(body, "districts")) == 25
    backlog = _table(body, "backlog")
    assert backlog[0]["partner"].startswith("(배정 전") and backlog[0]["queued"] == 1
    assert backlog[0]["oldest_hours"] >= 0
    verdicts = _table(body, "verdicts")
    assert [v["verdict"] for v in verdicts] == ["accessible", "partially_accessible", "not_accessible", "unknown"]
    assert sum(v["toilets"] for v in verdicts) == 1
    columns = body["tables"]["districts"]["columns"]
    assert all(c["label_ko"] and c["label_en"] for c in columns)


def test_a_range_before_the_reports_counts_none(client, admin, campaign_world):
    r = client.get("/api/v1/office/dashboard", params={"from": "2023-09-01", "to": "2023-12-09"}, headers=admin)
    body = r.json()
    assert body["range"] == {"from": "2023-09-01", "to": "2023-12-09", "days": 100}
    assert sum(d["reports"] for d in _table(body, "per_day")) == 0
    assert sum(d["reports"] for d in _table(body, "districts")) == 0
    assert sum(d["active"] for d in _table(body, "districts")) == 1  # a state, not a count in the range


def test_csv_downloads_are_utf8_without_bom_and_neutralised(client, admin, campaign_world):
    r = client.get("/api/v1/office/tables/organisations.csv", headers=admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert not r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    assert rows[0] == ["code", "name", "target", "volunteers", "target_share", "reporting", "reports", "verified"]
    assert rows[1][:3] == ["ORG-A", "'=HYPERLINK(\"x\")", "4"]
    districts = list(csv.DictReader(io.StringIO(client.get("/api/v1/office/tables/districts.csv",
                                                             headers=admin).text)))
    assert len(districts) == 25 and next(d for d in districts if d["code"] == "11140")["name_ko"] == "중구"
    assert_error_shape(client.get("/api/v1/office/tables/nope.csv", headers=admin), 404)  # names no table


def test_final_report_and_its_csv(client, admin, campaign_world):
    today = str(today_kst())
    r = client.get("/api/v1/office/report", params={"from": today, "to": today}, headers=admin)
    assert r.status_code == 200, r.text
    totals = r.json()["totals"]
    assert totals | {} == {**totals, "volunteers": 3, "reporting": 2, "reports": 3, "verified": 1, "published": 1,
                           "reference": 2, "reference_matched": 1, "coverage": 0.5}
    assert set(r.json()["tables"]) == {"districts", "organisations"}
    text_csv = client.get("/api/v1/office/report.csv", params={"from": today, "to": today}, headers=admin).text
    lines = text_csv.splitlines()
    assert lines[1] == f"range,{today},{today}"
    sections = {line.split(",")[0] for line in lines if line}
    assert sections == {"section", "range", "totals", "districts", "organisations"}
    assert "'=HYPERLINK" in text_csv and ',=HYPERLINK' not in text_csv


@pytest.mark.parametrize("params, path", [
    ({"from": "2023-12-09", "to": "2023-09-01"}, "to"),
    ({"from": "2020-01-01", "to": "2023-01-01"}, "to"),
    ({"from": "1999-12-31", "to": "2000-01-02"}, "from"),
    ({"from": "2023-13-01"}, "from"),
    ({"to": "not a date"}, "to"),
])
@pytest.mark.parametrize("url", ["/api/v1/office/dashboard", "/api/v1/office/report", "/api/v1/office/report.csv",
                                 "/api/v1/office/tables/districts.csv"])
def test_bad_ranges_are_bilingual_422s(client, admin, params, path, url):
    err = assert_error_shape(client.get(url, params=params, headers=admin), 422)
    assert err["fields"][0]["path"].split(".")[-1] == path
    assert err["fields"][0]["message_ko"] and err["fields"][0]["message_en"]
