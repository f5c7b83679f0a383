"""The verdict's edge cases (issue 15 item 6, docs/finder.md "Edge cases"): door types the rule
does not list, one grab bar with a fold-down second, a broken lift with another way in. Each is
decided from the rule's text; these pin the verdict, the reason's outcome and its ko/en text."""

from __future__ import annotations

import copy

import pytest

from tests.toilets.test_verdict import FULL
from toilets.verdict import assess


def _reason(data, criterion, confirmed=()):
    a = assess(data, frozenset(confirmed))
    return a.verdict, next(r for r in a.reasons if r.criterion == criterion)


def _with(group, **fields):
    data = copy.deepcopy(FULL)
    data[group].update(fields)
    return data


@pytest.mark.parametrize(("door", "ko_word", "en_word"), [("curtain", "커튼", "curtain"), ("none", "문 없음", "no door")])
def test_a_curtain_or_no_door_is_passable_but_not_a_door_the_rule_names(door, ko_word, en_word):
    verdict, reason = _reason(_with("toilet", door_type=door), "door_type")
    assert verdict == "partially_accessible"  # was not_accessible before: it takes no space in the stall
    assert (reason.outcome, reason.caps) == ("failed", "partially_accessible")
    assert reason.ko == f"출입문 형태: {ko_word} (통과 가능, 잠금·가림 없음: 기준의 문 형태 아님)"
    assert reason.en == f"Door type: {en_word} (passable, but no lock or privacy: not a door type the rule names)"
    # a failed measurement is never overruled by a confirmation
    assert _reason(_with("toilet", door_type=door), "door_type", {"door_type"})[0] == "partially_accessible"


def test_a_curtain_still_loses_to_any_disqualifier():
    assert assess(_with("toilet", door_type="curtain", door_clear_width_cm=70)).verdict == "not_accessible"


def test_an_inward_opening_hinged_door_still_disqualifies():
    verdict, reason = _reason(_with("toilet", door_type="hinged_inward"), "door_type")
    assert verdict == "not_accessible" and reason.caps == "not_accessible"


@pytest.mark.parametrize("door", ["automatic", "sliding", "hinged_outward", "folding"])
def test_the_listed_door_types_meet_it(door):
    verdict, reason = _reason(_with("toilet", door_type=door), "door_type")
    assert (verdict, reason.outcome) == ("accessible", "met")


def test_an_other_door_is_unknown_until_a_moderator_confirms_it():
    verdict, reason = _reason(_with("toilet", door_type="other"), "door_type")
    assert (verdict, reason.outcome, reason.caps) == ("partially_accessible", "unknown", "partially_accessible")
    assert reason.ko == "출입문 형태: 확인 안 됨 (기타: 여는 방식 모름)"
    assert reason.en == "Door type: not checked (other: how it opens is not known)"
    verdict, reason = _reason(_with("toilet", door_type="other"), "door_type", {"door_type"})
    assert (verdict, reason.outcome) == ("accessible", "confirmed")
    assert reason.measured == {"door_type": "other"}


def test_both_sides_with_one_fold_down_bar_meets_the_rule():
    verdict, reason = _reason(_with("toilet", grab_bars="both_sides", grab_bar_foldable=True), "grab_bars")
    assert (verdict, reason.outcome) == ("accessible", "met")
    assert reason.ko == "대변기 손잡이: 양쪽 (한쪽 접이식: 기준에 맞음)"
    assert reason.en == "Grab bars: both sides (one fold-down: as the rule allows)"
    assert reason.measured == {"grab_bars": "both_sides", "grab_bar_foldable": True}


def test_one_side_plus_a_fold_down_bar_is_unknown_and_can_be_confirmed():
    data = _with("toilet", grab_bars="one_side", grab_bar_foldable=True)
    verdict, reason = _reason(data, "grab_bars")
    assert (verdict, reason.outcome, reason.caps) == ("partially_accessible", "unknown", "partially_accessible")
    assert reason.ko == "대변기 손잡이: 확인 안 됨 (한쪽 + 접이식: 접이식이 다른 쪽 손잡이인지 모름)"
    assert reason.en == "Grab bars: not checked (one side + a fold-down bar: whether it is the other side is not known)"
    verdict, reason = _reason(data, "grab_bars", {"grab_bars"})  # seen on the photos: the fold-down is the other side
    assert (verdict, reason.outcome) == ("accessible", "confirmed")


@pytest.mark.parametrize("foldable", [False, None])
def test_one_side_without_a_fold_down_bar_fails_and_no_confirmation_lifts_it(foldable):
    data = _with("toilet", grab_bars="one_side", grab_bar_foldable=foldable)
    verdict, reason = _reason(data, "grab_bars", {"grab_bars"})
    assert (verdict, reason.outcome) == ("partially_accessible", "failed")
    assert (reason.ko, reason.en) == ("대변기 손잡이: 한쪽", "Grab bars: one side")


def test_a_broken_lift_with_a_step_free_way_round_it_is_partly_accessible():
    verdict, reason = _reason(_with("access_route", elevator="out_of_service", step_free="yes"), "lift")
    assert (verdict, reason.outcome, reason.caps) == ("partially_accessible", "failed", "partially_accessible")
    assert reason.ko == "승강기: 고장 (다른 무단차 경로로 갈 수 있음)"
    assert reason.en == "Lift: out of service (another step-free way in was reported)"
    assert reason.measured == {"elevator": "out_of_service", "step_free": "yes"}


@pytest.mark.parametrize("step_free", ["partial", "no", None])
def test_a_broken_lift_without_a_step_free_way_still_disqualifies(step_free):
    verdict, reason = _reason(_with("access_route", elevator="out_of_service", step_free=step_free), "lift",
                              {"step_free"})
    assert (verdict, reason.caps) == ("not_accessible", "not_accessible")
    assert (reason.ko, reason.en) == ("승강기: 고장", "Lift: out of service")
