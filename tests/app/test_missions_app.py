"""The volunteer app's "toilets to check near you" in Chromium: the missions near the phone (a
listed toilet nobody has checked, a published toilet verified long ago, both with hostile names
and addresses) shown as text, in Korean and English, axe-clean; taking the listed one opens a
report about that place, and the report sent is linked to the mission and its record; the same
by keyboard only at 200 % zoom."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from missions.service import sweep_missions
from tests.app.helpers import ZOOMED_PHONE, assert_accessible, assert_clean, log_in
from tests.browser import tab_to
from tests.app.test_volunteer_app import layout_problems, rows
from tests.factories import CITY_HALL, report_body
from tests.hostile_text import assert_inert, hostile, watch
from toilets.service import create_toilet

pytestmark = pytest.mark.browser

GAP_NAME, GAP_ADDRESS = hostile("listed name", 1), hostile("listed address", 2)
OLD_NAME = hostile("ageing toilet", 3)


def _world(engine, settings) -> None:
    with Session(engine) as db:
        toilet = create_toilet(db, payload=report_body(**{"place.name": OLD_NAME, "location.lat": CITY_HALL[1] + 0.0004}),
                               report_id=None, review_id=None)
        db.execute(text("UPDATE toilets SET last_verified_at = now() - interval '15 months' WHERE id = :id"),
                   {"id": toilet.id})
        db.execute(text(
            "INSERT INTO reference_toilets (management_no, name, raw, district_code, disabled_stalls, road_address, "
            "location) VALUES ('M-1', :name, '{}', '11140', 1, :address, "
            "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"),
            {"name": GAP_NAME, "address": GAP_ADDRESS, "lon": CITY_HALL[0] + 0.0002, "lat": CITY_HALL[1]})
        sweep_missions(db, settings=settings)
        db.commit()


def test_missions_near_the_phone_are_shown_as_text_taken_and_reported(phone, live_server, committed_engine, settings):
    pg = phone
    _world(committed_engine, settings)
    watch(pg.context)
    log_in(pg, live_server)
    pg.get_by_role("link", name="근처 확인 요청").click()
    pg.get_by_role("heading", name="근처 확인이 필요한 화장실").wait_for()
    pg.get_by_role("button", name="내 위치 근처에서 찾기").click()
    pg.locator("li.mission").nth(1).wait_for()
    assert pg.locator("li.mission").count() == 2
    gap = pg.locator("li.mission-gap")
    assert "장애인 칸 1개" in gap.inner_text() and "18 m 거리" in gap.inner_text()
    assert "다시 확인 필요: 마지막 확인" in pg.locator("li.mission-reverify").inner_text()
    assert_inert(pg, [GAP_NAME, GAP_ADDRESS, OLD_NAME], where="the missions near the phone")
    assert_accessible(pg, "the missions (Korean)")
    pg.locator("#lang-toggle").click()
    pg.get_by_role("button", name="Find near my location").click()
    pg.get_by_role("heading", name="Toilets to check near you").wait_for()
    pg.locator("li.mission-gap").filter(has_text="Listed public toilet nobody has checked").wait_for()
    assert_inert(pg, [GAP_NAME, OLD_NAME], where="the missions in English")
    assert_accessible(pg, "the missions (English)")
    pg.locator("#lang-toggle").click()
    pg.get_by_role("button", name="내 위치 근처에서 찾기").click()

    gap = pg.locator("li.mission-gap")
    gap.get_by_role("button", name="맡아서 제보하기").click()
    pg.locator(".mission-banner").wait_for()
    assert pg.get_by_label("화장실 이름").input_value() == GAP_NAME
    assert pg.locator("[name='place.road_address']").input_value() == GAP_ADDRESS
    assert_inert(pg, [GAP_NAME], where="the report opened from a mission")
    assert_accessible(pg, "the report opened from a mission")
    for _ in range(4):
        pg.locator("button.next").click()
    pg.locator("button.send").click()
    pg.get_by_role("heading", name="보냈습니다").wait_for()
    (mission,) = rows(committed_engine, "SELECT m.status, m.report_id, r.reference_record_id, m.reference_toilet_id "
                      "FROM missions m JOIN reports r ON r.id = m.report_id")
    assert mission.status == "reported" and mission.reference_record_id == mission.reference_toilet_id
    pg.get_by_role("link", name="근처 확인 요청").click()
    pg.get_by_role("button", name="내 위치 근처에서 찾기").click()
    pg.locator("li.mission-gap").filter(has_text="제보함: 검수 대기").wait_for()
    assert_clean(pg)


def test_missions_by_keyboard_only_at_200_percent_zoom(browser, live_server, committed_engine, settings):
    from tests.browser import guarded_context

    _world(committed_engine, settings)
    context = guarded_context(browser, live_server, **ZOOMED_PHONE,
                              geolocation={"longitude": CITY_HALL[0], "latitude": CITY_HALL[1], "accuracy": 30},
                              permissions=["geolocation"])
    pg = context.new_page()
    pg.set_default_timeout(15000)
    try:
        log_in(pg, live_server)
        pg.keyboard.press("Escape")
        pg.evaluate("document.activeElement.blur()")
        tab_to(pg, "a[href='#/missions']")
        pg.keyboard.press("Enter")
        pg.get_by_role("heading", name="근처 확인이 필요한 화장실").wait_for()
        assert pg.evaluate("document.activeElement.tagName") == "H1"
        tab_to(pg, "button.find")
        pg.keyboard.press("Enter")
        pg.locator("li.mission").nth(1).wait_for()
        assert layout_problems(pg) == {"overflow": 0, "small": []}
        assert_accessible(pg, "the missions at 200 % zoom")
        tab_to(pg, "li.mission-reverify button.take")
        pg.keyboard.press("Enter")
        pg.locator(".mission-banner").filter(has_text=OLD_NAME).wait_for()
        (mission,) = rows(committed_engine, "SELECT status FROM missions WHERE kind = 'reverify'")
        assert mission.status == "taken"
        assert layout_problems(pg) == {"overflow": 0, "small": []}
        assert context.outside_requests == []
    finally:
        context.close()
