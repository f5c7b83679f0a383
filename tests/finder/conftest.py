"""Fixtures for the finder's browser tests: a phone in a guarded context, and the test town."""

from __future__ import annotations

import pytest

from tests.app.helpers import PHONE
from tests.browser import guarded_context
from tests.factories import CITY_HALL
from tests.finder.helpers import publish_town, watch_page


@pytest.fixture
def town(committed_engine) -> dict[str, str]:
    return publish_town(committed_engine)


@pytest.fixture
def phone(browser, live_server):
    """A Korean phone (390×844) standing at City Hall; location allowed, but the page must ask
    only when the person taps "near me" (`phone.geolocation_calls` counts the asks)."""
    context = guarded_context(browser, live_server, **PHONE, geolocation={"longitude": CITY_HALL[0] + 0.0012,
                              "latitude": CITY_HALL[1], "accuracy": 10}, permissions=["geolocation"])
    pg = watch_page(context, live_server)
    yield pg
    context.close()
