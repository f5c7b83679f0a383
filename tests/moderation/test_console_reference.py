"""The console's "공공 화장실 목록 · City's public toilet list" card, in Chromium: the record the
report checks with every field shown as text (hostile in each), its distance or that it has no
usable point, a mission's record marked as such; one button accepts its road and lot addresses
and opening hours into the edits, and approving ties the record to the published toilet."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from missions.service import sweep_missions
from reference.importer import import_reference
from tests.browser import axe_violations
from tests.factories import CITY_HALL, report_body
from tests.hostile_text import SHORT, assert_inert, hostile, watch
from tests.moderation.test_console_browser import _log_in_and_open_claimed as _open
from tests.moderation.test_console_hostile import _account, _volunteer
from tests.reference.helpers import csv_bytes, row

pytestmark = pytest.mark.browser


def _import(engine, settings, rows) -> None:
    with Session(engine) as s:
        import_reference(s, csv_bytes(rows), settings=settings, file_name="t.csv")
        s.commit()


def _record(engine, number: str):
    with Session(engine) as s:
        return s.execute(text("""
            SELECT r.match_status, r.match_method, r.candidate_toilet_id::text AS toilet_id, a.username
              FROM reference_toilets r LEFT JOIN accounts a ON a.id = r.matched_by_id
             WHERE r.management_no = :n"""), {"n": number}).one()


def test_the_card_shows_the_record_as_text_and_one_click_accepts_it_and_approval_ties_it(
        page, live_server, committed_engine, settings):
    number = SHORT[1]  # the key is city text too
    cells = {"구분": hostile("category", 0), "화장실명": hostile("name", 1), "소재지도로명주소": hostile("road", 2),
             "소재지지번주소": hostile("lot", 3), "관리기관명": hostile("manager", 4), "전화번호": hostile("phone", 5),
             "개방시간": hostile("opening", 6), "개방시간상세": hostile("hours", 0)}
    _import(committed_engine, settings, [row(number, WGS84위도="37.56632", WGS84경도="126.97792", **cells)])
    _account(committed_engine, "moderator", "console-ref")
    with httpx.Client(base_url=live_server) as http:
        r = http.post("/api/v1/reports", json=report_body(**{"place.opening_hours": None}),
                      headers=_volunteer(http, "ref-vol"))
        assert r.status_code == 201, r.text
        report_id = r.json()["id"]
    watch(page.context)
    _open(page, live_server, "console-ref", report_id)
    card = page.locator("#reference-card")
    card.get_by_role("heading", name="공공 화장실 목록 City's public toilet list").wait_for()
    card.locator("#reference-fields dd").first.wait_for()
    assert_inert(page, [number, *cells.values()], where="public toilet list card")
    assert card.locator("#reference-mission").is_hidden()
    assert "m from the report's point" in card.locator("#reference-distance").inner_text()
    assert "자치구 없는 주소 Address names no district" in card.inner_text()  # the flag, in the server's words
    assert "연결된 게시 화장실 없음 No published toilet matched" in card.inner_text()
    assert axe_violations(page) == []

    # one click: road, lot and hours land in the edit inputs (as text) and the record will be tied
    assert page.locator("#edit-place-opening_hours").input_value() == ""
    card.get_by_role("button", name="목록의 주소와 개방 시간 받아들이기 Accept the list's addresses and opening hours").click()
    assert page.locator("#edit-place-road_address").input_value() == cells["소재지도로명주소"]
    assert page.locator("#edit-place-lot_address").input_value() == cells["소재지지번주소"]
    assert page.locator("#edit-place-opening_hours").input_value() == cells["개방시간상세"]
    page.get_by_role("status").filter(has_text="공공 화장실 목록에서 채웠습니다: 도로명주소, 지번주소, 개방 시간").wait_for()
    assert card.get_by_label("승인·병합하면 이 기록을 게시 화장실과 연결").is_checked()
    assert axe_violations(page) == []
    assert_inert(page, where="after accepting")

    page.get_by_role("button", name="결정 보내기 Submit decision").click()
    page.get_by_role("status").filter(has_text="게시됨 Published").wait_for()
    with httpx.Client(base_url=live_server) as http:
        [feature] = http.get("/api/v1/toilets").json()["features"]
    place = feature["properties"]["place"]
    assert (place["road_address"], place["lot_address"], place["opening_hours"]) == (
        cells["소재지도로명주소"], cells["소재지지번주소"], cells["개방시간상세"])
    assert tuple(_record(committed_engine, number)) == ("matched", "person", feature["properties"]["id"], "console-ref")
    assert page.outside_requests == []


def test_a_missions_record_is_marked_and_tied_on_approval_without_the_button(
        page, live_server, committed_engine, settings):
    # a listed toilet without coordinates in 중구: a gap mission found by district, no distance
    _import(committed_engine, settings, [row("M-1", 화장실명="정동 공중화장실", WGS84위도="", WGS84경도="",
                                             소재지도로명주소="서울특별시 중구 정동길 1", 소재지지번주소="서울특별시 중구 정동 1")])
    with Session(committed_engine) as s:
        sweep_missions(s, settings=settings)
        s.commit()
    _account(committed_engine, "moderator", "console-ref2")
    with httpx.Client(base_url=live_server) as http:
        me = _volunteer(http, "ref-vol2")
        near = http.get("/api/v1/missions/nearby", params={"lon": CITY_HALL[0], "lat": CITY_HALL[1]}, headers=me)
        [mission] = near.json()["in_district"]
        assert http.post(f"/api/v1/missions/{mission['id']}/take", headers=me).status_code == 200
        report_id = http.post("/api/v1/reports", json=report_body(), headers=me).json()["id"]
        linked = http.post(f"/api/v1/missions/{mission['id']}/report", json={"report_id": report_id}, headers=me)
        assert linked.status_code == 200, linked.text
    _open(page, live_server, "console-ref2", report_id)
    card = page.locator("#reference-card")
    card.get_by_text("이 제보는 확인 요청으로 이 기록을 확인합니다 · A mission sent the volunteer to check this record").wait_for()
    assert card.locator("#reference-distance").inner_text() == (
        "쓸 수 있는 좌표가 없어 주소로 연결된 기록입니다 · No usable point: matched by address")
    assert card.locator("#reference-tie-field").is_hidden()  # tied anyway: nothing to tick
    assert axe_violations(page) == []
    page.get_by_role("button", name="결정 보내기 Submit decision").click()
    page.get_by_role("status").filter(has_text="게시됨 Published").wait_for()
    status, method, toilet_id, by = _record(committed_engine, "M-1")
    assert (status, method, by) == ("matched", "person", "console-ref2") and toilet_id
    assert page.outside_requests == []
