"""The moderator console with form v2 (Chromium, live server, committed database): a report
about a published toilet opens as a merge into it, the merge is compared field by field (the
published value with its version, the report's, a choice per field) and the choice is what is
published; likely duplicates are told apart from what is only nearby; names stay text; axe."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlalchemy.orm import Session

from accounts.service import create_account
from tests.browser import axe_violations
from tests.factories import CITY_HALL, report_body, report_body_v2
from tests.hostile_text import assert_inert, hostile, watch
from toilets.service import create_toilet

PASSWORD = "correct horse"
pytestmark = pytest.mark.browser


def _setup(engine, *, name: str):
    with Session(engine) as s:
        for who in ("v2-mod", "v2-mod2"):
            create_account(s, username=who, password=PASSWORD, role="moderator", username_field="username")
        toilet = create_toilet(s, payload=report_body(**{"place.name": name}), report_id=None, review_id=None)
        neighbour = create_toilet(s, payload=report_body(**{"place.name": "서울도서관 화장실", "place.building_name": "서울도서관",
                                                            "location.lat": CITY_HALL[1] + 0.00014}),
                                  report_id=None, review_id=None)
        s.commit()
        return str(toilet.id), str(neighbour.id)


def _login(http, username):
    token = http.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _volunteer(http):
    nickname = f"v{uuid.uuid4().hex[:8]}"
    assert http.post("/api/v1/volunteers", json={"nickname": nickname, "password": PASSWORD,
                                                 "age_band": "20s"}).status_code == 201
    return _login(http, nickname)


def test_a_report_about_a_published_toilet_is_merged_field_by_field(page, live_server, committed_engine):
    toilet_name = hostile("published toilet name", 1)
    toilet_id, neighbour_id = _setup(committed_engine, name=toilet_name)
    watch(page.context)
    with httpx.Client(base_url=live_server) as http:
        body = report_body_v2(**{"place.name": "시청 장애인 화장실", "place.existing_toilet_id": toilet_id,
                                 "toilet.door_clear_width_cm": 85, "toilet.emergency_bell": None,
                                 "toilet.grab_bar_height_cm": 65})
        r = http.post("/api/v1/reports", json=body, headers=_volunteer(http))
        assert r.status_code == 201, r.text
        report_id = r.json()["id"]

        page.goto(f"{live_server}/moderate")
        page.get_by_label("아이디").fill("v2-mod")
        page.get_by_label("비밀번호").fill(PASSWORD)
        page.get_by_role("button", name="로그인 Log in").click()
        page.get_by_role("button", name="가져오기 Claim").click()
        page.locator(f"#claims button[data-report-id='{report_id}']").click()
        page.get_by_role("heading", name=f"제보 Report #{report_id}").wait_for()

        # the volunteer's answer: merge into that toilet, pre-selected
        page.locator(".suggestion").filter(has_text="Merge is pre-selected").wait_for()
        expect(page.get_by_label("기존 화장실에 병합 Merge into a published toilet")).to_be_checked()
        expect(page.locator("#merge-into")).to_have_value(toilet_id)
        # the named toilet is a likely duplicate (the volunteer said so); the library next door is only nearby
        page.locator("#candidates li.likely").filter(has_text="봉사자가 이 화장실이라고 함").wait_for()
        assert page.locator("#candidates li.nearby").filter(has_text="서울도서관 화장실").count() == 1

        # field by field: the door (published 100, v1) against the report's 85; the bell the report left unknown
        table = page.locator("#merge-preview table")
        table.wait_for()
        door = table.locator("tr").filter(has_text="출입문 유효폭")
        assert "100" in door.inner_text() and "v1" in door.inner_text() and "85" in door.inner_text()
        bell = table.locator("tr").filter(has_text="비상벨").first
        assert bell.locator("select").input_value() == "published"  # unknown in the report: kept
        assert_inert(page, [toilet_name], where="the merge preview")
        assert axe_violations(page) == []
        door.locator("select").select_option("published")  # keep the measured 100 cm
        page.get_by_role("button", name="결정 보내기 Submit decision").click()
        page.locator("#status").filter(has_text="2차 검토 대기").wait_for()

        review = http.get("/api/v1/moderation/reviews", headers=_login(http, "v2-mod2")).json()["items"][0]
        assert review["field_choices"] == {"toilet.door_clear_width_cm": "published"}
        r = http.post(f"/api/v1/moderation/reviews/{review['id']}/second-review", json={"outcome": "confirm"},
                      headers=_login(http, "v2-mod2"))
        assert r.status_code == 200, r.text
    with committed_engine.connect() as conn:
        data = conn.execute(text("SELECT data FROM toilets WHERE id = :t"), {"t": toilet_id}).scalar_one()
    assert data["toilet"]["door_clear_width_cm"] == 100 and data["toilet"]["emergency_bell"] == "reachable_from_floor"
    assert data["toilet"]["grab_bar_height_cm"] == 65
