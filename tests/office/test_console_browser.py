"""The office console (/office) in Debian's Chromium: keyboard only, at phone width and 200 %
zoom, axe WCAG 2.1 AA clean on every screen in both languages; the charts' CSV downloads; the
printable final report; and hostile text (names people typed) shown as text on every screen."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.browser import axe_violations, guarded_context, tab_to
from tests.factories import login, make_account
from tests.hostile_text import SHORT, assert_inert, hostile, watch

pytestmark = pytest.mark.browser
PASSWORD = "correct horse"
SCREENS = ("dashboard", "campaign", "report", "gaps", "organisations", "accounts", "audit")
# 200 % zoom on a 390 px phone leaves 195 CSS px of width.
ZOOMED_PHONE = {"viewport": {"width": 195, "height": 422}, "device_scale_factor": 1, "is_mobile": True,
                "has_touch": True}


def _account(engine, role: str, name: str) -> None:
    with Session(engine) as s:
        make_account(s, role, name, PASSWORD)


def _open_as_admin(pg, url: str, engine, name: str) -> None:
    _account(engine, "admin", name)
    pg.set_default_timeout(20000)
    pg.goto(url)
    pg.fill("#login-username", name)
    pg.fill("#login-password", PASSWORD)
    pg.get_by_role("button", name="로그인").click()


def _overflow(pg) -> int:
    return pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def _keyboard_login(pg, name: str) -> None:
    tab_to(pg, "#login-username")
    pg.keyboard.type(name)
    pg.keyboard.press("Tab")
    pg.keyboard.type(PASSWORD)
    pg.keyboard.press("Enter")
    pg.locator("#views").wait_for()


def test_keyboard_only_at_200_percent_zoom_axe_clean_in_both_languages(browser, live_server, committed_engine):
    _account(committed_engine, "admin", "office-admin")
    with httpx.Client(base_url=live_server) as http:
        admin = login(http, "office-admin", PASSWORD)
        assert http.post("/api/v1/organisations", json={"code": "UNI-1", "name": "서울대학교 사회봉사단",
                                                        "participant_target": 100}, headers=admin).status_code == 201
        assert http.post("/api/v1/partners", json={"name": "라벨링 협력사"}, headers=admin).status_code == 201
    context = guarded_context(browser, live_server, **ZOOMED_PHONE)
    pg = context.new_page()
    pg.set_default_timeout(20000)
    try:
        pg.goto(f"{live_server}/office")
        _keyboard_login(pg, "office-admin")
        pg.locator("#dashboard-tables canvas").first.wait_for()
        assert pg.locator("#headline").inner_text().count("참여자") == 1
        for lang in ("ko", "en"):
            for screen in SCREENS:
                tab_to(pg, f'nav a[data-view="{screen}"]')
                pg.keyboard.press("Enter")
                pg.wait_for_function("(v) => document.body.dataset.view === v", arg=screen)
                pg.locator(f"#view-{screen}").wait_for()
                pg.wait_for_load_state("networkidle")
                assert _overflow(pg) <= 0, f"{screen} scrolls sideways ({lang})"
                assert axe_violations(pg) == [], f"{screen} ({lang})"
            if lang == "ko":
                tab_to(pg, "#lang-switch")
                pg.keyboard.press("Enter")
                pg.get_by_role("heading", name="Programme office").wait_for()
                assert pg.evaluate("() => document.documentElement.lang") == "en"

        # the campaign, by keyboard: the organisation's target field is there
        tab_to(pg, 'nav a[data-view="campaign"]')
        pg.keyboard.press("Enter")
        tab_to(pg, "#campaign-name")
        pg.keyboard.type("2023 campaign")
        for selector, value in (("#campaign-start", "2023-09-01"), ("#campaign-end", "2023-12-09"),
                                ("#campaign-target", "3000")):
            pg.fill(selector, value)  # date pickers: typed values, as a keyboard user would enter them
        tab_to(pg, "#campaign-form button[type=submit]")
        pg.keyboard.press("Enter")
        pg.locator("#status", has_text="Campaign saved").wait_for()
        assert context.outside_requests == []
    finally:
        context.close()


def test_dashboard_csv_download_and_printable_report(page, live_server, committed_engine):
    _open_as_admin(page, f"{live_server}/office", committed_engine, "office-admin2")
    page.locator("#chart-districts").wait_for()
    districts = page.locator("section.figure", has=page.locator("#title-districts"))
    assert districts.locator("tbody tr").count() == 25  # every district, as a table too
    with page.expect_download() as info:
        districts.get_by_role("button", name="자치구별 현황 CSV 내려받기").click()
    data = open(info.value.path(), "rb").read()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8").splitlines()[0].startswith("code,name_ko,name_en,reports")
    # the missions per district (issue 12 item 6): a chart, a table of every district, a CSV
    page.locator("#chart-missions").wait_for()
    missions = page.locator("section.figure", has=page.locator("#title-missions"))
    assert missions.locator("tbody tr").count() == 25
    with page.expect_download() as info:
        missions.get_by_role("button", name="자치구별 확인 요청 CSV 내려받기").click()
    header = open(info.value.path(), "rb").read().decode("utf-8").splitlines()[0]
    assert header == "code,name_ko,name_en,open_gap,open_reverify,taken,reported,done,closed"
    page.get_by_role("link", name="최종 보고서").click()
    page.locator("#report-body table").first.wait_for()
    page.fill("#report-from", "2023-12-09")
    page.fill("#report-to", "2023-09-01")
    page.get_by_role("button", name="보고서 만들기").click()
    page.locator("#error", has_text="끝 날짜가 시작 날짜보다 빠릅니다").wait_for()  # the 422, in Korean
    page.fill("#report-from", "2023-09-01")
    page.fill("#report-to", "2023-12-09")
    page.get_by_role("button", name="보고서 만들기").click()
    page.locator(".report-range", has_text="2023-09-01 – 2023-12-09 (100일)").wait_for()
    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible() and not page.locator("#report-range").is_visible()
    assert page.locator("#report-body").is_visible() and page.locator("#report-body table").count() == 2
    page.emulate_media(media="screen")
    assert page.outside_requests == []


def test_hostile_names_are_text_on_every_screen(browser, live_server, committed_engine):
    _account(committed_engine, "admin", "office-admin3")
    mod_name = SHORT[0]
    _account(committed_engine, "moderator", mod_name)
    org_name, partner_name = hostile("organisation name", 1), hostile("partner name", 2)
    with httpx.Client(base_url=live_server) as http:
        admin = login(http, "office-admin3", PASSWORD)
        org = http.post("/api/v1/organisations", json={"code": "EVIL-1", "name": org_name[:200],
                                                       "participant_target": 3}, headers=admin).json()
        partner = http.post("/api/v1/partners", json={"name": partner_name[:200]}, headers=admin).json()
        mod_id = login(http, mod_name, PASSWORD) and next(a["id"] for a in http.get(
            "/api/v1/accounts?role=moderator", headers=admin).json())
        assert http.put(f"/api/v1/partners/{partner['id']}/moderators/{mod_id}", headers=admin).status_code == 200
        campaign = {"name": hostile("campaign name", 3)[:200], "starts_on": "2023-09-01", "ends_on": "2023-12-09",
                    "participant_target": 3000}
        assert http.put("/api/v1/office/campaign", json=campaign, headers=admin).status_code == 200
        assert http.post("/api/v1/volunteers", json={"nickname": SHORT[1], "password": PASSWORD, "age_band": "20s",
                                                     "organisation_code": "EVIL-1"}).status_code == 201
    gap_name = hostile("reference name", 4)
    with committed_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO reference_toilets (management_no, name, road_address, raw, district_code, disabled_stalls, "
            "location) VALUES ('G1', :n, :n, '{}', '11140', 1, ST_SetSRID(ST_MakePoint(126.978, 37.5665), 4326))"),
            {"n": gap_name})
    context = guarded_context(browser, live_server)
    watch(context)
    pg = context.new_page()
    pg.set_default_timeout(20000)
    try:
        pg.goto(f"{live_server}/office")
        pg.fill("#login-username", "office-admin3")
        pg.fill("#login-password", PASSWORD)
        pg.get_by_role("button", name="로그인").click()
        pg.locator("#chart-organisations").wait_for()
        pg.wait_for_load_state("networkidle")
        assert_inert(pg, [org["name"], campaign["name"]], where="dashboard")
        pg.get_by_role("link", name="캠페인").click()
        pg.locator("#campaign-org-targets input").first.wait_for()
        assert_inert(pg, [org["name"]], where="campaign")
        assert pg.input_value("#campaign-name") == campaign["name"]
        pg.get_by_role("link", name="최종 보고서").click()
        pg.locator("#report-body table").first.wait_for()
        assert_inert(pg, [org["name"]], where="report")
        pg.get_by_role("link", name="단체·협력 기관").click()
        pg.locator("#partners-list h4").first.wait_for()
        assert_inert(pg, [partner["name"], mod_name], where="organisations")
        assert pg.input_value(f"#org-name-{org['id']}") == org["name"]
        pg.get_by_role("link", name="계정").click()
        pg.locator("#accounts-list tbody tr").first.wait_for()
        assert_inert(pg, [mod_name, SHORT[1], partner["name"]], where="accounts")
        pg.get_by_role("link", name="감사 기록").click()
        pg.locator("#audit-list tbody tr").first.wait_for()
        assert_inert(pg, [SHORT[1]], where="audit")
        pg.get_by_role("link", name="미확인 공중화장실").click()
        pg.locator("#gaps-body tbody tr").first.wait_for()
        pg.locator(".leaflet-interactive").first.hover()
        pg.locator(".leaflet-tooltip").wait_for()
        assert_inert(pg, [gap_name], where="gaps (tooltip open)")  # the join's actor; the details hold every name as JSON text
        details = pg.locator("#audit-list").inner_text()
        assert "EVIL-1" in details and "injected" in details
        assert context.outside_requests == []
    finally:
        context.close()


def test_accounts_screen_creates_deactivates_reactivates_and_resets(page, live_server, committed_engine):
    _open_as_admin(page, f"{live_server}/office#accounts", committed_engine, "office-admin4")
    page.locator("#accounts-list tbody tr").first.wait_for()
    page.fill("#account-username", "new-mod")
    page.fill("#account-password", "first password")
    page.select_option("#account-role", "moderator")
    page.get_by_role("button", name="계정 만들기").click()
    page.locator("#status", has_text="new-mod 계정을 만들었습니다").wait_for()
    page.get_by_role("button", name="new-mod 사용 중지").click()
    page.get_by_role("button", name="new-mod 다시 사용").wait_for()
    with httpx.Client(base_url=live_server) as http:
        assert http.post("/api/v1/auth/token", data={"username": "new-mod", "password": "first password"}
                         ).json()["code"] == "account_deactivated"
    page.get_by_role("button", name="new-mod 다시 사용").click()
    page.get_by_role("button", name="new-mod 사용 중지").wait_for()
    page.locator("details", has=page.get_by_label("new-mod 새 비밀번호")).locator("summary").click()
    page.get_by_label("new-mod 새 비밀번호").fill("second password")
    page.get_by_label("new-mod 새 비밀번호").press("Enter")
    page.locator("#status", has_text="new-mod의 비밀번호를 바꿨습니다").wait_for()
    with httpx.Client(base_url=live_server) as http:
        assert http.post("/api/v1/auth/token", data={"username": "new-mod", "password": "second password"}
                         ).status_code == 200
    page.fill("#accounts-q", "NEW")
    page.get_by_role("button", name="찾기").click()
    page.wait_for_function("() => document.querySelectorAll('#accounts-list tbody tr').length === 1")
    page.get_by_role("link", name="감사 기록").click()
    page.fill("#audit-action", "account.")
    page.get_by_role("button", name="거르기").click()
    page.locator("#audit-list p", has_text="4건").wait_for()  # create, deactivate, reactivate, reset
    assert page.outside_requests == []


def test_an_ambiguous_gap_is_resolved_by_keyboard_and_its_names_stay_text(browser, live_server, committed_engine):
    """Issue 12 item 4: "ambiguous ones left for a person". The gap list offers an ambiguous record's
    candidates; choosing one by keyboard makes it the office's match and the record leaves the list."""
    import json

    from tests.moderation.helpers import claim_one, decide, submit

    _account(committed_engine, "admin", "office-admin5")
    _account(committed_engine, "moderator", "office-mod5")
    toilet_name = hostile("candidate toilet name", 5)[:100]
    with httpx.Client(base_url=live_server) as http:
        mod = login(http, "office-mod5", PASSWORD)
        report_id, _ = submit(http, **{"place.name": toilet_name})
        claim_one(http, mod, report_id)
        toilet = decide(http, mod, report_id, action="approve").json()["toilet_id"]
    record_name = hostile("ambiguous record name", 6)
    candidates = [{"toilet_id": toilet, "name": toilet_name, "method": "distance", "distance_m": 14.2,
                   "similarity": 0.35, "strong": True}]
    with committed_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO reference_toilets (management_no, name, raw, district_code, disabled_stalls, match_status, "
            "match_method, candidate_toilet_id, match_candidates, location) VALUES ('AMB-B', :n, '{}', '11140', 1, "
            "'ambiguous', 'distance', :t, CAST(:c AS jsonb), ST_SetSRID(ST_MakePoint(126.978, 37.5665), 4326))"),
            {"n": record_name, "t": toilet, "c": json.dumps(candidates)})
    context = guarded_context(browser, live_server, **ZOOMED_PHONE)
    watch(context)
    pg = context.new_page()
    pg.set_default_timeout(20000)
    try:
        pg.goto(f"{live_server}/office#gaps")
        _keyboard_login(pg, "office-admin5")
        pg.locator("#gaps-body details.resolver summary").wait_for()
        tab_to(pg, "#gaps-body details.resolver summary", limit=200)
        pg.keyboard.press("Enter")
        button = pg.get_by_role("button", name=f"{record_name}을(를) {toilet_name}에 연결")
        button.wait_for()
        assert_inert(pg, [record_name, toilet_name], where="gaps (candidates open)")
        assert axe_violations(pg) == []
        pg.keyboard.press("Tab")
        assert pg.evaluate("() => document.activeElement.textContent") == "이 화장실로 연결"
        pg.keyboard.press("Enter")
        pg.wait_for_function("() => document.getElementById('status').textContent.includes('연결했습니다')")
        assert pg.locator("#gaps-body details.resolver").count() == 0
        assert_inert(pg, [], where="gaps (resolved)")
        assert context.outside_requests == []
    finally:
        context.close()
    with committed_engine.connect() as conn:
        row = conn.execute(text("SELECT match_status, match_method, candidate_toilet_id::text FROM reference_toilets "
                                "WHERE management_no = 'AMB-B'")).one()
    assert tuple(row) == ("matched", "person", toilet)
