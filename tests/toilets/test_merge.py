"""Merging never loses knowledge (toilets.merge): what the new report leaves unknown keeps its
published value and source; a measurement and its bound move together; a moderator's choice
overrides the default per field. Properties over generated data (hypothesis) and examples."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from toilets.merge import check_choices, merge_fields, merged_data, sources_of

maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
group_st = st.fixed_dictionaries({
    "door_clear_width_cm": maybe(st.integers(40, 200)),
    "grab_bars": maybe(st.sampled_from(["both_sides", "one_side", "none"])),
    "seat_height_cm": maybe(st.integers(20, 60)),
}, optional={"door_clear_width_cm_bound": maybe(st.sampled_from(["at_least", "at_most"]))})
data_st = st.fixed_dictionaries({"place": st.fixed_dictionaries({"name": st.text(min_size=1, max_size=5),
                                                                 "floor": maybe(st.sampled_from(["B1", "1", "2"]))}),
                                 "toilet": group_st,
                                 "access_route": st.fixed_dictionaries({"step_free": maybe(st.sampled_from(["yes", "no"]))})})

OLD = {"place": {"name": "시청 화장실", "floor": "1"},
       "toilet": {"door_clear_width_cm": 100, "grab_bars": "both_sides", "emergency_bell": "reachable_from_floor"},
       "access_route": {"step_free": "yes"}}
OLD_SOURCES = {"place.name": {"version": 1, "at": "2026-11-01T10:00:00+00:00"},
               "place.floor": {"version": 1, "at": "2026-11-01T10:00:00+00:00"},
               "toilet.door_clear_width_cm": {"version": 1, "at": "2026-11-01T10:00:00+00:00"},
               "toilet.grab_bars": {"version": 1, "at": "2026-11-01T10:00:00+00:00"},
               "toilet.emergency_bell": {"version": 1, "at": "2026-11-01T10:00:00+00:00"},
               "access_route.step_free": {"version": 1, "at": "2026-11-01T10:00:00+00:00"}}
AT = "2026-12-01T10:00:00+00:00"


def _merge(new, choices=None):
    fields = merge_fields(OLD, new, sources=OLD_SOURCES, choices=choices)
    return merged_data(OLD, new, fields, version=2, at=AT, sources=OLD_SOURCES), fields


def test_a_field_the_report_leaves_unknown_keeps_the_published_value_and_its_source():
    new = {"place": {"name": "시청 1층 화장실", "floor": None},
           "toilet": {"door_clear_width_cm": None, "door_clear_width_cm_bound": None, "grab_bars": "one_side",
                      "emergency_bell": None, "grab_bar_height_cm": 65},
           "access_route": {"step_free": None}}
    (data, sources), fields = _merge(new)
    assert data["toilet"]["door_clear_width_cm"] == 100 and data["toilet"]["door_clear_width_cm_bound"] is None
    assert sources["toilet.door_clear_width_cm"] == {"version": 1, "at": "2026-11-01T10:00:00+00:00"}
    assert data["toilet"]["emergency_bell"] == "reachable_from_floor" and data["place"]["floor"] == "1"
    assert data["access_route"]["step_free"] == "yes"
    # what the report knows replaces the published value, from the new version
    assert data["toilet"]["grab_bars"] == "one_side" and sources["toilet.grab_bars"] == {"version": 2, "at": AT}
    assert data["toilet"]["grab_bar_height_cm"] == 65 and sources["toilet.grab_bar_height_cm"]["version"] == 2
    assert data["place"]["name"] == "시청 1층 화장실"
    by = {f.path: f for f in fields}
    assert by["toilet.door_clear_width_cm"].default == "published" and by["toilet.grab_bars"].default == "report"
    assert by["toilet.door_clear_width_cm"].published_source["version"] == 1
    assert by["toilet.grab_bar_height_cm"].published is None and by["toilet.grab_bar_height_cm"].published_source is None


def test_a_measurement_and_its_bound_move_together():
    new = {"toilet": {"door_clear_width_cm": 90, "door_clear_width_cm_bound": "at_least"}}
    (data, _), fields = _merge(new)
    assert (data["toilet"]["door_clear_width_cm"], data["toilet"]["door_clear_width_cm_bound"]) == (90, "at_least")
    f = next(f for f in fields if f.path == "toilet.door_clear_width_cm")
    assert f.published == 100 and f.report == {"value": 90, "bound": "at_least"} and not f.same
    assert not any(f.path.endswith("_bound") for f in fields)  # the bound is not a field of its own
    (kept, _), _ = _merge(new, {"toilet.door_clear_width_cm": "published"})
    assert (kept["toilet"]["door_clear_width_cm"], kept["toilet"]["door_clear_width_cm_bound"]) == (100, None)


def test_a_moderator_may_keep_the_published_value_or_take_the_reports_unknown():
    new = {"toilet": {"door_clear_width_cm": 85, "grab_bars": None}}
    (data, sources), _ = _merge(new, {"toilet.door_clear_width_cm": "published", "toilet.grab_bars": "report"})
    assert data["toilet"]["door_clear_width_cm"] == 100 and sources["toilet.door_clear_width_cm"]["version"] == 1
    assert data["toilet"]["grab_bars"] is None and "toilet.grab_bars" not in sources  # cleared on purpose


def test_choices_are_checked():
    paths = {f.path for f in merge_fields(OLD, {"toilet": {"door_clear_width_cm": 85}})}
    assert check_choices(None, paths) == [] and check_choices({"toilet.door_clear_width_cm": "report"}, paths) == []
    assert check_choices({"toilet.nope": "report"}, paths)[0][0] == "field_choices.toilet.nope"
    assert "published" in check_choices({"toilet.grab_bars": "mine"}, paths)[0][2]
    assert check_choices(["x"], paths)[0][0] == "field_choices"


@settings(max_examples=400, deadline=None)
@given(data_st, data_st)
def test_by_default_a_merge_never_loses_a_known_value(old, new):
    old_sources = sources_of(old, version=1, at="t1")
    fields = merge_fields(old, new, sources=old_sources)
    data, sources = merged_data(old, new, fields, version=2, at="t2", sources=old_sources)
    for group in ("place", "toilet", "access_route"):
        for key in set(old[group]) | set(new[group]):
            if key.endswith("_bound"):
                continue
            was, comes = old[group].get(key), new[group].get(key)
            now = data[group].get(key)
            if comes is not None:
                assert now == comes and sources[f"{group}.{key}"] == {"version": 2, "at": "t2"}
                assert data[group].get(key + "_bound") == (new[group].get(key + "_bound") if key + "_bound" in new[group] else None)
            elif was is not None:
                assert now == was and sources[f"{group}.{key}"] == {"version": 1, "at": "t1"}
                assert data[group].get(key + "_bound") == old[group].get(key + "_bound")
            else:
                assert now is None and f"{group}.{key}" not in sources
