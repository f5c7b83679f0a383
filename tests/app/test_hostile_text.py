"""The volunteer app with hostile text, in Chromium: a hostile nickname, a report with every
free-text field hostile sent back with a hostile moderator's message, a hostile published
toilet nearby and a hostile pending report. My reports, the fix (every step's inputs), the
review, the nearby choice and the sent page's duplicates: nothing may run or become markup,
every text must be shown as written, and no CSP violation may happen."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from accounts.service import create_account
from tests.factories import CITY_HALL, report_body
from tests.hostile_text import SHORT, assert_inert, hostile, report_fields, watch
from toilets.service import create_toilet

pytestmark = pytest.mark.browser
PASSWORD = "wheel chair 2023"


def _login(http, name: str) -> dict[str, str]:
    r = http.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_volunteer_app_shows_hostile_text_as_text(phone, live_server, committed_engine):
    pg = phone
    nickname, toilet_fields = SHORT[0], report_fields("toilet", 3)
    with Session(committed_engine) as db:
        create_toilet(db, payload=report_body(**toilet_fields, **{"location.lat": CITY_HALL[1] + 0.000108}),
                      report_id=None, review_id=None)
        create_account(db, username="app-hostile-mod", password=PASSWORD, role="moderator", username_field="username")
        db.commit()
    fields = report_fields("mine", 0)
    obstacle_note, message = hostile("obstacle note", 4), hostile("moderator message", 5)
    with httpx.Client(base_url=live_server) as http:
        for name in (nickname, SHORT[2]):
            assert http.post("/api/v1/volunteers", json={"nickname": name, "password": PASSWORD,
                                                         "age_band": "60_plus"}).status_code == 201
        body = report_body(**fields)
        body["access_route"]["obstacles"][0]["note"] = obstacle_note
        report_id = http.post("/api/v1/reports", json=body, headers=_login(http, nickname)).json()["id"]
        mod = _login(http, "app-hostile-mod")
        assert http.post("/api/v1/moderation/claims", json={"count": 1}, headers=mod).status_code == 200
        r = http.post(f"/api/v1/moderation/reports/{report_id}/decision", headers=mod,
                      json={"action": "request_changes", "message": message})
        assert r.status_code == 200, r.text
        pending_fields = report_fields("pending", 6)
        r = http.post("/api/v1/reports", json=report_body(**pending_fields), headers=_login(http, SHORT[2]))
        assert r.status_code == 201, r.text

    watch(pg.context)
    pg.goto(f"{live_server}/app")
    pg.get_by_label("닉네임").fill(nickname)
    pg.get_by_label("비밀번호").fill(PASSWORD)
    pg.get_by_role("button", name="로그인").click()
    pg.locator("#locate-status").filter(has_text="위치를 찾았습니다").wait_for()
    assert_inert(pg, [nickname], where="/app after login")

    pg.get_by_role("link", name="내 제보").click()
    card = pg.locator(f".report[data-report-id='{report_id}']")
    card.filter(has_text="수정 요청 받음").wait_for()
    assert_inert(pg, [fields["place.name"], message], where="my reports")

    card.get_by_role("button", name="고쳐서 다시 보내기").click()
    pg.locator(".notice").filter(has_text=f"제보 #{report_id}").wait_for()
    assert_inert(pg, [message], where="fixing a report")
    pg.get_by_role("button", name="2 장소").click()
    assert pg.get_by_label("화장실 이름").input_value() == fields["place.name"]
    for path in ("place.building_name", "place.road_address", "place.lot_address", "place.location_detail",
                 "place.opening_hours"):
        assert pg.locator(f"[name='{path}']").input_value() == fields[path], path
    assert_inert(pg, where="the place step")

    choice = pg.get_by_role("radio", name=f"예, 이 화장실입니다: {toilet_fields['place.name']} (12 m)")
    choice.wait_for()
    assert_inert(pg, [toilet_fields["place.name"]], where="the nearby toilets of the place step")
    choice.check()
    pg.get_by_role("button", name="6 확인하고 보내기").click()
    assert pg.locator("[name='notes']").input_value() == fields["notes"]
    review = [v for k, v in fields.items() if k != "notes"] + [obstacle_note, toilet_fields["place.name"]]
    assert_inert(pg, review, where="review, with the chosen nearby toilet")

    pg.get_by_role("button", name="고친 제보 보내기").click()
    pg.get_by_role("heading", name="보냈습니다").wait_for()
    assert_inert(pg, [f"{toilet_fields['place.name']}: 12 m", pending_fields["place.name"]],
                 where="sent, with possible duplicates")
    assert pg.outside_requests == []
