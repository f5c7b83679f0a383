"""GET /tiles/toilets/{z}/{x}/{y}.mvt: public vector tiles, cached until the layer changes."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.factories import CITY_HALL
from tests.moderation.helpers import assert_error_shape, claim_one, decide, moderator, submit
from tests.toilets.tile_helpers import features, place_toilet, tile_of
from toilets.service import retire_toilet

LON, LAT = CITY_HALL
Z, X, Y = tile_of(LON, LAT, 15)
URL = f"/tiles/toilets/{Z}/{X}/{Y}.mvt"


def _names(r) -> list[str]:
    return sorted(f["properties"]["name"] for f in features(r.content))


def test_a_tile_is_served_as_mvt_with_a_cache_policy(client, db):
    place_toilet(db, LON, LAT, "시청 화장실")
    db.flush()
    r = client.get(URL)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert r.headers["cache-control"] == "public, max-age=30"
    assert r.headers["etag"].startswith('"t1-')
    assert _names(r) == ["시청 화장실"]
    # a tile far from any toilet: empty, still 200 and a valid tile
    empty = client.get("/tiles/toilets/15/0/0.mvt")
    assert empty.status_code == 200 and empty.content == b"" and features(empty.content) == []


def test_a_tile_is_sent_gzipped_to_a_client_that_takes_gzip(client, db):
    for i in range(40):
        place_toilet(db, LON + i * 0.00005, LAT, f"압축 화장실 {i}")
    db.flush()
    zipped = client.get(URL, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) < len(zipped.content)  # httpx unzipped it
    plain = client.get(URL, headers={"Accept-Encoding": "identity"})
    refused = client.get(URL, headers={"Accept-Encoding": "br, gzip;q=0"})
    for r in (plain, refused):
        assert "content-encoding" not in r.headers
        assert int(r.headers["content-length"]) == len(r.content)
        assert r.content == zipped.content and len(features(r.content)) == 40
    assert plain.headers["etag"] != zipped.headers["etag"]  # one per representation
    # either tag says the client's copy is current
    assert client.get(URL, headers={"Accept-Encoding": "identity",
                                    "If-None-Match": zipped.headers["etag"]}).status_code == 304


def test_an_approval_changes_the_etag_and_the_tile_and_an_unchanged_tile_is_304(client, db, app):
    first = client.get(URL)
    assert first.status_code == 200 and _names(first) == []
    etag = first.headers["etag"]
    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(URL, headers={"If-None-Match": f"W/{etag}"}).status_code == 304

    mod = moderator(db, client)
    report_id, _ = submit(client, **{"place.name": "새로 승인된 화장실"})
    claim_one(client, mod, report_id)
    assert decide(client, mod, report_id, action="approve").status_code == 200

    after = client.get(URL, headers={"If-None-Match": etag})
    assert after.status_code == 200  # the old ETag no longer matches
    assert after.headers["etag"] != etag
    assert _names(after) == ["새로 승인된 화장실"]  # not the cached empty tile
    assert client.get(URL, headers={"If-None-Match": after.headers["etag"]}).status_code == 304


def test_a_tile_is_built_once_per_layer_state_and_a_retirement_takes_the_toilet_out(client, db, app):
    toilet = place_toilet(db, LON, LAT, "곧 폐쇄될 화장실")
    db.flush()
    cache = app.state.tile_cache
    assert _names(client.get(URL)) == ["곧 폐쇄될 화장실"]
    assert _names(client.get(URL)) == ["곧 폐쇄될 화장실"]
    assert (cache.misses, cache.hits) == (1, 1)

    retire_toilet(db, toilet=toilet, reason="철거됨", report_id=None, review_id=None)
    db.flush()
    assert _names(client.get(URL)) == []
    assert (cache.misses, cache.hits) == (2, 1)


def _statements(connection) -> list[str]:
    """The SQL the app sends on the test's connection from now on (its sessions join it)."""
    seen: list[str] = []
    event.listen(connection, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_cached_tile_is_served_without_a_query_and_a_publish_here_is_seen_at_once(client, db, app, connection):
    place_toilet(db, LON, LAT, "이미 있는 화장실")
    db.flush()
    clock = app.state.layer_clock
    first = client.get(URL)
    assert _names(first) == ["이미 있는 화장실"] and clock.reads == 1
    sql = _statements(connection)
    warm = client.get(URL)
    assert warm.content == first.content and warm.headers["etag"] == first.headers["etag"]
    assert client.get(URL, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert sql == [] and clock.reads == 1  # no session, no query: the state was trusted

    mod = moderator(db, client)  # an approval through this process: the next tile reads the state
    report_id, _ = submit(client, **{"place.name": "방금 승인된 화장실"})
    claim_one(client, mod, report_id)
    assert decide(client, mod, report_id, action="approve").status_code == 200
    after = client.get(URL)
    assert _names(after) == ["방금 승인된 화장실", "이미 있는 화장실"] and after.headers["etag"] != first.headers["etag"]
    assert clock.reads == 2


def test_a_change_made_elsewhere_is_seen_once_the_state_is_older_than_its_ttl(client, db, app, monkeypatch):
    clock = app.state.layer_clock
    assert clock.ttl_s == 1.0  # TILE_STATE_TTL_MS's default
    now = [1000.0]
    clock.now = lambda: now[0]
    before = client.get(URL)
    assert _names(before) == []
    # Another process's publish: counted there, not here (this process's count is held still).
    held = clock._reading.local_changes
    monkeypatch.setattr("toilets.tiles.local_changes", lambda: held)
    place_toilet(db, LON, LAT, "다른 프로세스의 화장실")
    db.flush()
    now[0] += clock.ttl_s * 0.9
    assert client.get(URL).headers["etag"] == before.headers["etag"]  # trusted: within the TTL
    now[0] += clock.ttl_s * 0.1
    later = client.get(URL)
    assert later.headers["etag"] != before.headers["etag"] and _names(later) == ["다른 프로세스의 화장실"]


@pytest.mark.parametrize(("path", "field"), [
    ("/tiles/toilets/23/0/0.mvt", "z"),
    ("/tiles/toilets/-1/0/0.mvt", "z"),
    ("/tiles/toilets/abc/0/0.mvt", "z"),
    ("/tiles/toilets/99999999999999999999999/0/0.mvt", "z"),
    ("/tiles/toilets/2/4/0.mvt", "x"),
    ("/tiles/toilets/2/0/4.mvt", "y"),
    ("/tiles/toilets/14/-3/0.mvt", "x"),
    ("/tiles/toilets/14/1.5/0.mvt", "x"),
    ("/tiles/toilets/14/0/%F0%9F%9A%BB.mvt", "y"),
])
def test_a_bad_tile_address_is_a_bilingual_422(client, path, field):
    body = assert_error_shape(client.get(path), 422, "invalid_tile")
    assert [f["path"] for f in body["fields"]] == [field]
    assert body["fields"][0]["message_ko"] and body["fields"][0]["message_en"]


def test_other_tile_urls_are_404(client):
    for path in ("/tiles/toilets/1/0/0.png", "/tiles/toilets/1/0.mvt", "/tiles/routes/1/0/0.mvt"):
        assert_error_shape(client.get(path), 404, "not_found")
    assert client.post("/tiles/toilets/1/0/0.mvt").status_code == 405
