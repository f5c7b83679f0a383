"""Bounds on measurements (form v2): "at least 90" meets the 90 cm door rule, "at most 85" fails
it, "at least 80" leaves it unknown; a bounded value never says more than every exact value it
allows would say, and the reasons show the bound. Hypothesis over every criterion that can
carry one, and the examples of the issue as a table."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.toilets.test_verdict import FULL, confirmed_st, data_st
from toilets.verdict import UNCOUNTED_WHEN_UNKNOWN, assess

maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
bound_st = maybe(st.sampled_from(["at_least", "at_most"]))

# Every measurement the verdict reads, with the criterion it decides and a range of values.
MEASURED = {
    ("toilet", "door_clear_width_cm"): ("door_clear_width", 40, 200),
    ("toilet", "threshold_height_cm"): ("threshold", 0, 20),
    ("access_route", "ramp_slope_percent"): ("ramp_slope", 0, 30),
    ("toilet", "seat_height_cm"): ("seat_height", 20, 70),
    ("toilet", "grab_bar_height_cm"): ("grab_bar_height", 30, 100),
    ("toilet", "emergency_bell_height_cm"): ("emergency_bell_height", 0, 150),
    ("toilet", "washbasin_knee_clearance_cm"): ("washbasin_knee_clearance", 30, 100),
    ("toilet", "interior_width_cm"): ("turning_space", 80, 400),
    ("toilet", "interior_depth_cm"): ("turning_space", 80, 400),
}


@st.composite
def data_v2_st(draw):
    """Form-v2 data: the v1 fields, the new heights, and a bound on any measurement."""
    data = copy.deepcopy(draw(data_st))
    for (group, field), (_, low, high) in MEASURED.items():
        if field not in data[group]:
            data[group][field] = draw(maybe(st.integers(low, high)))
        if data[group][field] is not None:
            data[group][field + "_bound"] = draw(bound_st)
    return data


def _exact_values(value, bound, low, high):
    """Exact values a bounded measurement allows, inside the field's range."""
    if bound == "at_least":
        return sorted({value, value + 1, value + 5, value + 40, high + 50})
    if bound == "at_most":
        return sorted({max(low - 50, 0), value - 40, value - 5, value - 1, value} - {v for v in range(-100, 0)})
    return [value]


def _reason(data, criterion, confirmed=frozenset()):
    return next(r for r in assess(data, confirmed).reasons if r.criterion == criterion)


@settings(max_examples=500, deadline=None)
@given(data_v2_st(), confirmed_st, st.sampled_from(sorted(MEASURED)))
def test_a_bound_decides_only_what_every_value_it_allows_would_decide(data, confirmed, key):
    group, field = key
    criterion, low, high = MEASURED[key]
    value, bound = data[group].get(field), data[group].get(field + "_bound")
    if value is None or bound is None:
        return
    bounded = _reason(data, criterion, confirmed)
    verdict = assess(data, confirmed).verdict
    outcomes, verdicts = set(), set()
    for exact in _exact_values(value, bound, low, high):
        other = copy.deepcopy(data)
        other[group][field], other[group][field + "_bound"] = exact, None
        outcomes.add(_reason(other, criterion, confirmed).outcome)
        verdicts.add(assess(other, confirmed).verdict)
    if bounded.outcome in ("met", "failed"):
        assert outcomes == {bounded.outcome}, (bounded, outcomes)
    if bounded.outcome == "unknown" and criterion in UNCOUNTED_WHEN_UNKNOWN:
        # A bound that leaves the rule undecided says no more than no measurement: these heights
        # hold nothing down when unmeasured (toilets/verdict.py), so the verdict is the unmeasured one.
        unmeasured = copy.deepcopy(data)
        unmeasured[group][field], unmeasured[group][field + "_bound"] = None, None
        assert verdict == assess(unmeasured, confirmed).verdict
        return
    # what the bounded verdict claims, every exact value it allows claims too: it is one of theirs
    # (or unknown), accessible only if all are, not accessible only if all are
    assert verdict in verdicts or verdict == "unknown"
    if verdict in ("accessible", "not_accessible"):
        assert verdicts == {verdict}


@settings(max_examples=400, deadline=None)
@given(data_v2_st(), confirmed_st)
def test_an_undecided_bound_is_unknown_and_never_accessible_without_a_confirmation(data, confirmed):
    a = assess(data, confirmed)
    for r in a.reasons:
        if any(k.endswith("_bound") for k in r.measured) and r.outcome == "unknown":
            assert "확인 안 됨" in r.ko and "not checked" in r.en
            assert a.verdict != "accessible" or r.criterion in UNCOUNTED_WHEN_UNKNOWN


def _full(**changes):
    data = copy.deepcopy(FULL)
    for key, value in changes.items():
        group = "access_route" if key.startswith("ramp_slope") else "toilet"
        data[group][key] = value
    return data


@pytest.mark.parametrize(("changes", "criterion", "outcome", "verdict", "ko", "en"), [
    ({"door_clear_width_cm": 90, "door_clear_width_cm_bound": "at_least"}, "door_clear_width", "met", "accessible",
     "출입문 유효폭 90 cm 이상 ≥ 90 cm", "Door clear width at least 90 cm ≥ 90 cm"),
    ({"door_clear_width_cm": 85, "door_clear_width_cm_bound": "at_most"}, "door_clear_width", "failed",
     "partially_accessible", "출입문 유효폭 85 cm 이하 < 90 cm", "Door clear width at most 85 cm < 90 cm"),
    ({"door_clear_width_cm": 80, "door_clear_width_cm_bound": "at_least"}, "door_clear_width", "unknown", "unknown",
     "출입문 유효폭: 확인 안 됨 (80 cm 이상, 기준 90 cm)", "Door clear width: not checked (at least 80 cm, rule 90 cm)"),
    ({"door_clear_width_cm": 75, "door_clear_width_cm_bound": "at_most"}, "door_clear_width", "failed",
     "not_accessible", "출입문 유효폭 75 cm 이하 < 90 cm (80 cm 미만: 접근 불가)",
     "Door clear width at most 75 cm < 90 cm (under 80 cm: not accessible)"),
    ({"threshold_height_cm": 1, "threshold_height_cm_bound": "at_most"}, "threshold", "met", "accessible",
     "출입구 턱 높이 1 cm 이하 ≤ 2 cm", "Threshold height at most 1 cm ≤ 2 cm"),
    ({"threshold_height_cm": 6, "threshold_height_cm_bound": "at_least"}, "threshold", "failed", "not_accessible",
     "출입구 턱 높이 6 cm 이상 > 2 cm (5 cm 초과: 접근 불가)", "Threshold height at least 6 cm > 2 cm (over 5 cm: not accessible)"),
    ({"ramp_slope_percent": 10, "ramp_slope_percent_bound": "at_most"}, "ramp_slope", "unknown", "accessible",
     "경사로 기울기: 확인 안 됨 (10 % 이하, 기준 8.33 % (1:12))", "Ramp slope: not checked (at most 10 %, rule 8.33 % (1:12))"),
    ({"seat_height_cm": 43}, "seat_height", "met", "accessible",
     "변기 높이 43 cm (기준 40~45 cm)", "Seat height 43 cm (rule 40–45 cm)"),
    ({"seat_height_cm": 48}, "seat_height", "failed", "partially_accessible",
     "변기 높이 48 cm > 45 cm (기준 40~45 cm)", "Seat height 48 cm > 45 cm (rule 40–45 cm)"),
    ({"grab_bar_height_cm": 55, "grab_bar_height_cm_bound": "at_most"}, "grab_bar_height", "failed",
     "partially_accessible", "손잡이 높이 55 cm 이하 < 60 cm (기준 60~70 cm)",
     "Grab bar height at most 55 cm < 60 cm (rule 60–70 cm)"),
    ({"emergency_bell_height_cm": 100}, "emergency_bell_height", "failed", "partially_accessible",
     "비상벨 높이 100 cm > 90 cm (기준 60~90 cm)", "Emergency bell height 100 cm > 90 cm (rule 60–90 cm)"),
    ({"emergency_bell_height_cm": None}, "emergency_bell_height", "unknown", "accessible",
     "비상벨 높이: 확인 안 됨", "Emergency bell height: not checked"),
    ({"washbasin_knee_clearance_cm": 70, "washbasin_knee_clearance_cm_bound": "at_least"}, "washbasin_knee_clearance",
     "met", "accessible", "세면대 아래 무릎 공간 70 cm 이상 ≥ 65 cm", "Knee clearance under the washbasin at least 70 cm ≥ 65 cm"),
    ({"washbasin_knee_clearance_cm": 60}, "washbasin_knee_clearance", "failed", "partially_accessible",
     "세면대 아래 무릎 공간 60 cm < 65 cm", "Knee clearance under the washbasin 60 cm < 65 cm"),
    ({"turning_space_150cm": None, "interior_width_cm": 160, "interior_width_cm_bound": "at_least",
      "interior_depth_cm": 200}, "turning_space", "met", "accessible",
     "대변기 칸 160 cm 이상 × 200 cm (160 × 200 cm 이상)", "Stall at least 160 cm × 200 cm (at least 160 × 200 cm)"),
    ({"turning_space_150cm": None, "interior_width_cm": 140, "interior_width_cm_bound": "at_most",
      "interior_depth_cm": 300}, "turning_space", "failed", "partially_accessible",
     "대변기 칸 140 cm 이하 × 300 cm: 폭 140 cm < 150 cm", "Stall at most 140 cm × 300 cm: 140 cm < 150 cm across"),
])
def test_bounds_in_the_verdict_and_its_reasons(changes, criterion, outcome, verdict, ko, en):
    data = _full(**changes)
    a = assess(data)
    reason = next(r for r in a.reasons if r.criterion == criterion)
    assert (reason.outcome, a.verdict, reason.ko, reason.en) == (outcome, verdict, ko, en)
    for key, value in changes.items():
        if key.endswith("_bound"):
            assert reason.measured[key] == value  # the bound is part of what was measured


def test_a_moderator_can_confirm_a_door_the_bound_left_open():
    data = _full(door_clear_width_cm=80, door_clear_width_cm_bound="at_least")
    assert assess(data).verdict == "unknown"
    r = _reason(data, "door_clear_width", frozenset({"door_clear_width"}))
    assert r.outcome == "confirmed" and assess(data, {"door_clear_width"}).verdict == "accessible"
    # never over a bound that fails the rule
    failed = _full(door_clear_width_cm=85, door_clear_width_cm_bound="at_most")
    assert _reason(failed, "door_clear_width", frozenset({"door_clear_width"})).outcome == "failed"


def test_the_api_models_name_every_criterion_and_rule():
    from typing import get_args

    from toilets.schemas import VerdictReason, VerdictRule
    from toilets.verdict import CRITERIA, RULES

    assert set(get_args(VerdictReason.model_fields["criterion"].annotation)) == set(CRITERIA)
    assert {r.op for r in RULES.values()} <= set(get_args(VerdictRule.model_fields["op"].annotation))


def test_an_undecided_bound_on_a_form_v2_height_says_what_no_measurement_says():
    """Found by the property above: a grab bar "at least 30 cm" (rule 60~70) leaves the height
    unknown, and an unmeasured height holds nothing down, so the toilet stays accessible as it
    would unmeasured; an exact 30 cm fails the rule and caps it at partially accessible."""
    data = copy.deepcopy(FULL)
    data["toilet"].update(grab_bar_height_cm=30, grab_bar_height_cm_bound="at_least")
    unmeasured = copy.deepcopy(FULL)
    unmeasured["toilet"].update(grab_bar_height_cm=None)
    exact = copy.deepcopy(FULL)
    exact["toilet"].update(grab_bar_height_cm=30)
    assert assess(unmeasured).verdict == "accessible"
    assert assess(data).verdict == "accessible"
    assert _reason(data, "grab_bar_height").outcome == "unknown"
    assert "30 cm 이상" in _reason(data, "grab_bar_height").ko
    assert assess(exact).verdict == "partially_accessible"
