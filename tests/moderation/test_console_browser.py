"""The moderator console in Debian's Chromium: the real page, the real API, a committed database."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
from PIL import Image
from sqlalchemy.orm import Session

from accounts.service import create_account
from moderation.models import REJECT_REASONS
from tests.factories import report_body
from tests.workers import finished_job
from tests.browser import axe_violations

PASSWORD = "correct horse"


def _moderator(engine, name: str) -> None:
    with Session(engine) as s:
        create_account(s, username=name, password=PASSWORD, role="moderator", username_field="username")
        s.commit()


def _volunteer(http: httpx.Client) -> dict[str, str]:
    nickname = f"v{uuid.uuid4().hex[:8]}"
    assert http.post("/api/v1/volunteers", json={"nickname": nickname, "password": PASSWORD,
                                                 "age_band": "20s"}).status_code == 201
    token = http.post("/api/v1/auth/token", data={"username": nickname, "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _report_with_photo(http: httpx.Client, volunteer: dict[str, str], **overrides) -> int:
    r = http.post("/api/v1/reports", json=report_body(**overrides), headers=volunteer)
    assert r.status_code == 201, r.text
    report_id = r.json()["id"]
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(buf, "JPEG")
    r = http.post(f"/api/v1/reports/{report_id}/photos", headers=volunteer, data={"kind": "door"},
                  files={"file": ("door.jpg", buf.getvalue(), "image/jpeg")})
    assert r.status_code == 202, r.text
    assert finished_job(http, r.headers["Location"], volunteer)["status"] == "succeeded"  # the job worker's
    return report_id


def _log_in_and_open_claimed(page, live_server: str, username: str, report_id: int) -> None:
    page.goto(f"{live_server}/moderate")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인 Log in").click()
    page.get_by_role("button", name="가져오기 Claim").click()
    page.locator(f"#claims button[data-report-id='{report_id}']").click()
    page.get_by_role("heading", name=f"제보 Report #{report_id}").wait_for()


@pytest.mark.browser
def test_moderator_claims_opens_sees_photo_and_map_and_approves_with_an_edit(page, live_server, committed_engine, job_worker):
    _moderator(committed_engine, "console-mod")
    with httpx.Client(base_url=live_server) as http:
        report_id = _report_with_photo(http, _volunteer(http), **{"toilet.door_clear_width_cm": 85})
        _log_in_and_open_claimed(page, live_server, "console-mod", report_id)

        # the photo is shown (loaded through the API with the login)
        photo = page.get_by_role("img", name="사진 Photo 1: 출입문 Door")  # the schema's word for the kind
        photo.wait_for()
        page.wait_for_function("() => { const i = document.querySelector('#photos img'); "
                               "return i && i.complete && i.naturalWidth > 0; }")
        # the folium map renders with the report's point and its route, from local assets only
        frame = page.frame_locator("#map-frame")
        frame.locator(".leaflet-container").wait_for()
        ours = frame.locator("path.leaflet-interactive[stroke='#0969da']")  # this report's point and route
        ours.first.wait_for()
        assert ours.count() == 2

        # keyboard-only decision: approve with the door width corrected to 95 cm
        width = page.get_by_label("문 유효폭 cm Door clear width cm").last
        width.focus()
        width.fill("95")
        page.get_by_label("승인 Approve").check()
        page.keyboard.press("Tab")
        page.get_by_role("button", name="결정 보내기 Submit decision").press("Enter")
        page.get_by_role("status").filter(has_text="게시됨 Published").wait_for()

        fc = http.get("/api/v1/toilets").json()
        assert fc["numberMatched"] == 1
        props = fc["features"][0]["properties"]
        assert props["toilet"]["door_clear_width_cm"] == 95 and props["verdict"] == "accessible"
        history = http.get(f"/api/v1/toilets/{props['id']}/history").json()
        assert history["versions"][0]["review_edits"] == [
            {"path": "toilet.door_clear_width_cm", "before": 85, "after": 95}]
    assert page.outside_requests == []


@pytest.mark.browser
def test_request_changes_round_trip(page, live_server, committed_engine, job_worker):
    _moderator(committed_engine, "console-mod2")
    with httpx.Client(base_url=live_server) as http:
        volunteer = _volunteer(http)
        report_id = _report_with_photo(http, volunteer, **{"toilet.door_clear_width_cm": None})
        _log_in_and_open_claimed(page, live_server, "console-mod2", report_id)
        page.get_by_label("보완 요청 Request changes").check()
        page.get_by_label("봉사자에게 보낼 요청").fill("문 폭을 줄자로 재서 다시 보내 주세요.")
        page.get_by_role("button", name="결정 보내기 Submit decision").click()
        page.get_by_role("status").filter(has_text="보완 요청").wait_for()

        mine = http.get(f"/api/v1/reports/{report_id}", headers=volunteer).json()
        assert mine["status"] == "changes_requested"
        assert mine["moderator_message"] == "문 폭을 줄자로 재서 다시 보내 주세요."
        revision = report_body(**{"toilet.door_clear_width_cm": 92})
        r = http.post(f"/api/v1/reports/{report_id}/revisions", json=revision, headers=volunteer)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "queued"

        # back in the console: it can be claimed again and now approves as measured
        page.get_by_role("button", name="가져오기 Claim").click()
        page.locator(f"#claims button[data-report-id='{report_id}']").click()
        page.get_by_role("heading", name=f"제보 Report #{report_id}").wait_for()
        assert page.get_by_label("문 유효폭 cm Door clear width cm").last.input_value() == "92"
        page.get_by_role("button", name="결정 보내기 Submit decision").click()
        page.get_by_role("status").filter(has_text="게시됨 Published").wait_for()
        props = http.get("/api/v1/toilets").json()["features"][0]["properties"]
        assert props["toilet"]["door_clear_width_cm"] == 92
        events = [e["action"] for e in http.get(f"/api/v1/reports/{report_id}/history",
                                                 headers=volunteer).json()["events"]]
        assert events == ["report.submit", "report.claim", "report.request_changes", "report.revise", "report.claim",
                          "report.approve"]
    assert page.outside_requests == []


@pytest.mark.browser
def test_console_has_no_wcag_violations(page, live_server, committed_engine, job_worker):
    _moderator(committed_engine, "console-mod3")
    with httpx.Client(base_url=live_server) as http:
        report_id = _report_with_photo(http, _volunteer(http))
    page.goto(f"{live_server}/moderate")
    assert axe_violations(page) == []
    _log_in_and_open_claimed(page, live_server, "console-mod3", report_id)
    page.frame_locator("#map-frame").locator(".leaflet-container").wait_for()
    assert axe_violations(page) == []
    assert page.outside_requests == []


@pytest.mark.browser
def test_second_moderator_confirms_a_held_retirement_in_the_console(page, live_server, committed_engine, job_worker):
    _moderator(committed_engine, "console-first")
    _moderator(committed_engine, "console-second")
    with httpx.Client(base_url=live_server) as http:
        report_id = _report_with_photo(http, _volunteer(http))
        token = http.post("/api/v1/auth/token", data={"username": "console-first", "password": PASSWORD})
        first = {"Authorization": f"Bearer {token.json()['access_token']}"}
        http.post("/api/v1/moderation/claims", json={"count": 1}, headers=first)
        toilet_id = http.post(f"/api/v1/moderation/reports/{report_id}/decision", json={"action": "approve"},
                              headers=first).json()["toilet_id"]

        # the first moderator asks for the retirement in the console; it is held
        page.goto(f"{live_server}/moderate")
        page.get_by_label("아이디").fill("console-first")
        page.get_by_label("비밀번호").fill(PASSWORD)
        page.get_by_role("button", name="로그인 Log in").click()
        page.get_by_text("게시 화장실 폐쇄 요청").click()
        page.get_by_label("화장실 번호 Toilet id", exact=True).fill(toilet_id)
        page.get_by_label("폐쇄 사유 Reason").fill("건물 철거")
        page.get_by_role("button", name="폐쇄 요청 Request retirement").click()
        page.get_by_role("status").filter(has_text="2차 검토").wait_for()
        page.get_by_text("Your own decision").wait_for()
        assert http.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]["status"] == "active"

        # the second moderator confirms it
        page.get_by_role("button", name="로그아웃 Log out").click()
        page.get_by_label("아이디").fill("console-second")
        page.get_by_label("비밀번호").fill(PASSWORD)
        page.get_by_role("button", name="로그인 Log in").click()
        page.get_by_role("button", name="확정 Confirm").click()
        page.get_by_role("status").filter(has_text="확정했습니다").wait_for()
        assert http.get(f"/api/v1/toilets/{toilet_id}").json()["properties"]["status"] == "retired"
    assert page.outside_requests == []


@pytest.mark.browser
def test_moderator_moves_the_point_and_redraws_the_route_on_the_map(page, live_server, committed_engine, job_worker):
    _moderator(committed_engine, "console-mapper")
    with httpx.Client(base_url=live_server) as http:
        report_id = _report_with_photo(http, _volunteer(http))
        _log_in_and_open_claimed(page, live_server, "console-mapper", report_id)
        container = page.frame_locator("#map-frame").locator(".leaflet-container")
        container.wait_for()
        box = container.bounding_box()
        cx, cy = box["width"] / 2, box["height"] / 2
        lon_before = page.locator("#edit-location-lon").input_value()

        page.get_by_label("클릭한 곳으로 위치 옮기기").check()
        container.scroll_into_view_if_needed()  # settle the page before clicking at pixel positions
        container.click(position={"x": cx + 12, "y": cy + 8})
        page.locator("#map-tools-state").filter(has_text="Moved point").wait_for()
        moved = (float(page.locator("#edit-location-lon").input_value()),
                 float(page.locator("#edit-location-lat").input_value()))
        assert str(moved[0]) != lon_before

        page.get_by_label("클릭으로 접근로 새로 그리기", exact=False).check()
        container.scroll_into_view_if_needed()
        container.click(position={"x": cx - 90, "y": cy + 70})
        container.click(position={"x": cx + 12, "y": cy + 8})
        page.locator("#map-tools-state").filter(has_text="2개 점").wait_for()
        # what was drawn is shown on the map
        page.frame_locator("#map-frame").locator("path[stroke='#bf3989']").first.wait_for()

        page.get_by_role("button", name="결정 보내기 Submit decision").click()
        page.get_by_role("status").filter(has_text="게시됨 Published").wait_for()
        feature = http.get("/api/v1/toilets").json()["features"][0]
        assert feature["geometry"]["coordinates"] == pytest.approx(list(moved), abs=1e-6)
        route = feature["properties"]["route"]["coordinates"]
        assert len(route) == 2 and route[1] == pytest.approx(list(moved), abs=1e-6)
        edits = http.get(f"/api/v1/toilets/{feature['id']}/history").json()["versions"][0]["review_edits"]
        assert {e["path"] for e in edits} == {"location", "access_route.path"}
    assert page.outside_requests == []


def _altered_on_the_way(page, url: str, change) -> None:
    """The API's answer at `url`, changed by `change(body)` before the console reads it."""
    def handle(route):
        response = route.fetch()
        body = response.json()
        change(body)
        route.fulfill(response=response, json=body)

    page.route(url, handle)


def _server_words_changed(page, live_server: str) -> None:
    def schema(body):
        grab = body["properties"]["toilet"]["properties"]["grab_bars"]
        grab["enum"].insert(-1, "three_sides")  # before null
        grab["x-enum-labels"]["three_sides"] = {"ko": "세 방향", "en": "Three sides"}
        grab["x-enum-labels"]["both_sides"] = {"ko": "양쪽(스키마)", "en": "Both sides (schema)"}

    def vocabulary(body):
        body["confirmable"] = body["confirmable"][:2]
        body["confirmable"][0]["label_en"] = "Step-free (server)"
        for item in body["actions"] + body["report_statuses"]:
            item["label_en"] += " (server)"

    def reasons(body):
        body[0]["label_en"] = "Duplicate (server)"

    _altered_on_the_way(page, f"{live_server}/api/v1/mobile-schema", schema)
    _altered_on_the_way(page, f"{live_server}/api/v1/moderation/vocabulary", vocabulary)
    _altered_on_the_way(page, f"{live_server}/api/v1/moderation/reason-codes", reasons)


@pytest.mark.browser
def test_the_words_the_console_shows_for_codes_come_from_the_server(page, live_server, committed_engine, job_worker):
    """Field choices and their labels (the form schema), report states, actions, confirmable
    criteria and reject reasons: changed on the way from the API, the console shows the change."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _server_words_changed(page, live_server)
    _moderator(committed_engine, "console-words")
    with httpx.Client(base_url=live_server) as http:
        report_id = _report_with_photo(http, _volunteer(http))  # grab_bars: both_sides
    _log_in_and_open_claimed(page, live_server, "console-words", report_id)

    grab = page.locator("#edit-toilet-grab_bars")
    assert grab.locator("option").all_inner_texts() == [
        "모름 unknown", "양쪽(스키마) Both sides (schema)", "한쪽 One side", "없음 None", "세 방향 Three sides"]
    assert grab.input_value() == "both_sides"
    row = page.locator("#fields-table tr").filter(has=page.get_by_role("rowheader", name="손잡이 Grab bars"))
    assert row.locator("td").first.inner_text() == "양쪽(스키마) Both sides (schema)"
    assert page.locator("#edit-toilet-turning_space_150cm option").all_inner_texts() == [
        "모름 unknown", "예 yes", "아니오 no"]
    assert "검토 중 In review (server)" in page.locator("#report-meta").inner_text()
    boxes = page.locator("#confirm-boxes input[name=confirmed]")
    assert [boxes.nth(i).get_attribute("value") for i in range(boxes.count())] == ["step_free", "door_clear_width"]
    assert "Step-free (server)" in page.locator("#confirm-boxes").inner_text()
    reasons = page.locator("#reason-code option")
    assert reasons.first.inner_text() == "이미 게시된 화장실과 중복 · Duplicate (server)"
    assert [reasons.nth(i).get_attribute("value") for i in range(reasons.count())] == list(REJECT_REASONS)

    page.get_by_role("button", name="결정 보내기 Submit decision").click()
    page.get_by_role("status").filter(has_text="결정했습니다: 승인 Approve (server).").wait_for()
    assert errors == []
    assert page.outside_requests == []


@pytest.mark.browser
def test_a_wrong_password_is_shown_and_a_stale_login_is_dropped(page, live_server, committed_engine):
    _moderator(committed_engine, "console-stale")
    page.goto(f"{live_server}/moderate")
    page.get_by_label("아이디").fill("console-stale")
    page.get_by_label("비밀번호").fill("not the password")
    page.get_by_role("button", name="로그인 Log in").click()
    page.get_by_role("alert").filter(has_text="·").wait_for()
    assert page.locator("#work").is_hidden()
    assert page.evaluate("sessionStorage.getItem('reachable.token')") is None

    # a token the server no longer accepts: the 401 logs the console out and forgets it
    page.evaluate("sessionStorage.setItem('reachable.token', 'expired-or-forged')")
    page.reload()
    page.wait_for_function("() => sessionStorage.getItem('reachable.token') === null")  # an arrow: the CSP forbids eval
    assert page.locator("#login-section").is_visible() and page.locator("#work").is_hidden()
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_label("아이디").fill("console-stale")
    page.get_by_role("button", name="로그인 Log in").click()
    page.locator("#whoami-name").filter(has_text="console-stale (moderator)").wait_for()
    assert page.evaluate("sessionStorage.getItem('reachable.token')")
    assert page.outside_requests == []


@pytest.mark.browser
def test_smart_seoul_map_card_fills_from_the_reference_and_asks_for_the_photo(page, live_server, committed_engine,
                                                                               settings):
    """Issue 15 item 4: the card says what the layer lacks; the reference record's address (city
    data, shown as text even when hostile) fills the edits; a button asks for the entrance photo."""
    from reference.importer import import_reference
    from tests.hostile_text import assert_inert, hostile, watch
    from tests.reference.helpers import csv_bytes, row

    lot = hostile("reference lot address", 2)
    with Session(committed_engine) as s:
        import_reference(s, csv_bytes([row(7, 소재지도로명주소="서울특별시 중구 세종대로 110", 소재지지번주소=lot,
                                           WGS84위도="37.56635", WGS84경도="126.97795")]),
                         settings=settings, file_name="t.csv")
        s.commit()
    _moderator(committed_engine, "console-ssm")
    with httpx.Client(base_url=live_server) as http:
        volunteer = _volunteer(http)
        r = http.post("/api/v1/reports", json=report_body(**{"place.lot_address": None}), headers=volunteer)
        assert r.status_code == 201, r.text
        report_id = r.json()["id"]  # no photo, no lot-number address
        watch(page.context)
        _log_in_and_open_claimed(page, live_server, "console-ssm", report_id)
        card = page.locator("#ssm-card")
        card.get_by_text("스마트서울맵 내보내기에서 빠집니다").wait_for()
        assert card.locator("#ssm-findings li").count() == 2
        assert card.locator("li[data-code='blank_image']").inner_text().startswith("빠짐 Left out: 사진 경로가 비어")
        assert_inert(page, [lot], where="smart seoul map card")
        assert axe_violations(page) == []

        # fill from the reference: the lot-number address lands in the edit input, as text
        page.get_by_role("button", name="참조 자료의 주소로 채우기 Fill the addresses from the reference record").click()
        assert page.locator("#edit-place-lot_address").input_value() == lot
        page.get_by_text("승인하면 반영됩니다").wait_for()

        # ask for the entrance photo: request changes with that request, its words as the message
        card.get_by_role("button", name="요청: 입구 사진을 추가해 주세요 Ask: Please add a photo of the entrance").click()
        assert page.get_by_label("보완 요청 Request changes").is_checked()
        assert page.locator("#change-request").input_value() == "add_entrance_photo"
        assert page.locator("#public-only-field").is_hidden()
        page.get_by_role("status").filter(has_text="보완 요청을 골랐습니다").wait_for()
        page.get_by_role("button", name="결정 보내기 Submit decision").click()
        page.get_by_role("status").filter(has_text="결정했습니다").wait_for()
        mine = http.get(f"/api/v1/reports/{report_id}", headers=volunteer).json()
        assert mine["status"] == "changes_requested"
        assert mine["moderator_message"] == "입구 사진을 추가해 주세요 / Please add a photo of the entrance"
    assert_inert(page, where="after the decision")
    assert page.outside_requests == []


@pytest.mark.browser
def test_publish_to_the_public_layer_only_from_the_console(page, live_server, committed_engine, job_worker):
    _moderator(committed_engine, "console-ssm2")
    with httpx.Client(base_url=live_server) as http:
        report_id = _report_with_photo(http, _volunteer(http))
        _log_in_and_open_claimed(page, live_server, "console-ssm2", report_id)
        page.locator("#ssm-card").get_by_text("스마트서울맵 레이어에 들어갑니다.").wait_for()
        page.get_by_label("공개 지도에만 게시 (스마트서울맵 내보내기에서 제외)").check()
        page.get_by_role("button", name="결정 보내기 Submit decision").click()
        page.get_by_role("status").filter(has_text="게시됨 Published").wait_for()
        toilet_id = http.get("/api/v1/toilets").json()["features"][0]["properties"]["id"]
    with Session(committed_engine) as s:
        from toilets.models import Toilet

        assert s.get(Toilet, uuid.UUID(toilet_id)).public_layer_only is True
    assert page.outside_requests == []
