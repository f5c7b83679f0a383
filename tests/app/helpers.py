"""Helpers for the volunteer app's browser tests: the phone, photos, screenshots, checks."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
from sqlalchemy import text

from tests.browser import axe_violations

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True, "has_touch": True}
# 200 % zoom on a 390 px phone leaves 195 CSS px of width.
ZOOMED_PHONE = {**PHONE, "viewport": {"width": 195, "height": 422}}


def jpeg_bytes(width: int = 2400, height: int = 1800) -> bytes:
    """A photo larger than the app's 1600 px limit, so resizing on the phone shows."""
    from PIL import Image

    img = Image.new("RGB", (width, height), (180, 120, 60))
    for x in range(0, width, 200):
        img.paste((30, 60, 160), (x, 0, x + 40, height))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def assert_accessible(pg, what: str) -> None:
    violations = axe_violations(pg)
    assert violations == [], f"axe-core WCAG A/AA violations on {what}: {violations}"


def shoot(pg, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def make_organisation(engine, code: str = "SNU-SSC") -> str:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (code, name) VALUES (:c, :n) ON CONFLICT DO NOTHING"),
                     {"c": code, "n": "서울대학교 사회봉사센터"})
    return code


def nickname() -> str:
    """One volunteer per test (the committed tables are emptied after each), with a fixed name
    so the screenshots do not change from run to run."""
    return "한강봉사자"


NEARBY = "/api/v1/toilets/nearby"


def assert_clean(pg) -> None:
    """No outside host asked, no script error, and no missing resource."""
    assert pg.outside_requests == []
    assert pg.not_found == [], pg.not_found
    errors = [e for e in pg.console_errors if not e.startswith("Failed to load resource")]
    assert errors == [], errors


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
