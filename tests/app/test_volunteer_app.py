"""The volunteer's app at /app in Debian's Chromium on an emulated phone (issue 5).

Each test goes through the page as a volunteer would (taps, typing, the GPS the browser
reports) against the live server and its real PostGIS database, runs axe-core on every step,
and writes the screenshots that docs/volunteer-app.md shows.
"""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import text

from tests.app.conftest import NEARBY, assert_accessible, assert_clean, jpeg_bytes, make_organisation, nickname, shoot
from tests.conftest import CITY_HALL

pytestmark = pytest.mark.browser

# A walk from the Sejong-daero entrance of City Hall to the toilet door (lon, lat).
WALK = [(126.97745, 37.56605), (126.97770, 37.56622), (126.97790, 37.56630)]


def wait_until(predicate, timeout: float = 15.0, what: str = "condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def rows(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def join(pg, live_server: str, name: str, organisation_code: str | None = None) -> None:
    pg.goto(f"{live_server}/app")
    pg.get_by_role("link", name="처음이세요? 가입하기").click()
    pg.get_by_label("닉네임").fill(name)
    pg.get_by_label("비밀번호").fill("wheel chair 2023")
    if organisation_code:
        pg.get_by_label("기관 코드 (선택)").fill(organisation_code)
    pg.get_by_role("radio", name="30대").check()


def log_in(pg, live_server: str) -> str:
    """Join through the API (quick), then log in through the page."""
    name = nickname()
    r = httpx.post(f"{live_server}/api/v1/volunteers", json={"nickname": name, "password": "wheel chair 2023",
                                                             "age_band": "60_plus"})
    assert r.status_code == 201, r.text
    pg.goto(f"{live_server}/app")
    pg.get_by_label("닉네임").fill(name)
    pg.get_by_label("비밀번호").fill("wheel chair 2023")
    pg.get_by_role("button", name="로그인").click()
    located(pg)
    return name


def located(pg) -> None:
    pg.locator("#locate-status").filter(has_text="위치를 찾았습니다").wait_for()


def next_step(pg, title: str) -> None:
    pg.get_by_role("button", name="다음 →").click()
    pg.locator("#step-title").filter(has_text=title).wait_for()


def fill_place(pg, name: str = "서울시청 본관 1층 장애인 화장실") -> None:
    pg.get_by_label("화장실 이름").fill(name)


def test_join_fill_every_step_attach_a_photo_and_send(phone, live_server, committed_engine):
    pg = phone
    code = make_organisation(committed_engine)
    name = nickname()
    join(pg, live_server, name, organisation_code=code)
    assert_accessible(pg, "join")
    shoot(pg, "01-join")
    pg.get_by_role("button", name="가입하기").click()

    # 1. Where: the phone's GPS fills the coordinates and says how precise they are.
    located(pg)
    assert pg.locator("#locate-status").inner_text() == "위치를 찾았습니다. 정확도 ±8 m"
    assert float(pg.locator("#f-location-lon").input_value()) == pytest.approx(CITY_HALL[0])
    assert pg.get_by_role("radio", name="GPS").is_checked()
    assert_accessible(pg, "step 1 (where)")
    shoot(pg, "02-where")
    next_step(pg, "장소")

    # 2. The place.
    fill_place(pg)
    pg.get_by_label("건물 이름").fill("서울특별시청")
    pg.get_by_role("radio", name="공공").check()
    pg.get_by_role("radio", name="관공서").check()
    pg.get_by_label("도로명주소").fill("서울특별시 중구 세종대로 110")
    pg.get_by_label("층", exact=True).fill("1")
    pg.get_by_role("radio", name="영업·근무 시간").check()
    assert_accessible(pg, "step 2 (place)")
    shoot(pg, "03-place")
    next_step(pg, "가는 길")

    # 3. The way in: walk and add points; mark a heavy door where it is.
    pg.get_by_role("radio", name="예, 처음부터 끝까지").check()
    for n, (lon, lat) in enumerate(WALK, start=1):
        pg.context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 5})
        pg.get_by_role("button", name="지금 위치를 경로에 추가").click()
        pg.locator(".route-summary").filter(has_text=f"점 {n}개").wait_for()
    pg.get_by_role("radio", name="자동문").check()
    pg.get_by_role("radio", name="있음", exact=True).check()
    pg.get_by_role("button", name="+ 장애물 추가").click()
    pg.get_by_role("radio", name="무거운 문").check()
    pg.context.set_geolocation({"longitude": WALK[1][0], "latitude": WALK[1][1], "accuracy": 5})
    pg.get_by_role("button", name="지금 내 위치로").click()
    pg.locator(".point-value").filter(has_text=str(WALK[1][1])).wait_for()
    pg.get_by_label("메모").fill("무거운 방화문")
    assert_accessible(pg, "step 3 (the way in)")
    shoot(pg, "04-way-in")
    next_step(pg, "화장실")

    # 4. The toilet: measured widths, choices, and one honest "I don't know".
    pg.get_by_role("radio", name="남녀 공용 장애인 화장실").check()
    pg.get_by_role("radio", name="미닫이문").check()
    pg.get_by_label("출입문 유효폭 (cm)").fill("95")
    pg.get_by_label("문턱 높이 (cm)").fill("0")
    pg.locator("#f-toilet-turning_space_150cm").get_by_role("radio", name="예").check()
    pg.get_by_role("radio", name="양쪽").check()
    pg.get_by_role("radio", name="바닥에서도 닿는 비상벨").check()
    pg.locator("#f-toilet-seat_height_cm-unknown").check()
    assert pg.get_by_label("변기 높이 (cm)").is_disabled()
    assert_accessible(pg, "step 4 (the toilet)")
    shoot(pg, "05-toilet")
    next_step(pg, "사진")

    # 5. Photos: resized on the phone, kind chosen per photo.
    pg.locator("#photo-gallery").set_input_files(files=[{"name": "door.jpg", "mimeType": "image/jpeg",
                                                          "buffer": jpeg_bytes()}])
    pg.locator("li.photo").wait_for()
    pg.get_by_label("사진 1 · 사진 종류").select_option("door")
    assert_accessible(pg, "step 5 (photos)")
    shoot(pg, "06-photos")
    next_step(pg, "확인하고 보내기")

    # 6. Review: every answer in words; nearby toilets asked (the endpoint may not exist yet).
    pg.locator("#f-nearby .choices").wait_for()
    if NEARBY in pg.not_found:  # not merged yet: the page says so and carries on
        assert "근처 화장실 목록을 지금 볼 수 없습니다" in pg.locator("#f-nearby").inner_text()
    review = pg.locator(".review").inner_text()
    assert "95 cm" in review and "남녀 공용 장애인 화장실" in review and "모름" in review
    pg.get_by_label("메모").fill("휠체어로 직접 확인함")
    assert_accessible(pg, "step 6 (review)")
    shoot(pg, "07-review")
    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.get_by_role("heading", name="보냈습니다").wait_for()
    assert_accessible(pg, "sent")
    shoot(pg, "08-sent")

    (report,) = rows(committed_engine, "SELECT r.id, r.payload, a.username, o.code FROM reports r "
                     "JOIN accounts a ON a.id = r.volunteer_id LEFT JOIN organisations o ON o.id = a.organisation_id")
    payload = report.payload
    assert report.username == name and report.code == code
    assert payload["place"]["name"] == "서울시청 본관 1층 장애인 화장실"
    assert payload["place"]["category"] == "government_office" and payload["place"]["floor"] == "1"
    assert payload["location"]["source"] == "gps" and payload["location"]["accuracy_m"] == 8
    assert payload["access_route"]["path"]["coordinates"] == [list(p) for p in WALK]
    assert payload["access_route"]["obstacles"] == [{"kind": "heavy_door", "location": {"lon": WALK[1][0], "lat": WALK[1][1]},
                                                      "height_cm": None, "width_cm": None, "note": "무거운 방화문"}]
    assert payload["toilet"]["door_clear_width_cm"] == 95 and payload["toilet"]["seat_height_cm"] is None
    assert payload["toilet"]["turning_space_150cm"] is True and payload["toilet"]["ostomy_sink"] is None
    assert payload["notes"] == "휠체어로 직접 확인함"
    (photo,) = rows(committed_engine, "SELECT kind, width_px, height_px FROM report_photos WHERE report_id = :id", id=report.id)
    assert photo.kind == "door" and max(photo.width_px, photo.height_px) <= 1600
    assert_clean(pg)
