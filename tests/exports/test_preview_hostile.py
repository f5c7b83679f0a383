"""The preview map with hostile names, in Chromium: /maps/preview and the CLI's standalone file.
Every tooltip is hovered and every popup clicked; nothing may run or become markup, the text
must be shown as written, and the page must run under its CSP without a violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from cli.main import app as cli
from core.config import get_settings
from tests.factories import CITY_HALL
from tests.exports.helpers import publish, report_with_photos, settle_preview
from tests.hostile_text import PAYLOADS, assert_inert, hostile, watch
from toilets.service import create_toilet

pytestmark = pytest.mark.browser


def _publish_hostile(engine, settings) -> list[tuple[str, str]]:
    """One toilet per payload, 20 m apart along a street (so each has its own marker at zoom 18),
    the first with a main photo; returns (name, building_name) of each."""
    made = []
    with Session(engine) as db:
        for i in range(len(PAYLOADS)):
            name, building = hostile(f"name {i}", i), hostile(f"building {i}", i + 3)
            fields = {"place.name": name, "place.building_name": building, "place.road_address": hostile("road", i),
                      "place.lot_address": hostile("lot", i), "place.location_detail": hostile("detail", i),
                      "place.opening_hours": hostile("hours", i), "notes": hostile("notes", i)}
            lon, lat = CITY_HALL[0] + i * 0.00023, CITY_HALL[1]
            if i == 0:
                report, body, _ = report_with_photos(db, settings, kinds=("entrance",), **fields)
                body["location"]["lon"], body["location"]["lat"], body["access_route"]["path"] = lon, lat, None
                create_toilet(db, payload=body, report_id=report.id, review_id=None)
            else:
                publish(db, lon=lon, lat=lat, **fields)
            made.append((name, building))
        db.commit()
    return made


def _open_every_marker(pg, made, where: str) -> None:
    pg.wait_for_function(f"() => window.reachablePreview && window.reachablePreview.markers.length === {len(made)}",
                         timeout=20000)
    # zoom in where every marker stands alone (the page's own fitBounds may still be animating)
    settle_preview(pg, "L.featureGroup(p.markers).getBounds().getCenter()",
                   markers=f"document.querySelectorAll('path.rv-marker').length === {len(made)}")
    markers = pg.locator("path.rv-marker")
    names, photos = dict(made), 0
    for i in range(len(made)):
        pg.evaluate("() => { const p = window.reachablePreview; p.map.closePopup(); "
                    "p.markers.forEach(m => m.closeTooltip()); }")
        marker = markers.nth(i)
        marker.hover()
        pg.wait_for_function("m => m.getAttribute('aria-describedby')", arg=marker.element_handle())
        tip = pg.locator("#" + marker.get_attribute("aria-describedby"))  # Leaflet links a layer to its tooltip
        tip.wait_for(timeout=10000)
        shown = tip.inner_text()
        matches = [n for n in names if n in shown]
        assert matches, f"{where}: tooltip {i} shows no name verbatim as text: {shown!r}"
        name = matches[0]
        assert_inert(pg, [name], where=f"{where} tooltip {i}")
        marker.click()
        popup = pg.locator(".leaflet-popup-content .rv-popup").filter(has_text=name)  # the last may be fading out
        popup.wait_for(timeout=10000)
        assert popup.locator("strong").inner_text() == name
        assert_inert(pg, [name, names[name]], where=f"{where} popup {i}")
        if name == made[0][0]:  # the main photo loads (under the page's policy, or the file's own)
            pg.wait_for_function("() => { const i = document.querySelector('.rv-popup img'); "
                                 "return i && i.complete && i.naturalWidth > 0; }", timeout=10000)
            photos += 1
        names.pop(name)
    assert names == {} and photos == 1  # every marker was opened


def test_preview_page_shows_hostile_names_as_text_under_its_csp(page, live_server, committed_engine, settings):
    made = _publish_hostile(committed_engine, settings)
    watch(page.context)
    page.goto(f"{live_server}/maps/preview")
    _open_every_marker(page, made, "/maps/preview")
    page.select_option("#rv-district", "11140")
    assert_inert(page, where="/maps/preview filtered")
    assert page.outside_requests == []


@pytest.fixture
def cli_env(monkeypatch, database_url, committed_engine, settings):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PHOTO_DIR", str(settings.photo_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_standalone_preview_file_shows_hostile_names_as_text_under_its_own_csp(
        browser, cli_env, committed_engine, settings, tmp_path: Path):
    made = _publish_hostile(committed_engine, settings)
    out = tmp_path / "preview.html"
    r = CliRunner().invoke(cli, ["export", "preview", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert '<meta http-equiv="Content-Security-Policy"' in out.read_text()
    context = browser.new_context(locale="ko-KR")
    asked: list[str] = []
    context.route("http*://**/*", lambda route: (asked.append(route.request.url), route.abort()))
    watch(context)
    pg = context.new_page()
    try:
        pg.goto(out.as_uri())
        _open_every_marker(pg, made, "standalone file")
    finally:
        context.close()
    assert asked == []
