"""Incremental sync: a consumer that applies `since=<its last seq>` repeatedly ends up with exactly
the full export, whatever happened in between (random change histories, replayed)."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from exports.request import layer_state
from tests.factories import report_body
from tests.exports.helpers import export_json, publish
from toilets.models import Toilet
from toilets.service import create_toilet, retire_toilet, update_toilet

PLACES = [(126.9779, 37.5663), (126.9790, 37.5650), (127.0473, 37.5172), (127.0490, 37.5160)]  # 중구 ×2, 강남구 ×2
PATHS = [None, [[126.97745, 37.56605], [126.97790, 37.56630]]]

op = st.one_of(
    st.tuples(st.just("create"), st.integers(0, len(PLACES) - 1), st.integers(0, 1), st.sampled_from([70, 85, 100])),
    st.tuples(st.just("update"), st.integers(0, 50), st.integers(0, len(PLACES) - 1), st.sampled_from([70, 85, 100])),
    st.tuples(st.just("retire"), st.integers(0, 50), st.just(0), st.just(0)),
    st.tuples(st.just("sync"), st.just(0), st.just(0), st.just(0)),
)


def _payload(place: int, width: int, with_path: bool) -> dict:
    body = report_body(**{"toilet.door_clear_width_cm": width})
    body["location"]["lon"], body["location"]["lat"] = PLACES[place]
    body["access_route"]["path"] = ({"type": "LineString", "coordinates": PATHS[1]}
                                    if with_path and place < 2 else None)
    return body


def _apply(state: dict, changes: dict) -> None:
    for f in changes["features"]:
        kind = f["properties"].get("x_change")
        assert kind in ("upsert", "delete", "retire")
        if kind == "delete":
            state.pop(f["id"], None)
        else:
            g = copy.deepcopy(f)
            del g["properties"]["x_change"]
            state[f["id"]] = g


def _sync(db, settings, consumer: dict, **kw) -> None:
    changes = export_json(db, settings, fmt="geojson", since=consumer["seq"], **kw)
    _apply(consumer["features"], changes)
    consumer["seq"] = changes["x_seq"]


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=1, max_size=14),
       target=st.sampled_from([("toilets", "geojson"), ("toilets", "smart-seoul-map"), ("routes", "geojson"),
                               ("routes", "smart-seoul-map")]),
       district=st.sampled_from([None, "중구"]))
def test_replaying_random_histories_ends_with_the_published_layer(db, settings, ops, target, district):
    layer, profile = target
    kw = {"layer": layer, "profile": profile, **({"district": district} if district else {})}
    savepoint = db.begin_nested()
    try:
        consumer = {"seq": layer_state(db).seq, "features": {}}
        toilets: list[Toilet] = []
        for name, a, b, width in ops:
            if name == "create":
                toilets.append(create_toilet(db, payload=_payload(a, width, bool(b)), report_id=None, review_id=None))
            elif name == "update" and toilets:
                t = toilets[a % len(toilets)]
                if t.status == "active":
                    update_toilet(db, toilet=t, payload=_payload(b, width, a % 2 == 0), report_id=None,
                                  review_id=None)
            elif name == "retire" and toilets:
                t = toilets[a % len(toilets)]
                if t.status == "active":
                    retire_toilet(db, toilet=t, reason="폐쇄", report_id=None, review_id=None)
            elif name == "sync":
                _sync(db, settings, consumer, **kw)
            db.flush()
        _sync(db, settings, consumer, **kw)
        full = export_json(db, settings, fmt="geojson", **kw)
        assert consumer["features"] == {f["id"]: f for f in full["features"]}
        assert consumer["seq"] == layer_state(db).seq
        # one more sync with nothing new changes nothing
        again = export_json(db, settings, fmt="geojson", since=consumer["seq"], **kw)
        assert again["features"] == [] and again["x_seq"] == consumer["seq"]
    finally:
        savepoint.rollback()


def test_tombstones_and_high_water_mark(db, settings):
    kept = publish(db)
    gone = publish(db, lon=127.0473, lat=37.5172)
    start = layer_state(db).seq
    retire_toilet(db, toilet=gone, reason="철거", report_id=None, review_id=None)
    update_toilet(db, toilet=kept, payload=report_body(**{"toilet.grab_bars": "one_side"}), report_id=None,
                  review_id=None)
    db.flush()
    changes = export_json(db, settings, layer="toilets", fmt="geojson", profile="geojson", since=start)
    by_id = {f["id"]: f for f in changes["features"]}
    assert by_id[str(gone.id)] == {"type": "Feature", "id": str(gone.id), "geometry": None,
                                   "properties": {"x_change": "delete"}}
    assert by_id[str(kept.id)]["properties"]["x_change"] == "upsert"
    assert by_id[str(kept.id)]["properties"]["verdict"] == "partially_accessible"
    assert changes["x_seq"] == layer_state(db).seq > start
    # the smart-seoul-map consumer only upserts: its tombstone is the item marked 사용불가
    ssm = export_json(db, settings, layer="toilets", fmt="geojson", profile="smart-seoul-map", since=start)
    gone_item = {f["id"]: f for f in ssm["features"]}[str(gone.id)]["properties"]
    assert gone_item["x_change"] == "retire" and gone_item["COT_VALUE_03"].startswith("사용불가")
    # nothing before `start` comes back
    assert {f["id"] for f in export_json(db, settings, layer="toilets", fmt="geojson", profile="geojson",
                                         since=changes["x_seq"])["features"]} == set()


def test_wrapper_and_csv_carry_tombstones_too(db, settings):
    import csv
    import io

    from tests.exports.helpers import export_bytes

    gone = publish(db)
    start = layer_state(db).seq
    retire_toilet(db, toilet=gone, reason="철거", report_id=None, review_id=None)
    db.flush()
    wrapper = export_json(db, settings, layer="toilets", fmt="json", profile="smart-seoul-map", since=start,
                          district="강남구")  # it is in 중구: outside the filter, so a plain delete
    assert wrapper["header"]["TOTAL_COUNT"] == "1"
    assert wrapper["body"] == [{"COT_CONTS_ID": str(gone.id), "x_change": "delete"}]
    rows = list(csv.DictReader(io.StringIO(export_bytes(db, settings, layer="routes", fmt="csv", profile="geojson",
                                                        since=start).decode())))
    assert len(rows) == 1 and rows[0]["toilet_id"] == str(gone.id) and rows[0]["x_change"] == "delete"
    assert rows[0]["status"] == "" and rows[0]["wkt"] == ""  # a tombstone carries only the id
