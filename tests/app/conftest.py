"""Fixtures for the volunteer app's browser tests: a phone in a guarded context."""

from __future__ import annotations

import pytest

from tests.app.helpers import PHONE
from tests.browser import guarded_context
from tests.factories import CITY_HALL


@pytest.fixture
def phone(browser, live_server):
    """A Korean-language phone (390×844, touch) at Seoul City Hall with location allowed;
    requests to anything but the app are blocked and recorded (`phone.outside_requests`)."""
    context = guarded_context(browser, live_server, **PHONE, geolocation={"longitude": CITY_HALL[0],
                              "latitude": CITY_HALL[1], "accuracy": 8}, permissions=["geolocation"])
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.outside_requests = context.outside_requests  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    pg.not_found = []  # type: ignore[attr-defined]
    pg.on("response", lambda r: r.status == 404 and pg.not_found.append(r.url.split("?")[0].replace(live_server, "")))
    yield pg
    context.close()
