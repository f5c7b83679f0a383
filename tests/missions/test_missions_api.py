"""Issue 12 item 6: missions. The sweep opens one per gap and per ageing toilet (and only one);
a volunteer sees those near them, takes one, and links the report that checks it; the moderator
sees the report as an update (the listed record, the toilet to merge into); publishing it
finishes the mission and re-verifies the toilet; the office counts them per district."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from sqlalchemy import text

from missions.service import sweep_missions
from tests.factories import join_and_login, login, make_account, report_body_v2
from tests.moderation.helpers import assert_error_shape, claim_one, decide, moderator, submit

CITY_HALL = (126.978, 37.5665)


def _record(db, number: str, name: str, *, stalls: int = 1, point: tuple[float, float] | None = CITY_HALL,
            district: str = "11140") -> int:
    return db.execute(text(
        "INSERT INTO reference_toilets (management_no, name, raw, district_code, disabled_stalls, road_address, "
        "lot_address, opening_hours, location) VALUES (:n, :name, '{}', :d, :s, '서울특별시 중구 세종대로 110', "
        "'서울특별시 중구 태평로1가 31', '09:00~18:00', CASE WHEN CAST(:lon AS float8) IS NULL THEN NULL "
        "ELSE ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) END) RETURNING id"),
        {"n": number, "name": name, "d": district, "s": stalls, "lon": point and point[0],
         "lat": point and point[1]}).scalar_one()


def _published(client, mod) -> str:
    report_id, _ = submit(client)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve")
    assert r.status_code == 200, r.text
    return r.json()["toilet_id"]


def _age(db, toilet_id: str, months: int = 14) -> None:
    db.execute(text("UPDATE toilets SET last_verified_at = now() - make_interval(months => :m) WHERE id = :id"),
               {"id": toilet_id, "m": months})


def _nearby(client, headers, **params):
    r = client.get("/api/v1/missions/nearby", params={"lon": CITY_HALL[0], "lat": CITY_HALL[1], **params},
                   headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _missions(db) -> list[dict]:
    return [dict(r) for r in db.execute(text(
        "SELECT id, kind, status, reference_toilet_id, toilet_id::text AS toilet_id, report_id FROM missions "
        "ORDER BY id")).mappings()]


def test_the_sweep_opens_one_mission_per_gap_and_ageing_toilet_and_is_idempotent(client, db, settings):
    mod = moderator(db, client)
    fresh = _published(client, mod)
    old = _published(client, mod)
    _age(db, old)
    gap = _record(db, "G1", "정동 공중화장실")
    _record(db, "G2", "장애인 칸 없음", stalls=0)                         # no stall: no mission
    covered = _record(db, "G3", "시청 화장실")
    db.execute(text("UPDATE reference_toilets SET match_status = 'matched', candidate_toilet_id = :t WHERE id = :id"),
               {"t": fresh, "id": covered})                               # matched to an active toilet
    first = sweep_missions(db, settings=settings)
    assert first["opened_gaps"] == 1 and first["opened_reverify"] == 1
    assert {(m["kind"], m["reference_toilet_id"] or m["toilet_id"]) for m in _missions(db)} == {
        ("gap", gap), ("reverify", old)}
    again = sweep_missions(db, settings=settings)
    assert again["opened_gaps"] == again["opened_reverify"] == 0 and len(_missions(db)) == 2
    # the toilet re-verified by someone else and the record matched: both missions closed, none reopened
    db.execute(text("UPDATE toilets SET last_verified_at = now() WHERE id = :id"), {"id": old})
    db.execute(text("UPDATE reference_toilets SET match_status = 'matched', candidate_toilet_id = :t WHERE id = :id"),
               {"t": fresh, "id": gap})
    closed = sweep_missions(db, settings=settings)
    assert closed["closed_gaps"] == 1 and closed["closed_reverify"] == 1 and closed["opened_gaps"] == 0
    assert {m["status"] for m in _missions(db)} == {"closed"}


def test_a_gap_mission_is_taken_reported_and_done_and_the_moderator_sees_its_record(client, db, settings):
    record = _record(db, "G1", "=HYPERLINK(\"x\")<script>alert(1)</script>")
    no_point = _record(db, "G9", "좌표 없는 화장실", point=None)
    sweep_missions(db, settings=settings)
    me, other = join_and_login(client), join_and_login(client)
    near = _nearby(client, me)
    assert near["district_code"] == "11140"
    [item] = near["items"]
    assert item["kind"] == "gap" and item["status"] == "open" and item["mine"] is False
    assert item["name"].startswith("=HYPERLINK") and item["management_no"] == "G1" and item["distance_m"] == 0
    assert item["road_address"] == "서울특별시 중구 세종대로 110" and item["disabled_stalls"] == 1
    assert [m["management_no"] for m in near["in_district"]] == ["G9"] and near["in_district"][0]["lon"] is None
    mission_id = item["id"]

    r = client.post(f"/api/v1/missions/{mission_id}/take", headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "taken" and r.json()["mine"] is True and r.json()["held_until"]
    assert client.post(f"/api/v1/missions/{mission_id}/take", headers=me).status_code == 200  # renews the hold
    assert_error_shape(client.post(f"/api/v1/missions/{mission_id}/take", headers=other), 409, "mission_taken")
    assert [m["id"] for m in _nearby(client, other)["items"]] == []        # someone else's: not offered
    assert _nearby(client, me)["items"][0]["mine"] is True

    report_id, _ = submit(client, me)
    r = client.post(f"/api/v1/missions/{mission_id}/report", json={"report_id": report_id}, headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "reported"
    assert db.execute(text("SELECT reference_record_id FROM reports WHERE id = :r"), {"r": report_id}).scalar() == record
    again = client.post(f"/api/v1/missions/{mission_id}/report", json={"report_id": report_id}, headers=me)
    assert again.status_code == 200 and again.json()["status"] == "reported"

    mod = moderator(db, client)
    claimed = claim_one(client, mod, report_id)
    assert claimed["reference"]["management_no"] == "G1" and claimed["reference"]["via_mission"] is True
    assert claimed["reference"]["road_address"] == "서울특별시 중구 세종대로 110"
    toilet_id = decide(client, mod, report_id, action="approve").json()["toilet_id"]
    [done] = [m for m in _missions(db) if m["id"] == mission_id]
    assert done["status"] == "done" and done["toilet_id"] == toilet_id
    # publishing matched the record to the toilet (reference.person): no new mission opens
    assert sweep_missions(db, settings=settings)["opened_gaps"] == 0
    assert {m["reference_toilet_id"] for m in _missions(db)} == {record, no_point}


def test_a_reverify_mission_needs_a_report_naming_the_toilet_and_re_verifies_it(client, db, settings):
    mod = moderator(db, client)
    toilet_id = _published(client, mod)
    _age(db, toilet_id)
    before = client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]
    assert before["verified_age"]["ageing"] is True
    sweep_missions(db, settings=settings)
    me = join_and_login(client)
    [item] = _nearby(client, me)["items"]
    assert item["kind"] == "reverify" and item["toilet_id"] == toilet_id
    assert item["verified_on"] == before["verified_age"]["verified_on"]
    assert client.get(f"/api/v1/missions/{item['id']}", headers=me).json()["name"] == "서울시청 본관 1층 장애인 화장실"

    unrelated, _ = submit(client, me)
    err = assert_error_shape(client.post(f"/api/v1/missions/{item['id']}/report", json={"report_id": unrelated},
                                         headers=me), 422, "invalid_mission_report")
    assert err["fields"][0]["path"] == "report_id"
    r = client.post("/api/v1/reports", json=report_body_v2(**{"place.existing_toilet_id": toilet_id}), headers=me)
    assert r.status_code == 201, r.text
    report_id = r.json()["id"]
    r = client.post(f"/api/v1/missions/{item['id']}/report", json={"report_id": report_id}, headers=me)
    assert r.status_code == 200 and r.json()["status"] == "reported" and r.json()["mine"] is True

    claim_one(client, mod, unrelated)
    assert decide(client, mod, unrelated, action="reject", reason_code="duplicate").status_code == 200
    claimed = claim_one(client, mod, report_id)
    assert claimed["suggested_decision"]["action"] == "merge" and claimed["suggested_decision"]["toilet_id"] == toilet_id
    review = decide(client, mod, report_id, action="merge").json()["review"]["id"]
    second = moderator(db, client)
    assert client.post(f"/api/v1/moderation/reviews/{review}/second-review", json={"outcome": "confirm"},
                       headers=second).status_code == 200
    assert [m["status"] for m in _missions(db)] == ["done"]
    after = client.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]
    assert datetime.fromisoformat(after["last_verified_at"]) > datetime.fromisoformat(before["last_verified_at"])
    assert after["verified_age"]["ageing"] is False and after["verified_age"]["months"] == 0
    assert sweep_missions(db, settings=settings)["opened_reverify"] == 0


def test_a_rejected_report_reopens_its_mission_and_an_expired_hold_is_released(client, db, settings):
    _record(db, "G1", "정동 공중화장실")
    sweep_missions(db, settings=settings)
    me, other = join_and_login(client), join_and_login(client)
    mission_id = _nearby(client, me)["items"][0]["id"]
    report_id, _ = submit(client, me)
    assert client.post(f"/api/v1/missions/{mission_id}/report", json={"report_id": report_id},
                       headers=me).status_code == 200
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    assert decide(client, mod, report_id, action="reject", reason_code="duplicate").status_code == 200
    assert sweep_missions(db, settings=settings)["reopened"] == 1
    assert _nearby(client, other)["items"][0]["status"] == "open"
    assert client.post(f"/api/v1/missions/{mission_id}/take", headers=other).status_code == 200
    db.execute(text("UPDATE missions SET taken_at = now() - interval '73 hours'"))
    assert client.post(f"/api/v1/missions/{mission_id}/take", headers=me).status_code == 200  # the hold ran out
    db.execute(text("UPDATE missions SET taken_at = now() - interval '73 hours'"))
    assert sweep_missions(db, settings=settings)["released"] == 1


def test_the_office_sees_missions_per_district_as_a_table_and_csv(client, db, settings):
    _record(db, "G1", "정동 공중화장실")
    _record(db, "G2", "=cmd|' /C calc'!A0", point=(127.0276, 37.4979), district="11680")
    sweep_missions(db, settings=settings)
    me = join_and_login(client)
    mission_id = _nearby(client, me)["items"][0]["id"]
    client.post(f"/api/v1/missions/{mission_id}/take", headers=me)
    admin = login(client, make_account(db, "admin"), "correct horse")
    table = client.get("/api/v1/office/dashboard", headers=admin).json()["tables"]["missions"]
    rows = {r["code"]: r for r in table["rows"]}
    assert len(rows) == 25 and rows["11140"]["taken"] == 1 and rows["11140"]["open_gap"] == 0
    assert rows["11680"]["open_gap"] == 1 and rows["11110"]["open_gap"] == 0
    r = client.get("/api/v1/office/tables/missions.csv", headers=admin)
    assert r.status_code == 200 and not r.content.startswith(b"\xef\xbb\xbf")
    got = {row["code"]: row for row in csv.DictReader(io.StringIO(r.content.decode("utf-8")))}
    assert got["11680"]["open_gap"] == "1" and got["11140"]["taken"] == "1"


@pytest.mark.parametrize("params, path", [({"lon": 500, "lat": 37.5}, "lon"), ({"lon": 126.9, "lat": "abc"}, "lat"),
                                          ({"lon": 126.9, "lat": 37.5, "radius_m": 0}, "radius_m"),
                                          ({"lat": 37.5}, "lon")])
def test_bad_nearby_queries_are_bilingual_422s(client, params, path):
    err = assert_error_shape(client.get("/api/v1/missions/nearby", params=params, headers=join_and_login(client)), 422)
    assert err["fields"][0]["path"].split(".")[-1] == path


def test_missions_are_for_logged_in_volunteers_and_bad_ids_and_bodies_are_refused(client, db, settings):
    _record(db, "G1", "정동 공중화장실")
    sweep_missions(db, settings=settings)
    params = {"lon": CITY_HALL[0], "lat": CITY_HALL[1]}
    assert_error_shape(client.get("/api/v1/missions/nearby", params=params), 401)
    admin = login(client, make_account(db, "admin"), "correct horse")
    assert_error_shape(client.get("/api/v1/missions/nearby", params=params, headers=admin), 403)
    me = join_and_login(client)
    mission_id = _nearby(client, me)["items"][0]["id"]
    assert_error_shape(client.post("/api/v1/missions/999999/take", headers=me), 404, "mission_not_found")
    assert_error_shape(client.post("/api/v1/missions/0/take", headers=me), 404)  # as every bad path id
    assert_error_shape(client.post(f"/api/v1/missions/{mission_id}/report", json={"report_id": 1, "x": 1},
                                   headers=me), 422)
    assert_error_shape(client.post(f"/api/v1/missions/{mission_id}/report", json={"report_id": "one"},
                                   headers=me), 422)
    someone_elses, _ = submit(client)
    assert_error_shape(client.post(f"/api/v1/missions/{mission_id}/report", json={"report_id": someone_elses},
                                   headers=me), 404, "report_not_found")
    db.execute(text("UPDATE missions SET status = 'closed', finished_at = now()"))
    assert_error_shape(client.post(f"/api/v1/missions/{mission_id}/take", headers=me), 409, "mission_finished")
