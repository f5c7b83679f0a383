"""Form v2 in the volunteer app (Chromium, emulated phone, live server, real PostGIS): bounds on
measurements, "is it a toilet already on the map?", `/app/?toilet=<id>` opening a report about a
published toilet (through a log-in too), and hostile text in every place those show up."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.app.helpers import assert_accessible, assert_clean, fill_place, log_in, next_step, nickname
from tests.factories import CITY_HALL, report_body
from tests.hostile_text import assert_inert, report_fields, watch
from toilets.service import create_toilet

pytestmark = pytest.mark.browser
NEAR = {"location.lat": CITY_HALL[1] + 0.000108}  # about 12 m north of City Hall


def _publish(engine, **overrides) -> str:
    with Session(engine) as db:
        toilet = create_toilet(db, payload=report_body(**{**NEAR, **overrides}), report_id=None, review_id=None)
        db.commit()
        return str(toilet.id)


def _payloads(engine):
    with engine.connect() as conn:
        return [r.payload for r in conn.execute(text("SELECT payload FROM reports ORDER BY id"))]


def _send(pg):
    pg.get_by_role("button", name="6 확인하고 보내기").click()
    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.get_by_role("heading", name="보냈습니다").wait_for()


def test_a_measurement_with_a_bound_is_sent_and_a_bound_without_a_value_is_stopped(phone, live_server,
                                                                                   committed_engine):
    pg = phone
    log_in(pg, live_server)
    next_step(pg, "장소")
    fill_place(pg)
    pg.get_by_role("button", name="4 화장실").click()
    door = pg.locator("#f-toilet-door_clear_width_cm_bound")
    assert door.get_by_role("radio", name="정확히 잰 값").is_checked()  # exact unless said otherwise
    # a bound with no number: said at the field before anything is sent
    door.get_by_role("radio", name="이 값 이상").check()
    pg.get_by_role("button", name="다음 →").click()
    err = pg.locator("#f-toilet-door_clear_width_cm-err")
    err.filter(has_text="값도 적어 주세요").wait_for()
    assert pg.locator("#f-toilet-door_clear_width_cm").get_attribute("aria-invalid") == "true"
    assert_accessible(pg, "a bound without its value")
    pg.get_by_label("출입문 유효폭 (cm)").fill("90")
    pg.get_by_label("손잡이 높이 (cm)").fill("65")
    pg.locator("#f-toilet-washbasin_knee_clearance_cm_bound").get_by_role("radio", name="이 값 이하").check()
    pg.get_by_label("세면대 아래 무릎 공간 높이 (cm)").fill("60")
    assert_accessible(pg, "the toilet step with bounds")
    next_step(pg, "사진")
    next_step(pg, "확인하고 보내기")
    review = pg.locator(".review").inner_text()
    assert "이 값 이상" in review and "65 cm" in review
    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.get_by_role("heading", name="보냈습니다").wait_for()
    (payload,) = _payloads(committed_engine)
    toilet = payload["toilet"]
    assert (toilet["door_clear_width_cm"], toilet["door_clear_width_cm_bound"]) == (90, "at_least")
    assert (toilet["washbasin_knee_clearance_cm"], toilet["washbasin_knee_clearance_cm_bound"]) == (60, "at_most")
    assert toilet["grab_bar_height_cm"] == 65 and toilet["grab_bar_height_cm_bound"] is None
    assert toilet["threshold_height_cm"] is None and toilet["threshold_height_cm_bound"] is None
    assert_clean(pg)


def test_the_finder_link_opens_a_report_about_that_toilet_through_the_log_in(phone, live_server, committed_engine):
    """`/app/?toilet=<id>` before logging in: after the log-in the form opens at the place step,
    filled from the published toilet and linked to it; the volunteer says it is gone; sent."""
    toilet_id = _publish(committed_engine, **{"place.name": "덕수궁 안내소 장애인 화장실",
                                              "place.road_address": "서울특별시 중구 세종대로 99"})
    name = nickname()
    assert httpx.post(f"{live_server}/api/v1/volunteers", json={"nickname": name, "password": "wheel chair 2023",
                                                               "age_band": "60_plus"}).status_code == 201
    pg = phone
    pg.goto(f"{live_server}/app/?toilet={toilet_id}")
    pg.get_by_label("닉네임").fill(name)
    pg.get_by_label("비밀번호").fill("wheel chair 2023")
    pg.get_by_role("button", name="로그인").click()
    pg.locator("#step-title").filter(has_text="장소").wait_for()
    assert "?toilet=" not in pg.url  # a reload does not start another report
    assert pg.get_by_label("화장실 이름").input_value() == "덕수궁 안내소 장애인 화장실"
    assert pg.get_by_label("도로명주소").input_value() == "서울특별시 중구 세종대로 99"
    linked = pg.get_by_role("radio", name="예, 이 화장실입니다: 덕수궁 안내소 장애인 화장실").first
    assert linked.is_checked()
    assert_accessible(pg, "a report opened for a published toilet")
    pg.locator("#f-place-existing_toilet_gone").get_by_role("radio", name="폐쇄됨 (문을 닫음)").check()
    _send(pg)
    (payload,) = _payloads(committed_engine)
    assert payload["place"]["existing_toilet_id"] == toilet_id and payload["place"]["existing_toilet_gone"] == "closed"
    assert payload["location"]["source"] == "map_pin"
    assert payload["location"]["lat"] == pytest.approx(CITY_HALL[1] + 0.000108)
    assert_clean(pg)


def test_an_unknown_toilet_link_starts_a_plain_report(phone, live_server, committed_engine):
    pg = phone
    log_in(pg, live_server)
    pg.goto(f"{live_server}/app/?toilet=00000000-0000-4000-8000-000000000000")
    pg.locator("#live-alert").filter(has_text="그 화장실을 찾을 수 없습니다").wait_for(state="attached")
    pg.locator("#step-title").filter(has_text="어디인가요").wait_for()  # the report in progress, nothing linked
    next_step(pg, "장소")
    assert pg.get_by_label("화장실 이름").input_value() == ""
    assert pg.get_by_role("radio", name="아니요, 새로 찾은 화장실입니다").is_checked()


def test_hostile_toilet_names_in_the_nearby_choice_and_the_link_are_text(phone, live_server, committed_engine):
    fields = report_fields("published", 2)
    toilet_id = _publish(committed_engine, **fields)
    pg = phone
    watch(pg.context)
    log_in(pg, live_server)
    pg.goto(f"{live_server}/app/?toilet={toilet_id}")
    pg.locator("#step-title").filter(has_text="장소").wait_for()
    # prefilled inputs hold the text as written; the nearby list and the linked choice show it as text
    for path in ("place.name", "place.building_name", "place.road_address", "place.lot_address",
                 "place.location_detail", "place.opening_hours"):
        assert pg.locator(f"[name='{path}']").input_value() == fields[path], path
    pg.get_by_role("radio", name=f"예, 이 화장실입니다: {fields['place.name']} (0 m)").wait_for()  # the form starts at its point
    assert_inert(pg, [fields["place.name"]], where="the place step of a linked report")
    assert_accessible(pg, "hostile names in the nearby choice")
    pg.get_by_role("button", name="6 확인하고 보내기").click()
    assert_inert(pg, [fields["place.name"], fields["place.road_address"]], where="the review of a linked report")
    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.get_by_role("heading", name="보냈습니다").wait_for()
    assert_inert(pg, where="sent")
    (payload,) = _payloads(committed_engine)
    assert payload["place"]["existing_toilet_id"] == toilet_id and payload["place"]["name"] == fields["place.name"]
