"""Published toilets for the finder's browser tests, committed (the live server reads them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from tests.exports.helpers import publish
from tests.factories import CITY_HALL

# (name, overrides): a small town around City Hall, each toilet 60 m east of the one before.
TOWN: list[tuple[str, dict[str, Any]]] = [
    ("시청 본관 화장실", {"place.opening_hours": "24시간"}),
    ("좁은 문 화장실", {"toilet.door_clear_width_cm": 85}),
    ("비상벨 모름 화장실", {"toilet.emergency_bell": None}),
    ("계단 있는 화장실", {"access_route.step_free": "no"}),
    ("오래 전 확인한 화장실", {"toilet.arrangement": "unisex_accessible"}),
]


def publish_town(engine, *, old_name: str = "오래 전 확인한 화장실") -> dict[str, str]:
    """The TOWN, committed; returns name → toilet id."""
    from toilets.service import create_toilet
    from tests.factories import report_body

    ids = {}
    with Session(engine) as db:
        for i, (name, fields) in enumerate(TOWN):
            lon, lat = CITY_HALL[0] + i * 0.0006, CITY_HALL[1]
            if name == old_name:
                body = report_body(**{"place.name": name, **fields})
                body["location"]["lon"], body["location"]["lat"], body["access_route"]["path"] = lon, lat, None
                t = create_toilet(db, payload=body, report_id=None, review_id=None,
                                  verified_at=datetime(2024, 5, 1, 3, 0, tzinfo=UTC))
            elif i == 0:
                t = publish(db, main_photo=False, **{"place.name": name, **fields})  # with the route and obstacle
            else:
                t = publish(db, lon=lon, lat=lat, main_photo=False, **{"place.name": name, **fields})
            ids[name] = str(t.id)
        db.commit()
    return ids


# Counts the page's calls to the geolocation API (it must ask only when tapped).
COUNT_GEOLOCATION = """
window.__geolocationCalls = 0;
(function () {
  const g = navigator.geolocation, ask = g.getCurrentPosition.bind(g);
  g.getCurrentPosition = function (...args) { window.__geolocationCalls += 1; return ask(...args); };
})();
"""


def watch_page(context, live_server: str):
    """A page of `context` that records script errors, 404s and geolocation asks."""
    from tests.hostile_text import watch

    watch(context)
    context.add_init_script(COUNT_GEOLOCATION)
    pg = context.new_page()
    pg.set_default_timeout(20000)
    pg.outside_requests = context.outside_requests
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.not_found = []
    pg.on("response", lambda r: r.status == 404 and pg.not_found.append(r.url.split("?")[0].replace(live_server, "")))
    return pg
