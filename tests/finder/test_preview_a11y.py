"""/maps/preview (issue 13 item 4): a language, a title, zoom allowed, and axe-core WCAG 2.1 AA
clean in Chromium, at phone width and on a desk."""

from __future__ import annotations

import pytest

from tests.app.helpers import PHONE, assert_accessible
from tests.browser import guarded_context
from tests.finder.helpers import publish_town


def test_the_preview_document_names_its_language_and_title_and_lets_people_zoom(client, db):
    html = client.get("/maps/preview").text
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"ko\">")
    assert "<title>지도 미리보기 · Map preview · 휠체어도 가는 화장실</title>" in html
    assert "user-scalable=no" not in html and "maximum-scale" not in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1" />' in html


@pytest.mark.browser
@pytest.mark.parametrize("device", [PHONE, {"viewport": {"width": 1280, "height": 800}}], ids=["phone", "desk"])
def test_the_preview_is_axe_clean(browser, live_server, committed_engine, device):
    publish_town(committed_engine)
    context = guarded_context(browser, live_server, **device)
    try:
        pg = context.new_page()
        pg.goto(f"{live_server}/maps/preview")
        pg.wait_for_function("() => window.reachablePreview && window.reachablePreview.markers.length === 5",
                             timeout=20000)
        assert pg.title() == "지도 미리보기 · Map preview · 휠체어도 가는 화장실"
        assert_accessible(pg, "/maps/preview")
        assert context.outside_requests == []
    finally:
        context.close()
