"""Hostile crowd text in every published free-text field, in Chromium: the finder's list, its
map popups and the toilet page show it as text, run none of it, and meet their CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from tests.exports.helpers import publish
from tests.factories import CITY_HALL
from tests.hostile_text import PAYLOADS, assert_inert, hostile, report_fields

pytestmark = pytest.mark.browser


def _publish_hostile(engine) -> list[dict[str, str]]:
    made = []
    with Session(engine) as db:
        for i in range(len(PAYLOADS)):
            fields = {k: v for k, v in report_fields(f"t{i}", i).items() if k != "notes"}
            note = hostile(f"t{i} obstacle", i + 5)
            t = publish(db, main_photo=False, **fields, **{"access_route.obstacles": [{"kind": "other", "note": note,
                                                                      "location": None, "height_cm": None,
                                                                      "width_cm": None}]},
                        lon=CITY_HALL[0] + i * 0.0004, lat=CITY_HALL[1])
            made.append({"id": str(t.id), **fields, "obstacle": note})
        db.commit()
    return made


def test_hostile_text_in_the_list_the_popups_and_the_toilet_pages(phone, live_server, committed_engine):
    made = _publish_hostile(committed_engine)
    phone.goto(live_server + "/")
    expect(phone.locator("#list .card")).to_have_count(len(made))
    assert_inert(phone, [m["place.name"] for m in made], where="the finder's list")

    # a plain browse draws the vector tiles; a search draws its results: both popups, every toilet
    for url, layer in (("/?view=map", "tile-toilets"), ("/?view=map&q=place.name", "toilets")):
        phone.goto(live_server + url)
        phone.wait_for_function("() => window.reachableFinder && window.reachableFinder.map.loaded()")
        for i, m in enumerate(made):
            phone.evaluate("([lon, lat]) => window.reachableFinder.map.jumpTo({center: [lon, lat], zoom: 19})",
                           [CITY_HALL[0] + i * 0.0004, CITY_HALL[1]])
            phone.wait_for_function(
                "layer => window.reachableFinder.map.queryRenderedFeatures({layers: [layer]}).length > 0", arg=layer)
            canvas = phone.locator("#map canvas")
            box = canvas.bounding_box()
            canvas.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
            popup = phone.locator(".maplibregl-popup .popup")
            expect(popup.locator(".popup-name")).to_have_text(m["place.name"])
            assert_inert(phone, [m["place.name"]], where=f"the {layer} popup of {m['id']}")

    for m in made[:3]:
        phone.goto(f"{live_server}/toilets/{m['id']}")
        expect(phone.locator("h1")).to_have_text(m["place.name"])
        assert_inert(phone, [m[k] for k in ("place.name", "place.building_name", "place.road_address",
                                            "place.lot_address", "place.location_detail", "place.opening_hours",
                                            "obstacle")], where="the toilet page")
        assert phone.title().startswith(m["place.name"])
    assert phone.outside_requests == []
