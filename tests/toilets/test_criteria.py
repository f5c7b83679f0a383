"""The finder's criteria (toilets.criteria) on real published rows: the SQL form is the
definition, so every case runs in PostGIS."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core.errors import ValidationFailed
from tests.exports.helpers import publish
from toilets import criteria
from toilets.criteria import CRITERIA, attributes_sql, criteria_json_sql, parse_criteria, value_sql
from toilets.filters import LayerFilter
from toilets.public import list_toilets
from toilets.schemas import FinderCriteria


def _criteria(db, toilet, minute: int | None = None) -> dict:
    if minute is None:
        return db.execute(text(f"SELECT {criteria_json_sql('t')} FROM toilets t WHERE t.id = :id"),
                          {"id": toilet.id}).scalar_one()
    return db.execute(text(f"SELECT {value_sql('open_now', 't', minute=':m')} FROM toilets t WHERE t.id = :id"),
                      {"id": toilet.id, "m": minute}).scalar_one()


def test_the_api_model_names_every_criterion():
    assert tuple(FinderCriteria.model_fields) == CRITERIA


def test_a_fully_measured_accessible_toilet_meets_every_reason_criterion(db):
    t = publish(db)  # the factory's toilet: everything measured and met, 09:00~18:00
    got = _criteria(db, t)
    assert {k: got[k] for k in criteria.FROM_REASON} == dict.fromkeys(criteria.FROM_REASON, True)
    assert got["unisex"] is False  # separate_accessible_per_gender, known
    assert got["open_24h"] is False


@pytest.mark.parametrize("field, value, name, expected", [
    ("toilet.door_clear_width_cm", 85, "door_90", False),
    ("toilet.door_clear_width_cm", 90, "door_90", True),
    ("toilet.door_clear_width_cm", None, "door_90", None),
    ("access_route.step_free", "partial", "step_free", False),
    ("access_route.step_free", None, "step_free", None),
    # "none" fails whatever else (one side *with a fold-down bar* is unknown: docs/finder.md "Edge cases")
    ("toilet.grab_bars", "none", "grab_bars_both", False),
    ("toilet.emergency_bell", "present", "bell_reachable", False),
    ("toilet.emergency_bell", None, "bell_reachable", None),
    ("toilet.turning_space_150cm", False, "turning_space", False),
    ("toilet.arrangement", "unisex_accessible", "unisex", True),
    ("toilet.arrangement", None, "unisex", None),
])
def test_each_criterion_follows_its_reason_or_field(db, field, value, name, expected):
    t = publish(db, **{field: value})
    assert _criteria(db, t)[name] is expected


def test_a_confirmed_reason_counts_as_met(db):
    from tests.factories import report_body
    from toilets.service import create_toilet

    body = report_body(**{"toilet.emergency_bell": None})
    t = create_toilet(db, payload=body, report_id=None, review_id=None, confirmed=frozenset({"emergency_bell"}))
    db.flush()
    assert _criteria(db, t)["bell_reachable"] is True


@pytest.mark.parametrize("hours, opening, all_day, at, open_at", [
    ("24시간", "business_hours", True, 180, True),
    ("상시", None, True, 0, True),
    ("00:00~24:00", None, True, 700, True),
    ("00:00 ~ 00:00", None, True, 700, True),
    ("09:00~18:00", "always", False, 9 * 60, True),
    ("09:00~18:00", "always", False, 18 * 60, False),
    ("09:00∼18:00", None, False, 8 * 60 + 59, False),
    ("9시~18시", None, False, 12 * 60, True),
    ("6시30분~23시", None, False, 6 * 60 + 29, False),
    ("6시30분~23시", None, False, 6 * 60 + 30, True),
    ("05:30~익일01:00", None, False, 30, True),
    ("05:00-01:00", None, False, 2 * 60, False),
    ("06:00~24:00", None, False, 23 * 60 + 59, True),
    ("(평일)09:00~18:00", "business_hours", None, 12 * 60, None),
    ("9시간", None, None, 12 * 60, None),
    ("25:00~26:00", None, None, 12 * 60, None),
    ("24:30~02:00", None, None, 12 * 60, None),
    (None, "always", True, 3 * 60, True),
    (":~:", "always", True, 3 * 60, True),
    (None, "on_request", False, 12 * 60, None),
    (None, None, None, 12 * 60, None),
])
def test_opening_hours_are_read_or_left_unknown(db, hours, opening, all_day, at, open_at):
    t = publish(db, **{"place.opening_hours": hours, "place.opening": opening})
    assert _criteria(db, t)["open_24h"] is all_day
    assert _criteria(db, t, minute=at) is open_at


def test_the_filter_asks_for_true_only_and_combines_with_the_others(db):
    good = publish(db, **{"place.name": "좋은 화장실", "place.opening_hours": "24시간"})
    publish(db, **{"place.name": "좁은 문", "toilet.door_clear_width_cm": 85})
    publish(db, **{"place.name": "모르는 문", "toilet.door_clear_width_cm": None})
    names = [f["properties"]["name"] for f in list_toilets(db, where=LayerFilter(criteria=("door_90",)))["features"]]
    assert names == ["좋은 화장실"]
    out = list_toilets(db, where=LayerFilter(criteria=("door_90", "open_now"), at_minute=3 * 60))
    assert [f["properties"]["id"] for f in out["features"]] == [str(good.id)]
    assert out["features"][0]["properties"]["criteria"]["open_24h"] is True


def test_the_tile_attributes_are_plain_columns(db):
    publish(db, **{"place.opening_hours": "06:00~22:00"})
    row = db.execute(text(f"SELECT {', '.join(attributes_sql('t'))} FROM toilets t")).mappings().one()
    assert "open_now" not in row  # the time of day is the map's to apply: tiles are cached
    assert row["opens_min"] == 360 and row["closes_min"] == 1320 and row["door_90"] is True


def test_unknown_criteria_are_refused_by_name():
    assert parse_criteria(" door_90,step_free,door_90 ") == ("door_90", "step_free")
    with pytest.raises(ValidationFailed) as err:
        parse_criteria("door_90,wide_door")
    assert err.value.code == "invalid_query" and err.value.fields[0].path == "criteria"
    assert "wide_door" in err.value.fields[0].message_en and err.value.fields[0].message_ko
