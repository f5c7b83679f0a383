"""The finder's map says what it shows and shows it: the whole layer (tile clusters counting the
verdicts shown) on a plain browse, the list's results grouped with their counts otherwise."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.app.helpers import assert_accessible, assert_clean

pytestmark = pytest.mark.browser

# The properties of what a layer draws, once the map has loaded and drawn some (else null).
DRAWN = """(layers) => {
  const m = window.reachableFinder && window.reachableFinder.map;
  if (!m || !m.loaded()) return null;
  const fs = m.queryRenderedFeatures({ layers });
  return fs.length ? fs.map((f) => f.properties) : null;
}"""


def _drawn(pg, *layers: str) -> list[dict]:
    return pg.wait_for_function(DRAWN, arg=list(layers)).json_value()


def _visible(pg, layer: str) -> bool:
    return pg.evaluate("(id) => window.reachableFinder.map.getLayoutProperty(id, 'visibility') !== 'none'", layer)


def _has_icon(pg, name: str) -> bool:
    return pg.evaluate("(id) => window.reachableFinder.map.hasImage(id)", name)


def _count(pg, query: str) -> int:
    return pg.request.get(f"{pg.url.split('/?')[0]}/api/v1/toilets?{query}").json()["numberMatched"]


def test_a_plain_browse_draws_the_layer_with_cluster_counts(phone, live_server, town):
    phone.goto(live_server + "/?view=map")
    clusters = _drawn(phone, "tile-clusters")  # the town's five toilets, one group at city zoom
    assert [c["point_count"] for c in clusters] == [5]
    assert _has_icon(phone, "count-5")  # the count is drawn on the group
    expect(phone.locator("#map-shows")).to_contain_text("공개된 화장실이 모두")
    assert not _visible(phone, "result-clusters") and not _visible(phone, "toilets")
    assert_accessible(phone, "the map view, the whole layer")
    assert_clean(phone)


def test_a_verdict_filter_counts_only_that_verdict_in_the_clusters(phone, live_server, town):
    phone.goto(live_server + "/?view=map&verdict=accessible")
    accessible = _count(phone, "verdict=accessible")
    assert 0 < accessible < 5
    clusters = _drawn(phone, "tile-clusters")
    assert [c["count_accessible"] for c in clusters] == [accessible]
    assert _has_icon(phone, f"count-{accessible}") and not _has_icon(phone, "count-5")
    expect(phone.locator("#map-shows")).to_contain_text("고른 판정의 화장실이 모두")


def test_with_criteria_the_map_draws_the_lists_results_grouped_with_their_count(phone, live_server, town):
    phone.goto(live_server + "/?view=map&criteria=door_90")
    matched = _count(phone, "criteria=door_90")
    assert 1 < matched < 5  # the narrow door is left out
    expect(phone.locator("#result-count")).to_have_text(f"{matched}곳을 찾았습니다.")
    listed = phone.evaluate("() => [...document.querySelectorAll('#list .card h3 a')].map((a) => a.pathname.split('/').pop())")
    drawn = _drawn(phone, "toilets")  # fitted to the results: each one, where it is
    assert sorted(d["id"] for d in drawn) == sorted(listed) and len(listed) == matched
    phone.evaluate("() => window.reachableFinder.map.jumpTo({ zoom: 10 })")  # out to the city: one group
    groups = _drawn(phone, "result-clusters")
    assert [g["point_count"] for g in groups] == [matched] and _has_icon(phone, f"count-{matched}")
    assert not _visible(phone, "tile-clusters") and not _visible(phone, "tile-toilets")
    expect(phone.locator("#map-shows")).to_have_text(
        f"지도에는 목록의 결과 {matched}곳이 보입니다 (모두 {matched}곳). 숫자는 그곳에 모인 결과 수입니다.")
    phone.get_by_role("button", name="English").click()
    expect(phone.locator("#map-shows")).to_contain_text(f"The map shows the list's {matched} results (of {matched})")
    assert_accessible(phone, "the map view, the list's results")
    assert_clean(phone)
