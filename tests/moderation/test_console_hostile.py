"""The moderator console with hostile text in every field a volunteer or moderator can fill, in
Chromium: the queue, claims, second reviews, the report's detail, the comparison with the
published toilet, the history, and the map frame's tooltips (hovered). Nothing may run or
become markup, every text must be shown as written, and no CSP violation may happen."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.orm import Session

from accounts.service import create_account
from tests.factories import CITY_HALL, report_body
from tests.hostile_text import SHORT, assert_inert, hostile, report_fields, watch

pytestmark = pytest.mark.browser
PASSWORD = "correct horse"
NORTH_15M, EAST_15M = 0.000135, 0.00017


def _account(engine, role: str, name: str) -> None:
    with Session(engine) as s:
        create_account(s, username=name, password=PASSWORD, role=role, username_field="username")
        s.commit()


def _login(http: httpx.Client, name: str) -> dict[str, str]:
    r = http.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _volunteer(http: httpx.Client, nickname: str) -> dict[str, str]:
    r = http.post("/api/v1/volunteers", json={"nickname": nickname, "password": PASSWORD, "age_band": "20s"})
    assert r.status_code == 201, r.text
    return _login(http, nickname)


def _submit(http, who, *, lon=CITY_HALL[0], lat=CITY_HALL[1], route=True, **fields) -> int:
    body = report_body(**fields)
    body["location"]["lon"], body["location"]["lat"] = lon, lat
    if not route:
        body["access_route"]["path"] = None
    r = http.post("/api/v1/reports", json=body, headers=who)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _decide(http, who, report_id: int, **body) -> dict:
    claimed = http.post("/api/v1/moderation/claims", json={"count": 1}, headers=who).json()["items"]
    assert [c["id"] for c in claimed] == [report_id]
    r = http.post(f"/api/v1/moderation/reports/{report_id}/decision", json=body, headers=who)
    assert r.status_code == 200, r.text
    return r.json()


def test_console_shows_hostile_text_as_text_everywhere(page, live_server, committed_engine):
    first_mod, console_mod = SHORT[1], "console-hostile"
    _account(committed_engine, "moderator", first_mod)
    _account(committed_engine, "moderator", console_mod)
    with httpx.Client(base_url=live_server) as http:
        m1 = _login(http, first_mod)
        author = _volunteer(http, SHORT[0])
        other = _volunteer(http, SHORT[2])

        # a published toilet 15 m north, approved by the hostile-named moderator
        toilet_fields = report_fields("toilet", 1)
        published = _submit(http, other, lat=CITY_HALL[1] + NORTH_15M, route=False, **toilet_fields)
        toilet_id = _decide(http, m1, published, action="approve")["toilet_id"]
        # held for a second review: a merge into it with hostile edits and comment, and its retirement
        merged_fields = report_fields("merged", 2)
        merged = _submit(http, other, lon=CITY_HALL[0] - EAST_15M, route=False, **merged_fields)
        merge_comment, edit_value = hostile("merge comment", 3), hostile("edit value", 4)
        _decide(http, m1, merged, action="merge", merge_into=toilet_id, comment=merge_comment,
                edits={"place.name": edit_value})
        retire_reason = hostile("retire reason", 5)
        r = http.post(f"/api/v1/moderation/toilets/{toilet_id}/retire", json={"reason": retire_reason}, headers=m1)
        assert r.status_code == 200, r.text

        # the report under review: every text field hostile, sent back once with a hostile
        # message and comment, and revised
        fields = report_fields("report", 0)
        obstacle_note = hostile("obstacle note", 6)
        report_id = _submit(http, author, **fields)
        message, comment = hostile("message to volunteer", 0), hostile("request comment", 1)
        _decide(http, m1, report_id, action="request_changes", message=message, comment=comment)
        revised = report_body(**fields)
        revised["access_route"]["obstacles"][0]["note"] = obstacle_note
        r = http.post(f"/api/v1/reports/{report_id}/revisions", json=revised, headers=author)
        assert r.status_code == 201, r.text
        # a pending report 15 m east (a duplicate candidate and a pending marker on the map)
        pending_fields = report_fields("pending", 2)
        pending = _submit(http, other, lon=CITY_HALL[0] + EAST_15M, route=False, **pending_fields)

    watch(page.context)
    page.goto(f"{live_server}/moderate")
    page.get_by_label("아이디").fill(console_mod)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인 Log in").click()
    page.locator("#second-reviews li").nth(1).wait_for()
    assert_inert(page, [first_mod, merge_comment, edit_value, retire_reason], where="second reviews")

    page.get_by_label("가져올 제보 수").fill("5")
    page.get_by_role("button", name="가져오기 Claim").click()
    page.locator(f"#claims button[data-report-id='{pending}']").wait_for()
    assert_inert(page, [f"#{report_id} {fields['place.name']}", f"#{pending} {pending_fields['place.name']}"],
                 where="claims")

    page.locator(f"#claims button[data-report-id='{report_id}']").click()
    page.get_by_role("heading", name=f"제보 Report #{report_id}").wait_for()
    page.locator("#fields-table td.differs").first.wait_for()  # compared with the published toilet
    published_text = [v for k, v in toilet_fields.items() if k != "notes"]  # notes are never published
    shown = [*fields.values(), *published_text, SHORT[0], message, comment,
             f"제보 Report #{report_id}: {fields['place.name']}", pending_fields["place.name"]]
    assert_inert(page, shown, where="report detail, comparison and history")
    assert page.locator("#edit-place-name").input_value() == fields["place.name"]
    assert [o.inner_text() for o in page.locator("#compare-select option").all()][1].startswith(
        toilet_fields["place.name"])

    # the map frame: hover each marker; its tooltip shows the name as text
    frame = page.frame_locator("#map-frame")
    frame.locator(".leaflet-container").wait_for()
    tips = [f"게시 Published: {toilet_fields['place.name']} (1층) – accessible",
            f"대기 제보 Pending report #{pending}: {pending_fields['place.name']} (in_review)",
            f"대기 제보 Pending report #{merged}: {merged_fields['place.name']} (pending_second_review)",
            f"이 제보 This report #{report_id}: {fields['place.name']}"]
    circles = frame.locator("path.leaflet-interactive[d*='a']")  # circle markers (the routes are lines)
    assert circles.count() == len(tips)
    seen = []
    for i in range(circles.count()):
        circles.nth(i).hover()
        tip = frame.locator(".leaflet-tooltip").last
        tip.wait_for()
        seen.append(tip.inner_text().strip())
        assert_inert(page, where=f"map tooltip {i}")
        page.mouse.move(1, 1)
    assert sorted(seen) == sorted(tips)  # each shown verbatim as text
    # the frame is sandboxed: an opaque origin without the console's storage
    map_frame = next(f for f in page.frames if "/map?ticket=" in f.url)
    assert map_frame.evaluate("() => { try { return sessionStorage.length; } catch (e) { return 'denied'; } }") \
        == "denied"
    assert map_frame.evaluate("() => { try { return parent.document.title; } catch (e) { return 'denied'; } }") \
        == "denied"
    assert page.outside_requests == []
