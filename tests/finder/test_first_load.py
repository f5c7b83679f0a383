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


# Records the layout shifts from now on (not after an input), and what moved. Started by the test
# once the page has painted, while its script is held back (an observer from an init script saw
# nothing in this Chromium); kept on window, as an unreferenced observer may be collected.
RECORD_SHIFTS = """() => {
  window.__shifts = [];
  window.__shiftObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      window.__shifts.push({ value: e.value, moved: e.sources.map((s) => s.node ? (s.node.id || s.node.className || s.node.nodeName) : "") });
    }
  });
  window.__shiftObserver.observe({ type: "layout-shift" });
}"""


TWO_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"


# Where the blocks of the page are (their tops, CSS px) and the words set by script.
PLACES = """() => [...document.querySelectorAll('header, #tagline, #search-form, .near, #filters-toggle, .results')]
  .map((e) => [e.id || e.className || e.nodeName, Math.round(e.getBoundingClientRect().top)])"""


def test_nothing_moves_when_the_script_and_the_results_arrive_after_the_first_paint(phone, live_server, town):
    """A slow phone paints the page before its script has run and before the results come: the
    words, the list and the footer must already have their places (Lighthouse counted a layout
    shift of 0.38 here: the footer pushed down by the results, the hints filled in by script)."""
    held = []
    for pattern in ("**/static/finder/main.js", "**/api/v1/toilets?*"):
        phone.route(pattern, lambda route: held.append(route))
    phone.goto(live_server + "/", wait_until="commit")
    phone.wait_for_function("() => performance.getEntriesByType('paint').some((e) => e.name === 'first-contentful-paint')")
    phone.wait_for_function(TWO_FRAMES)
    assert [r.request.url.split("/")[-1] for r in held] == ["main.js"]  # the results wait for the script
    phone.evaluate(RECORD_SHIFTS)
    painted = phone.evaluate(PLACES)
    # the footer starts below the first screen (the results keep a screen's height), so the
    # results pushing it further down move nothing a person sees
    assert phone.evaluate("() => document.querySelector('footer').getBoundingClientRect().top >= innerHeight")
    words = phone.evaluate("() => ['tagline', 'q-hint', 'near-hint'].map((id) => document.getElementById(id).textContent)")
    assert all(words), words  # in the page itself, not only from the script
    held.pop().continue_()
    for _ in range(100):  # the script asks for the results; hold them until it has drawn once more
        if held:
            break
        phone.wait_for_timeout(100)
    assert held, "the finder did not ask for results"
    phone.wait_for_function(TWO_FRAMES)
    assert phone.evaluate(PLACES) == painted  # the script's words took no new room
    held.pop().continue_()
    expect(phone.locator("#result-count")).to_have_text("5곳을 찾았습니다.")
    phone.wait_for_function(TWO_FRAMES)
    after = phone.evaluate(PLACES)
    assert after == painted, (painted, after)  # nor did the results
    shifts = phone.evaluate("() => window.__shifts")
    assert sum(s["value"] for s in shifts) < 0.01, shifts
