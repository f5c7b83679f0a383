"""The public finder at / in Chromium on a phone: list, search, filters, near me, map, and the
toilet page; axe-core WCAG 2.1 AA in every state."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.app.helpers import assert_accessible, assert_clean
from toilets.verdict import CRITERIA

pytestmark = pytest.mark.browser


def _names(pg) -> list[str]:
    return pg.locator("#list .card h3").all_inner_texts()


def test_the_list_shows_every_toilet_with_its_verdict_in_words_and_shape(phone, live_server, town):
    phone.goto(live_server + "/")
    expect(phone.locator("#result-count")).to_have_text("5곳을 찾았습니다.")
    assert sorted(_names(phone)) == sorted(town)
    card = phone.locator(".card", has_text="좁은 문 화장실")
    expect(card.locator(".verdict")).to_have_text("▲ 일부 가능")
    assert_accessible(phone, "the finder's list")
    assert_clean(phone)


def test_near_me_asks_only_when_tapped_and_shows_distances_nearest_first(phone, live_server, town):
    phone.goto(live_server + "/")
    expect(phone.locator("#result-count")).to_have_text("5곳을 찾았습니다.")
    assert phone.evaluate("() => window.__geolocationCalls") == 0
    phone.get_by_role("button", name="내 주변 찾기").click()
    expect(phone.locator("#location-status")).to_contain_text("1 km")
    assert phone.evaluate("() => window.__geolocationCalls") == 1
    expect(phone.locator("#list .card .distance").first).to_have_text("0 m 거리")  # we stand at the third
    names = _names(phone)
    assert names[0] == "비상벨 모름 화장실" and set(names[1:3]) == {"좁은 문 화장실", "계단 있는 화장실"}
    phone.screenshot(path="/tmp/finder-near.png", full_page=True)
    assert_accessible(phone, "near me")
    assert_clean(phone)


def test_filters_by_criterion_and_the_empty_result(phone, live_server, town):
    phone.goto(live_server + "/")
    toggle = phone.get_by_role("button", name="조건", exact=True)
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    phone.get_by_label("출입문 90 cm 이상").check()
    phone.get_by_label("바닥에서 닿는 비상벨").check()
    assert_accessible(phone, "the filter panel open")
    phone.screenshot(path="/tmp/finder-filters.png", full_page=True)
    phone.get_by_role("button", name="적용").click()
    expect(phone.locator("#result-count")).to_have_text("3곳을 찾았습니다.")
    assert "좁은 문 화장실" not in _names(phone) and "비상벨 모름 화장실" not in _names(phone)
    assert "criteria=door_90%2Cbell_reachable" in phone.url or "criteria=door_90,bell_reachable" in phone.url
    phone.get_by_label("이름, 주소 또는 자치구").fill("없는이름")
    phone.get_by_role("button", name="검색", exact=True).click()
    expect(phone.locator("#result-count")).to_contain_text("조건에 맞는 화장실이 없습니다")
    assert_accessible(phone, "no results")
    assert_clean(phone)


def test_the_map_view_draws_the_results_and_opens_a_popup(phone, live_server, town):
    phone.goto(live_server + "/?view=map")
    phone.wait_for_function("() => document.querySelector('#map canvas') !== null")
    phone.wait_for_timeout(1500)
    phone.screenshot(path="/tmp/finder-map.png", full_page=True)
    assert_accessible(phone, "the map view")
    assert_clean(phone)


def test_the_toilet_page(phone, live_server, town):
    phone.goto(f"{live_server}/toilets/{town['좁은 문 화장실']}")
    expect(phone.locator("h1")).to_have_text("좁은 문 화장실")
    expect(phone.locator(".reasons")).to_contain_text("출입문 유효폭 85 cm < 90 cm")
    phone.wait_for_timeout(1500)
    phone.screenshot(path="/tmp/finder-toilet.png", full_page=True)
    assert_accessible(phone, "the toilet page")
    assert_clean(phone)


def test_the_toilet_page_says_why_where_when_and_links_a_change_report(phone, live_server, town):
    tid = town["시청 본관 화장실"]
    phone.goto(f"{live_server}/toilets/{tid}")
    expect(phone.locator("h1")).to_have_text("시청 본관 화장실")
    assert phone.title().startswith("시청 본관 화장실")
    expect(phone.locator(".verdict").first).to_have_text("● 접근 가능")
    reasons = phone.locator(".reasons li")
    expect(reasons).to_have_count(len(CRITERIA))  # one line per criterion of the verdict's table
    expect(reasons.filter(has_text="출입문 유효폭 100 cm ≥ 90 cm")).to_contain_text("충족")
    expect(reasons.filter(has_text="경사로 기울기: 확인 안 됨")).to_have_count(1)
    place = phone.locator("dl.place")
    expect(place).to_contain_text("서울특별시 중구 세종대로 110")
    expect(place).to_contain_text("안내데스크 왼쪽")
    expect(phone.locator(".obstacles")).to_contain_text("무거운 문: 무거운 방화문")
    expect(phone.locator(".hours-text")).to_have_text("24시간")
    expect(phone.locator(".open-now")).to_have_text("24시간")
    link = phone.get_by_role("link", name="바뀐 점 알리기")
    assert link.get_attribute("href") == f"/app/?toilet={tid}"
    phone.wait_for_function("() => document.querySelector('#route-map canvas') !== null")
    assert_accessible(phone, "the toilet page")
    phone.get_by_role("button", name="Switch to English").click()
    expect(phone.locator(".reasons")).to_contain_text("Door clear width 100 cm ≥ 90 cm")
    expect(phone.get_by_role("link", name="Report a change")).to_be_visible()
    assert phone.evaluate("() => document.documentElement.lang") == "en"
    assert_accessible(phone, "the toilet page in English")
    assert_clean(phone)


def test_an_ageing_toilet_says_when_it_was_last_checked(phone, live_server, town):
    phone.goto(f"{live_server}/toilets/{town['오래 전 확인한 화장실']}")
    expect(phone.locator(".ageing")).to_have_text("⚠ 2024-05-01에 마지막으로 확인: 오래되었습니다")
    phone.goto(live_server + "/?q=오래")
    expect(phone.locator("#list .card .ageing")).to_have_text("⚠ 2024-05-01에 마지막으로 확인: 오래되었습니다")
    assert_clean(phone)


@pytest.mark.parametrize("path", ["/toilets/not-a-uuid", "/toilets/00000000-0000-0000-0000-000000000000",
                                  "/toilets/%00", "/toilets/" + "9" * 300])
def test_an_unknown_toilet_is_a_bilingual_404_page(phone, live_server, town, path):
    r = phone.goto(live_server + path)
    assert r.status == 404
    expect(phone.locator("h1")).to_contain_text("이 화장실을 찾을 수 없습니다")
    expect(phone.locator("h1")).to_contain_text("This toilet could not be found")
    assert_accessible(phone, f"the 404 page for {path}")


def test_a_retired_toilet_is_gone_from_the_finder(phone, live_server, town, committed_engine):
    from sqlalchemy.orm import Session

    from toilets.models import Toilet
    from toilets.service import retire_toilet

    tid = town["계단 있는 화장실"]
    with Session(committed_engine) as db:
        retire_toilet(db, toilet=db.get(Toilet, tid), reason="철거", report_id=None, review_id=None)
        db.commit()
    assert phone.goto(f"{live_server}/toilets/{tid}").status == 404
    phone.goto(live_server + "/")
    expect(phone.locator("#result-count")).to_have_text("4곳을 찾았습니다.")


def test_a_failing_server_is_said_in_words_with_a_retry(phone, live_server, town):
    failing = {"on": True}

    def answer(route):
        if failing["on"]:
            route.fulfill(status=503, content_type="application/json", body=(
                '{"code": "database_unavailable", "message_ko": "잠시 후 다시 시도해 주세요.", '
                '"message_en": "Try again shortly.", "fields": []}'))
        else:
            route.continue_()

    phone.route("**/api/v1/toilets?*", answer)
    phone.goto(live_server + "/")
    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text("목록을 불러오지 못했습니다. 잠시 후 다시 시도해 주세요.")
    assert_accessible(phone, "the error state")
    failing["on"] = False
    alert.get_by_role("button", name="다시 시도").click()
    expect(phone.locator("#result-count")).to_have_text("5곳을 찾았습니다.")
    expect(alert).to_be_empty()


def test_keyboard_only_at_200_percent_zoom(browser, live_server, town):
    """A 640×400 CSS-pixel window is a 1280×800 screen at 200 %: every step by keyboard, the
    page reflows without sideways scrolling, and focus is always visible."""
    from tests.browser import guarded_context
    from tests.finder.helpers import watch_page

    context = guarded_context(browser, live_server, viewport={"width": 640, "height": 400})
    try:
        pg = watch_page(context, live_server)
        pg.goto(live_server + "/")
        expect(pg.locator("#result-count")).to_have_text("5곳을 찾았습니다.")
        pg.keyboard.press("Tab")
        assert pg.evaluate("() => document.activeElement.id") == "skip-link"
        pg.keyboard.press("Enter")
        assert pg.evaluate("() => document.activeElement.id") == "main"

        def tab_to(element_id: str, limit: int = 30) -> None:
            for _ in range(limit):
                pg.keyboard.press("Tab")
                if pg.evaluate("() => document.activeElement.id") == element_id:
                    return
            raise AssertionError(f"Tab never reached #{element_id}")

        tab_to("q")
        pg.keyboard.type("화장실")
        pg.keyboard.press("Enter")
        tab_to("filters-toggle")
        pg.keyboard.press("Enter")
        assert pg.evaluate("() => document.activeElement.id") == "c-step_free"
        pg.keyboard.press("Space")
        tab_to("apply-filters")
        pg.keyboard.press("Enter")
        expect(pg.locator("#result-count")).to_have_text("4곳을 찾았습니다.")
        assert pg.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert_accessible(pg, "filters open at 200 %")
        first = pg.locator("#list .card h3 a").first
        for _ in range(40):
            pg.keyboard.press("Tab")
            if pg.evaluate("() => document.activeElement.closest('.card') !== null"):
                break
        name = pg.evaluate("() => document.activeElement.textContent")
        assert name == first.inner_text()
        outline = pg.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"
        pg.keyboard.press("Enter")
        expect(pg.locator("h1")).to_have_text(name)
        assert pg.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert_clean(pg)
    finally:
        context.close()
