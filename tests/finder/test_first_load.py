"""The finder's first load stays small (issue 13: < 300 kB without base tiles): static files are
sent gzip-compressed, and MapLibre (~1.7 MB raw) is fetched only when the map view is shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _transferred(pg) -> dict[str, int]:
    """Bytes on the wire per URL path (headers and encoded body), from the page's own timing."""
    entries = pg.evaluate("""() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
        .map(e => [new URL(e.name).pathname, e.transferSize])""")
    out: dict[str, int] = {}
    for path, size in entries:
        out[path] = out.get(path, 0) + size
    return out


def test_the_first_load_is_small_and_the_map_comes_when_asked(phone, live_server, town):
    phone.goto(live_server + "/")
    expect(phone.locator("#result-count")).to_have_text("5곳을 찾았습니다.")
    first = _transferred(phone)
    assert not [p for p in first if "maplibre" in p], first
    total = sum(first.values())
    print(f"finder first load: {total} bytes over {len(first)} requests")
    assert 0 < total < 300_000, first

    phone.get_by_role("button", name="지도").click()
    phone.wait_for_function("() => window.reachableFinder && window.reachableFinder.map.loaded()")
    after = _transferred(phone)
    lib = sum(v for p, v in after.items() if p.startswith("/static/vendor/maplibre-gl/"))
    raw = 1_120_720  # maplibre-gl.mjs alone, uncompressed
    print(f"map view: MapLibre {lib} bytes on the wire")
    assert 0 < lib < raw  # compressed on the way
