"""Issue 12 item 2: organisations (code, name, target), partners and their moderators; decisions
count per partner, and stay with the partner they were taken for."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import count_rows, login, make_account
from tests.moderation.helpers import assert_error_shape, claim_one, decide, submit


@pytest.fixture
def admin(client, db):
    return login(client, make_account(db, "admin"), "correct horse")


def _audit(db, action):
    return db.execute(text("SELECT detail FROM audit_log WHERE action = :a ORDER BY id"), {"a": action}).scalars().all()


def test_organisation_is_created_with_a_target_and_edited(client, db, admin):
    r = client.post("/api/v1/organisations", json={"code": "snu-ssc", "name": "서울대 사회봉사단",
                                                   "participant_target": 120}, headers=admin)
    assert r.status_code == 201, r.text
    org = r.json()
    assert org["code"] == "SNU-SSC" and org["participant_target"] == 120
    r = client.patch(f"/api/v1/organisations/{org['id']}", json={"name": "서울대학교 사회봉사단"}, headers=admin)
    assert r.status_code == 200 and r.json()["participant_target"] == 120  # unsent: unchanged
    r = client.patch(f"/api/v1/organisations/{org['id']}", json={"participant_target": None}, headers=admin)
    assert r.json() == {**org, "name": "서울대학교 사회봉사단", "participant_target": None}
    changes = [d["changed"] for d in _audit(db, "organisation.update")]
    assert changes == [{"name": ["서울대 사회봉사단", "서울대학교 사회봉사단"]}, {"participant_target": [120, None]}]
    # an edit that changes nothing leaves no audit entry
    client.patch(f"/api/v1/organisations/{org['id']}", json={"participant_target": None}, headers=admin)
    assert len(_audit(db, "organisation.update")) == 2


@pytest.mark.parametrize("body, path, status", [
    ({"participant_target": -1}, "participant_target", 422),
    ({"participant_target": 1_000_001}, "participant_target", 422),
    ({"name": ""}, "name", 422),
    ({"name": "x" * 201}, "name", 422),
    ({"code": "NEW"}, "code", 422),  # the code never changes
])
def test_bad_organisation_edits_are_refused_in_both_languages(client, db, admin, body, path, status):
    org = client.post("/api/v1/organisations", json={"code": "ORG-1", "name": "단체"}, headers=admin).json()
    r = client.patch(f"/api/v1/organisations/{org['id']}", json=body, headers=admin)
    err = assert_error_shape(r, status)
    assert [f["path"].split(".")[-1] for f in err["fields"]] == [path]
    assert db.execute(text("SELECT name, participant_target FROM organisations")).one() == ("단체", None)


def test_unknown_organisation_is_404(client, admin):
    assert_error_shape(client.patch("/api/v1/organisations/999", json={"name": "x"}, headers=admin), 404,
                       "organisation_not_found")


def test_partner_moderators_and_decisions_per_partner(client, db, admin):
    a = client.post("/api/v1/partners", json={"name": "라벨링 주식회사"}, headers=admin).json()
    b = client.post("/api/v1/partners", json={"name": "검수 협동조합"}, headers=admin).json()
    assert a["moderators"] == [] and a["decisions"] == 0
    mod_name = make_account(db, "moderator", "mod-kim")
    mod = login(client, mod_name, "correct horse")
    mod_id = client.get("/api/v1/me", headers=mod).json()["id"]
    r = client.put(f"/api/v1/partners/{a['id']}/moderators/{mod_id}", headers=admin)
    assert r.status_code == 200 and [m["username"] for m in r.json()["moderators"]] == ["mod-kim"]
    for _ in range(2):  # two decisions for partner a
        report_id, _ = submit(client)
        claim_one(client, mod, report_id)
        assert decide(client, mod, report_id, action="reject", reason_code="duplicate").status_code == 200
    # the moderator moves to b; one more decision, for b
    client.put(f"/api/v1/partners/{b['id']}/moderators/{mod_id}", headers=admin)
    report_id, _ = submit(client)
    claim_one(client, mod, report_id)
    decide(client, mod, report_id, action="reject", reason_code="duplicate")
    listed = {p["name"]: p for p in client.get("/api/v1/partners", headers=admin).json()}
    assert listed["라벨링 주식회사"]["decisions"] == 2 and listed["라벨링 주식회사"]["moderators"] == []
    assert listed["검수 협동조합"]["decisions"] == 1
    assert [m["id"] for m in listed["검수 협동조합"]["moderators"]] == [mod_id]
    accounts = {a["id"]: a for a in client.get("/api/v1/accounts", headers=admin).json()}
    assert accounts[mod_id]["partner_id"] == b["id"]
    moved = _audit(db, "partner.add_moderator")
    assert [d["from_partner_id"] for d in moved] == [None, a["id"]]
    r = client.delete(f"/api/v1/partners/{b['id']}/moderators/{mod_id}", headers=admin)
    assert r.json()["moderators"] == [] and r.json()["decisions"] == 1
    assert_error_shape(client.delete(f"/api/v1/partners/{b['id']}/moderators/{mod_id}", headers=admin), 409,
                       "moderator_not_in_partner")


def test_only_moderators_belong_to_a_partner(client, db, admin):
    p = client.post("/api/v1/partners", json={"name": "기관"}, headers=admin).json()
    exp_id = db.execute(text("SELECT id FROM accounts WHERE username = :u"),
                        {"u": make_account(db, "exporter")}).scalar_one()
    err = assert_error_shape(client.put(f"/api/v1/partners/{p['id']}/moderators/{exp_id}", headers=admin), 422,
                             "not_a_moderator")
    assert err["fields"][0]["message_ko"] and err["fields"][0]["message_en"]
    # and the schema says so too
    with pytest.raises(Exception, match="partner_only_for_moderators"), db.begin_nested():
        db.execute(text("UPDATE accounts SET partner_id = :p WHERE id = :i"), {"p": p["id"], "i": exp_id})
    before = count_rows(db, "accounts")
    r = client.post("/api/v1/accounts", json={"username": "exp-2", "password": "correct horse", "role": "exporter",
                                              "partner_id": p["id"]}, headers=admin)
    assert_error_shape(r, 422, "not_a_moderator")
    r = client.post("/api/v1/accounts", json={"username": "mod-2", "password": "correct horse", "role": "moderator",
                                              "partner_id": 99999}, headers=admin)
    assert_error_shape(r, 422, "unknown_partner")
    assert count_rows(db, "accounts") == before
    r = client.post("/api/v1/accounts", json={"username": "mod-3", "password": "correct horse", "role": "moderator",
                                              "partner_id": p["id"]}, headers=admin)
    assert r.status_code == 201 and r.json()["partner_id"] == p["id"]


def test_partner_names_are_unique_and_checked(client, db, admin):
    p = client.post("/api/v1/partners", json={"name": "기관 가"}, headers=admin).json()
    client.post("/api/v1/partners", json={"name": "기관 나"}, headers=admin)
    assert_error_shape(client.post("/api/v1/partners", json={"name": "기관 가"}, headers=admin), 409, "partner_exists")
    assert_error_shape(client.patch(f"/api/v1/partners/{p['id']}", json={"name": "기관 나"}, headers=admin), 409,
                       "partner_exists")
    assert_error_shape(client.post("/api/v1/partners", json={"name": ""}, headers=admin), 422)
    assert_error_shape(client.patch("/api/v1/partners/424242", json={"name": "x"}, headers=admin), 404,
                       "partner_not_found")
    r = client.patch(f"/api/v1/partners/{p['id']}", json={"name": "기관 다"}, headers=admin)
    assert r.status_code == 200 and r.json()["name"] == "기관 다"
    assert count_rows(db, "partners") == 2
