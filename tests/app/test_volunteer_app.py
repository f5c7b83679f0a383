"""The volunteer's app at /app in Debian's Chromium on an emulated phone (issue 5).

Each test goes through the page as a volunteer would (taps, typing, the GPS the browser
reports) against the live server and its real PostGIS database, runs axe-core on every step,
and writes the screenshots that docs/volunteer-app.md shows.
"""

from __future__ import annotations

import math
import time

import httpx
import pytest
from limits import parse_many
from playwright.sync_api import expect
from sqlalchemy import text

from tests.app.helpers import (NEARBY, ZOOMED_PHONE, assert_accessible, assert_clean, fill_place, jpeg_bytes, located, log_in,
                               make_organisation, next_step, nickname, shoot)
from tests.browser import tab_to
from tests.factories import CITY_HALL

pytestmark = pytest.mark.browser

# A walk from the Sejong-daero entrance of City Hall to the toilet door (lon, lat).
WALK = [(126.97745, 37.56605), (126.97770, 37.56622), (126.97790, 37.56630)]


def wait_until(pg, predicate, timeout: float = 30.0, what: str = "condition"):
    """Poll the database while letting Playwright run: its sync API serves the context's
    request routes only inside Playwright calls, so a bare time.sleep would stall the page."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        pg.wait_for_timeout(200)
    raise AssertionError(f"timed out waiting for {what}")


def metres_from(origin, point) -> tuple[float, float]:
    """(east, north) in metres from origin to point (equirectangular; fine over a few hundred m)."""
    east = math.radians(point[0] - origin[0]) * 6_371_008.8 * math.cos(math.radians(origin[1]))
    return east, math.radians(point[1] - origin[1]) * 6_371_008.8


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


def test_join_fill_every_step_attach_a_photo_and_send(phone, live_server, committed_engine, job_worker):
    pg = phone
    code = make_organisation(committed_engine)
    name = nickname()
    join(pg, live_server, name, organisation_code=code)
    assert_accessible(pg, "join")
    shoot(pg, "01-join")
    pg.get_by_label("기관 코드 (선택)").fill("NO-SUCH-CODE")
    pg.get_by_role("button", name="가입하기").click()
    field_error_shown(pg, "f-organisation_code", "모집 기관에서 받은 코드를 확인해 주세요")
    assert_accessible(pg, "join with an error")
    pg.get_by_label("기관 코드 (선택)").fill(code.lower())  # codes are matched case-insensitively
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
    # "is it a toilet already on the map?": asked with the published toilets nearby (none here)
    pg.locator("#f-place-existing_toilet_id .help").filter(has_text="근처에 등록된 화장실이 없습니다").wait_for()
    assert NEARBY not in pg.not_found
    assert pg.get_by_role("radio", name="아니요, 새로 찾은 화장실입니다").is_checked()
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
    # A reload (or a phone that drops the page) loses neither the answers nor the photo.
    pg.reload()
    pg.locator("li.photo img").wait_for()
    assert pg.get_by_label("사진 1 · 사진 종류").input_value() == "door"
    assert_accessible(pg, "step 5 (photos)")
    shoot(pg, "06-photos")
    next_step(pg, "확인하고 보내기")

    # 6. Review: every answer in words.
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
    wait_until(pg, lambda: rows(committed_engine, "SELECT id FROM report_photos"), what="the worker to process the photo")
    assert report.payload["schema_version"] == 2 and payload["place"]["existing_toilet_id"] is None
    assert payload["toilet"]["door_clear_width_cm_bound"] is None  # an exact measurement
    (photo,) = rows(committed_engine, "SELECT kind, width_px, height_px FROM report_photos WHERE report_id = :id", id=report.id)
    assert photo.kind == "door" and max(photo.width_px, photo.height_px) <= 1600
    assert_clean(pg)


def field_error_shown(pg, field_id: str, text_part: str) -> None:
    """The message is at the field, the control is marked invalid and described by it."""
    error = pg.locator(f"#{field_id}-err")
    error.filter(has_text=text_part).wait_for()
    control = pg.locator(f"#{field_id}")
    assert control.get_attribute("aria-invalid") == "true"
    assert f"{field_id}-err" in control.get_attribute("aria-describedby").split()
    assert pg.locator(".error-summary[role=alert]").is_visible()


def test_validation_errors_are_shown_and_announced_at_their_fields(phone, live_server, committed_engine):
    pg = phone
    log_in(pg, live_server)
    # Dragging the pin moves the point and says so (source: map pin).
    pg.wait_for_timeout(300)  # the map settles its size just after it is drawn
    pin = pg.locator(".leaflet-marker-icon").bounding_box()
    pg.mouse.move(pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] - 4)
    pg.mouse.down()
    pg.mouse.move(pin["x"] + pin["width"] / 2 + 20, pin["y"] + pin["height"] - 4, steps=5)
    pg.mouse.move(pin["x"] + pin["width"] / 2 + 40, pin["y"] + pin["height"] - 4, steps=5)
    pg.mouse.up()
    expect(pg.get_by_role("radio", name="지도에서 핀 이동")).to_be_checked()
    assert float(pg.locator("#f-location-lon").input_value()) > CITY_HALL[0]
    next_step(pg, "장소")
    fill_place(pg)
    pg.get_by_label("자치구").fill("고담구")  # only the server knows Seoul's 25 districts
    next_step(pg, "가는 길")
    # Errors on composite answers: a one-point route, an obstacle without its kind.
    pg.get_by_role("button", name="지금 위치를 경로에 추가").click()
    pg.locator(".route-summary").filter(has_text="점 1개").wait_for()
    pg.get_by_role("button", name="+ 장애물 추가").click()
    pg.get_by_role("button", name="다음 →").click()
    pg.locator("#f-access_route-path-err").filter(has_text="점이 2개 이상 필요합니다").wait_for()
    field_error_shown(pg, "f-access_route-obstacles-0-kind", "꼭 입력해야 합니다")
    assert_accessible(pg, "errors on the route and on an obstacle")
    pg.get_by_role("button", name="경로 모두 지우기").click()
    pg.get_by_role("button", name="장애물 1 삭제").click()
    next_step(pg, "화장실")

    # The phone checks the schema's own limits before moving on (minimum 20 cm).
    pg.get_by_label("출입문 유효폭 (cm)").fill("10")
    pg.get_by_role("button", name="다음 →").click()
    field_error_shown(pg, "f-toilet-door_clear_width_cm", "20 이상이어야 합니다")
    assert pg.locator("#step-title").inner_text().endswith("화장실")
    assert_accessible(pg, "a step with an error")
    shoot(pg, "09-error-at-field")
    pg.get_by_label("출입문 유효폭 (cm)").fill("95")
    next_step(pg, "사진")
    next_step(pg, "확인하고 보내기")

    # The server's 422 brings the volunteer back to the field it names.
    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.locator("#step-title").filter(has_text="장소").wait_for()
    field_error_shown(pg, "f-place-district", "서울의 25개 자치구 이름이 아닙니다")
    assert pg.evaluate("document.activeElement.classList.contains('error-summary')")
    assert rows(committed_engine, "SELECT id FROM reports") == []

    # In English the same error reads in English.
    pg.get_by_role("button", name="Switch to English").click()
    pg.locator("#step-title").filter(has_text="The place").wait_for()
    field_error_shown(pg, "f-place-district", "Not one of Seoul's 25 districts")
    assert pg.evaluate("document.documentElement.lang") == "en"
    shoot(pg, "12-english-server-error")
    assert pg.get_by_label("District (gu)").input_value() == "고담구"
    pg.get_by_label("District (gu)").fill("중구")
    pg.get_by_role("button", name="Review and send").click()
    pg.get_by_role("button", name="Send", exact=True).click()
    pg.get_by_role("heading", name="Sent").wait_for()
    (report,) = rows(committed_engine, "SELECT payload FROM reports")
    assert report.payload["place"]["district"] == "중구" and report.payload["toilet"]["door_clear_width_cm"] == 95
    assert report.payload["location"]["source"] == "map_pin" and report.payload["location"]["lon"] > CITY_HALL[0]
    pg.get_by_role("button", name="한국어로 보기").click()
    assert_clean(pg)


def test_a_report_made_offline_is_sent_once_when_the_connection_returns(phone, live_server, committed_engine,
                                                                       job_worker):
    pg = phone
    log_in(pg, live_server)
    # The service worker has kept the page for offline use once it controls the page.
    pg.wait_for_function("() => navigator.serviceWorker.controller !== null")  # an arrow: the CSP forbids eval
    next_step(pg, "장소")
    fill_place(pg, "시청역 1번 출구 화장실")
    next_step(pg, "가는 길")
    # Recording while walking: each new position of the phone becomes a point of the route.
    pg.context.set_geolocation({"longitude": WALK[0][0], "latitude": WALK[0][1], "accuracy": 5})
    pg.get_by_role("button", name="걸으며 경로 기록 시작").click()
    # Exactly one first point: the fix where recording starts, never an older cached one.
    pg.locator(".route-summary").filter(has_text="점 1개").wait_for()
    for n, (lon, lat) in enumerate(WALK[1:], start=2):
        pg.context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 5})
        pg.locator(".route-summary").filter(has_text=f"점 {n}개").wait_for()
    pg.get_by_role("button", name="경로 기록 멈춤").click()
    assert pg.get_by_role("button", name="걸으며 경로 기록 시작").get_attribute("aria-pressed") == "false"
    for title in ("화장실", "사진"):
        next_step(pg, title)
    pg.locator("#photo-gallery").set_input_files(files=[{"name": "entrance.jpg", "mimeType": "image/jpeg",
                                                          "buffer": jpeg_bytes(800, 600)}])
    pg.locator("li.photo").wait_for()
    next_step(pg, "확인하고 보내기")

    pg.context.set_offline(True)
    pg.locator("#net-banner").filter(has_text="인터넷 연결 없음").wait_for()
    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.get_by_role("heading", name="이 휴대폰에 저장했습니다").wait_for()
    pg.get_by_role("link", name="내 제보 보기").click()
    waiting = pg.locator(".outbox-item")
    waiting.filter(has_text="시청역 1번 출구 화장실").filter(has_text="연결을 기다리는 중").wait_for()
    assert "사진 1장" in waiting.inner_text()
    assert_accessible(pg, "my reports, offline, one waiting")
    shoot(pg, "10-offline-waiting")
    # Pressing "send now" while offline keeps it waiting and stores nothing.
    pg.get_by_role("button", name="지금 보내기").click()
    waiting.filter(has_text="연결을 기다리는 중").wait_for()
    assert rows(committed_engine, "SELECT id FROM reports") == []
    # The page itself opens with no connection (the service worker's copy), the report still waiting.
    pg.reload()
    waiting.filter(has_text="연결을 기다리는 중").wait_for()

    pg.context.set_offline(False)
    wait_until(pg, lambda: rows(committed_engine, "SELECT id FROM report_photos"), what="the photo to arrive")
    pg.locator(".outbox-item").wait_for(state="detached")
    pg.locator(".report").filter(has_text="시청역 1번 출구 화장실").filter(has_text="검수 대기").wait_for()
    # Another start of the page (and its sync) adds nothing: exactly one report with its photo.
    pg.reload()
    pg.locator(".report").first.wait_for()
    pg.wait_for_timeout(500)
    (report,) = rows(committed_engine, "SELECT id, name, payload FROM reports")
    assert report.name == "시청역 1번 출구 화장실"
    assert report.payload["access_route"]["path"]["coordinates"] == [list(p) for p in WALK]
    assert [p.kind for p in rows(committed_engine, "SELECT kind FROM report_photos WHERE report_id = :id", id=report.id)] \
        == ["entrance"]
    assert pg.evaluate("indexedDB.databases().then(d => d.length)") >= 1
    assert pg.evaluate("""() => new Promise(r => { const q = indexedDB.open('reachable');
        q.onsuccess = () => { const g = q.result.transaction('outbox').objectStore('outbox').count();
        g.onsuccess = () => r(g.result); }; })""") == 0
    assert_clean(pg)


def test_a_report_sent_back_is_fixed_and_resubmitted(phone, live_server, committed_engine):
    pg = phone
    name = log_in(pg, live_server)
    next_step(pg, "장소")
    fill_place(pg)
    next_step(pg, "가는 길")
    next_step(pg, "화장실")
    pg.get_by_label("출입문 유효폭 (cm)").fill("80")
    pg.get_by_role("button", name="확인하고 보내기").click()
    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.get_by_role("heading", name="보냈습니다").wait_for()
    (report,) = rows(committed_engine, "SELECT id FROM reports")
    # The moderator's decision endpoint lives on the moderation branch (issue 3); until it is
    # merged, the test puts the report into the state that decision leaves it in.
    with committed_engine.begin() as conn:
        conn.execute(text("UPDATE reports SET status = 'changes_requested', "
                          "moderator_message = '출입문 유효폭을 문을 끝까지 연 상태에서 다시 재 주세요.' WHERE id = :id"),
                     {"id": report.id})

    pg.get_by_role("link", name="내 제보 보기").click()
    card = pg.locator(f".report[data-report-id='{report.id}']")
    card.filter(has_text="수정 요청 받음").filter(has_text="다시 재 주세요").wait_for()
    assert_accessible(pg, "my reports with changes requested")
    shoot(pg, "11-changes-requested")
    card.get_by_role("button", name="고쳐서 다시 보내기").click()
    pg.locator(".notice").filter(has_text=f"제보 #{report.id}").wait_for()
    assert pg.get_by_label("화장실 이름").count() == 0  # starts at step 1, with the old answers
    pg.get_by_role("button", name="4 화장실").click()
    assert pg.get_by_label("출입문 유효폭 (cm)").input_value() == "80"
    pg.get_by_label("출입문 유효폭 (cm)").fill("92")
    assert_accessible(pg, "fixing a report")
    pg.get_by_role("button", name="확인하고 보내기").click()
    pg.get_by_role("button", name="고친 제보 보내기").click()
    pg.get_by_role("heading", name="보냈습니다").wait_for()

    (fixed,) = rows(committed_engine, "SELECT id, status, revision, payload, client_submission_id::text AS first_id "
                    "FROM reports")
    assert (fixed.id, fixed.status, fixed.revision) == (report.id, "queued", 2)
    assert fixed.payload["toilet"]["door_clear_width_cm"] == 92
    assert fixed.payload["place"]["name"] == "서울시청 본관 1층 장애인 화장실"
    (revision,) = rows(committed_engine, "SELECT client_submission_id::text AS id FROM report_revisions "
                       "WHERE report_id = :id", id=report.id)
    # The fix went out under a new client_submission_id of its own, as the revision endpoint requires.
    assert revision.id == fixed.payload["client_submission_id"] != fixed.first_id
    pg.get_by_role("link", name="내 제보 보기").click()
    card.filter(has_text="검수 대기").wait_for()
    assert card.get_by_role("button", name="고쳐서 다시 보내기").count() == 0
    assert name in pg.locator("nav").inner_text()
    assert_clean(pg)


TARGETS = ("button, a.btn, .nav-link, .step-link, label.choice-opt, label.unknown-opt, select, textarea, "
           "input[type=text], input[type=password], .file-pick label, .leaflet-bar a")


def layout_problems(pg) -> dict:
    """Horizontal scrolling (lost content at 200% zoom) and touch targets under 44×44 px."""
    return pg.evaluate("""(sel) => {
        const small = [...document.querySelectorAll(sel)].filter(el => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && (r.width < 44 || r.height < 44);
        }).map(el => el.outerHTML.slice(0, 80));
        return {overflow: document.documentElement.scrollWidth - window.innerWidth, small};
    }""", TARGETS)


def test_keyboard_only_at_200_percent_zoom_with_large_targets(browser, live_server, committed_engine):
    from tests.browser import guarded_context

    context = guarded_context(browser, live_server, **ZOOMED_PHONE,
                              geolocation={"longitude": CITY_HALL[0], "latitude": CITY_HALL[1], "accuracy": 30},
                              permissions=["geolocation"])
    pg = context.new_page()
    pg.set_default_timeout(15000)
    try:
        name = nickname()
        assert httpx.post(f"{live_server}/api/v1/volunteers", json={"nickname": name, "password": "wheel chair 2023",
                                                                    "age_band": "20s"}).status_code == 201
        pg.goto(f"{live_server}/app")
        pg.get_by_role("heading", name="로그인").wait_for()
        assert layout_problems(pg) == {"overflow": 0, "small": []}

        tab_to(pg, "#f-nickname")
        pg.keyboard.type(name)
        tab_to(pg, "#f-password")
        pg.keyboard.type("wheel chair 2023")
        pg.keyboard.press("Enter")
        pg.locator("#locate-status").filter(has_text="위치를 찾았습니다").wait_for()
        # The pin moves by keyboard too: focus it, three arrows north, one Shift+arrow east.
        before = float(pg.locator("#f-location-lon").input_value()), float(pg.locator("#f-location-lat").input_value())
        tab_to(pg, ".leaflet-marker-icon")
        for _ in range(3):
            pg.keyboard.press("ArrowUp")
        pg.keyboard.press("Shift+ArrowRight")
        after = float(pg.locator("#f-location-lon").input_value()), float(pg.locator("#f-location-lat").input_value())
        east_m, north_m = metres_from(before, after)
        assert (east_m, north_m) == (pytest.approx(10, abs=0.1), pytest.approx(3, abs=0.1))
        assert pg.get_by_role("radio", name="지도에서 핀 이동").is_checked()
        pg.locator("#live-status").filter(has_text="핀을 옮겼습니다").wait_for()
        for title in ("장소", "가는 길", "화장실", "사진", "확인하고 보내기"):
            assert layout_problems(pg) == {"overflow": 0, "small": []}, title
            if title == "가는 길":
                tab_to(pg, "#f-place-name")
                pg.keyboard.type("키보드로 쓴 화장실")
            tab_to(pg, "button.next")
            pg.keyboard.press("Enter")
            pg.locator("#step-title").filter(has_text=title).wait_for()
            # The new step's heading takes focus, so a screen reader starts reading there.
            assert pg.evaluate("document.activeElement.id") == "step-title"
        assert layout_problems(pg) == {"overflow": 0, "small": []}
        tab_to(pg, "button.send")
        pg.keyboard.press("Enter")
        pg.get_by_role("heading", name="보냈습니다").wait_for()
        (report,) = rows(committed_engine, "SELECT name, location_source, ST_X(location) AS lon, ST_Y(location) AS lat "
                         "FROM reports")
        assert (report.name, report.location_source) == ("키보드로 쓴 화장실", "map_pin")
        assert (report.lon, report.lat) == (pytest.approx(after[0], abs=1e-7), pytest.approx(after[1], abs=1e-7))
        assert context.outside_requests == []
    finally:
        context.close()


def test_answers_lost_on_the_way_back_never_make_a_second_report_or_photo(phone, live_server, committed_engine,
                                                                          job_worker):
    """The server stores the report and the photo but the phone never hears back (the network
    drops the answer): the phone sends again, and still exactly one of each is stored."""
    pg = phone
    log_in(pg, live_server)
    next_step(pg, "장소")
    fill_place(pg, "을지로입구역 화장실")
    pg.get_by_role("button", name="5 사진").click()
    pg.locator("#photo-gallery").set_input_files(files=[{"name": "door.jpg", "mimeType": "image/jpeg",
                                                          "buffer": jpeg_bytes(640, 480)}])
    pg.locator("li.photo").wait_for()
    pg.get_by_role("button", name="6 확인하고 보내기").click()

    reached = {"report": 0, "photo": 0}

    def lose_first_answer(route):
        request = route.request
        if request.method != "POST":
            route.fallback()
            return
        kind = "photo" if request.url.endswith("/photos") else "report"
        reached[kind] += 1
        response = route.fetch()  # the server does the work…
        if reached[kind] == 1:
            route.abort("connectionreset")  # …and the answer is lost
        else:
            route.fulfill(response=response)

    pg.route("**/api/v1/reports**", lose_first_answer)
    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.get_by_role("heading", name="이 휴대폰에 저장했습니다").wait_for()
    # Stored, though the phone does not know; steps 3 and 4 were skipped, so they went as "don't know".
    (stored,) = rows(committed_engine, "SELECT payload FROM reports")
    assert stored.payload["toilet"]["door_clear_width_cm"] is None and stored.payload["access_route"]["path"] is None

    pg.get_by_role("link", name="내 제보 보기").click()
    pg.get_by_role("button", name="지금 보내기").click()  # report replayed (200), photo answer lost
    wait_until(pg, lambda: reached["photo"] == 1, what="the first photo upload")
    pg.locator(".outbox-item").filter(has_text="연결을 기다리는 중").wait_for()
    # The server kept the bytes before its lost answer; the worker makes the photo of them.
    wait_until(pg, lambda: rows(committed_engine, "SELECT id FROM report_photos"), what="the worker's photo")
    pg.get_by_role("button", name="지금 보내기").click()  # photo already there: not sent again
    pg.locator(".outbox-item").wait_for(state="detached")

    assert reached == {"report": 2, "photo": 1}
    (report,) = rows(committed_engine, "SELECT id FROM reports")
    assert len(rows(committed_engine, "SELECT id FROM report_photos WHERE report_id = :id", id=report.id)) == 1
    assert_clean(pg)


def test_nearby_published_toilets_are_offered_before_sending(phone, live_server, committed_engine):
    """A toilet published ~12 m away (through the real publishing service) is offered by the
    real `GET /api/v1/toilets/nearby` in the place step, and the choice is sent as
    `place.existing_toilet_id` (form v2)."""
    from sqlalchemy.orm import Session

    from tests.factories import report_body
    from toilets.service import create_toilet

    with Session(committed_engine) as db:
        published = create_toilet(
            db, payload=report_body(**{"place.name": "서울시청 장애인화장실", "location.lat": CITY_HALL[1] + 0.000108}),
            report_id=None, review_id=None)
        db.commit()
        toilet_id = str(published.id)
    pg = phone
    log_in(pg, live_server)
    asked = []
    pg.on("request", lambda r: asked.append(r.url) if "/api/v1/toilets/nearby" in r.url else None)
    next_step(pg, "장소")
    fill_place(pg)
    choice = pg.get_by_role("radio", name="예, 이 화장실입니다: 서울시청 장애인화장실 (12 m)")
    choice.check()
    assert "lon=126.9779" in asked[0] and "lat=37.5663" in asked[0]
    assert_accessible(pg, "place step with nearby toilets")
    pg.get_by_role("button", name="6 확인하고 보내기").click()
    assert "서울시청 장애인화장실" in pg.locator(".review").inner_text()  # the answer in words, not an id
    pg.context.set_offline(True)
    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.get_by_role("heading", name="이 휴대폰에 저장했습니다").wait_for()
    kept = pg.evaluate("""() => new Promise(r => { const q = indexedDB.open('reachable');
        q.onsuccess = () => { const g = q.result.transaction('outbox').objectStore('outbox').getAll();
        g.onsuccess = () => r(g.result.map(i => i.body.place.existing_toilet_id)); }; })""")
    assert kept == [toilet_id]
    pg.context.set_offline(False)  # the page sends what waits by itself when the connection returns
    (report,) = wait_until(pg, lambda: rows(committed_engine, "SELECT payload FROM reports"), timeout=60,
                           what="the waiting report to be sent")
    assert report.payload["place"]["existing_toilet_id"] == toilet_id
    assert pg.outside_requests == []


def test_my_reports_shows_every_report_page_by_page(phone, live_server, committed_engine):
    """More reports than one page: "show more" brings the rest, focus lands on the first new card."""
    pg = phone
    name = log_in(pg, live_server)
    with committed_engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO reports (volunteer_id, client_submission_id, body_sha256, schema_version, raw_payload, payload,
                                 observed_at, submitted_at, location, location_source, name, district_code)
            SELECT a.id, gen_random_uuid(), repeat('c', 64), 1, '{}', '{}', now(), now() - n * interval '1 hour',
                   ST_SetSRID(ST_MakePoint(126.978, 37.5665), 4326), 'gps', '제보 ' || n, '11140'
              FROM accounts a, generate_series(1, 57) n WHERE a.username = :name"""), {"name": name})
    pg.get_by_role("link", name="내 제보").click()
    cards = pg.locator(".report")
    expect(cards).to_have_count(50)
    assert cards.first.locator("h2").inner_text().endswith("제보 1")  # newest first
    more = pg.get_by_role("button", name="더 보기 (전체 57개 중 50개 표시)")
    assert_accessible(pg, "my reports, first page")
    more.click()
    expect(cards).to_have_count(57)
    assert cards.last.locator("h2").inner_text().endswith("제보 57")
    assert pg.get_by_role("button", name="더 보기", exact=False).count() == 0
    # the keyboard and screen-reader user continues where the new cards start
    assert pg.evaluate("document.activeElement.textContent").endswith("제보 51")
    titles = cards.locator("h2").all_inner_texts()
    assert len(set(titles)) == 57
    assert_clean(pg)


def test_route_points_tapped_on_the_map_become_the_route(phone, live_server, committed_engine):
    """No GPS walk: the volunteer taps the street entrance, then the toilet, on the map."""
    pg = phone
    log_in(pg, live_server)
    next_step(pg, "장소")
    fill_place(pg)
    next_step(pg, "가는 길")
    area = pg.locator("#f-access_route-path-map")
    area.locator(".leaflet-control-scale").wait_for()  # the map is drawn, centred on the toilet
    pg.wait_for_timeout(300)  # the map settles its size (invalidateSize after 50 ms)
    box = area.bounding_box()
    cx, cy = box["width"] / 2, box["height"] / 2
    area.click(position={"x": cx + 100, "y": cy})  # 100 px east of the toilet
    pg.locator(".route-summary").filter(has_text="점 1개").wait_for()
    pg.wait_for_timeout(600)  # the map pans to the new point
    area.click(position={"x": cx - 100, "y": cy})  # back at the toilet
    pg.locator(".route-summary").filter(has_text="점 2개").wait_for()
    next_step(pg, "화장실")
    pg.get_by_role("button", name="확인하고 보내기").click()
    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.get_by_role("heading", name="보냈습니다").wait_for()

    (report,) = rows(committed_engine, "SELECT payload FROM reports")
    (start_lon, start_lat), (end_lon, end_lat) = report.payload["access_route"]["path"]["coordinates"]
    toilet = report.payload["location"]["lon"], report.payload["location"]["lat"]
    # 100 px at zoom 18 is 47 m here. A tap lands within a few pixels of the intended place
    # (Leaflet snaps the map's origin to whole pixels and re-centres on each new point, so the
    # second tap adds its offset to the first's): within 3 m, where a wrong axis, order or
    # scale would be off by tens of metres.
    m_per_px = 40_075_016.7 * math.cos(math.radians(toilet[1])) / (256 * 2 ** 18)
    east_m, north_m = metres_from(toilet, (start_lon, start_lat))
    assert east_m == pytest.approx(100 * m_per_px, abs=3) and abs(north_m) < 3
    assert math.hypot(*metres_from(toilet, (end_lon, end_lat))) < 3
    assert_clean(pg)


def test_a_rate_limited_report_waits_on_the_phone_and_goes_once_the_limit_lifts(phone, live_server, committed_app,
                                                                              committed_engine):
    """A 429 means "later", not "no": the report stays waiting in the outbox (it is not set aside
    as a conflict) and goes, once, when the volunteer's limit has room again."""
    pg = phone
    name = log_in(pg, live_server)
    next_step(pg, "장소")
    fill_place(pg, "광화문역 2번 출구 화장실")
    pg.get_by_role("button", name="6 확인하고 보내기").click()
    (volunteer,) = rows(committed_engine, "SELECT id FROM accounts WHERE username = :n", n=name)
    limits = committed_app.state.rate_limits
    limits.rules["reports_per_account"] = parse_many("1/day")
    limits.hit("reports_per_account", str(volunteer.id))  # this volunteer's day is used up

    pg.get_by_role("button", name="보내기", exact=True).click()
    pg.get_by_role("heading", name="이 휴대폰에 저장했습니다").wait_for()
    assert rows(committed_engine, "SELECT id FROM reports") == []
    pg.get_by_role("link", name="내 제보 보기").click()
    pg.locator(".outbox-item").filter(has_text="연결을 기다리는 중").wait_for()

    limits.storage.reset()  # the window has passed
    pg.get_by_role("button", name="지금 보내기").click()
    pg.locator(".outbox-item").wait_for(state="detached")
    (report,) = rows(committed_engine, "SELECT name FROM reports")
    assert report.name == "광화문역 2번 출구 화장실"
    assert_clean(pg)
