"""The verdict as it was before it gave reasons (commit c9343c8), frozen: the reasons must not
change any verdict, and tests/toilets/test_verdict_reasons.py holds `assess` to this copy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toilets.verdict import (
    DOOR_HARD_MIN_CM,
    DOOR_MIN_CM,
    RAMP_MAX_PERCENT,
    STALL_MIN_DEPTH_CM,
    STALL_MIN_WIDTH_CM,
    THRESHOLD_HARD_MAX_CM,
    THRESHOLD_MAX_CM,
    TURNING_CM,
    Verdict,
)


def reference_verdict(data: Mapping[str, Any], confirmed: frozenset[str] | set[str] = frozenset()) -> Verdict:
    """The verdict for a toilet's fields (`{"toilet": {...}, "access_route": {...}}` as in the form).

    `confirmed` names criteria (see CONFIRMABLE) a moderator confirmed as met on site or from
    photos; it can lift an unknown to met, never overrule a measurement that fails.
    """
    t = data.get("toilet") or {}
    r = data.get("access_route") or {}
    arrangement = t.get("arrangement")
    step_free = r.get("step_free")
    width = t.get("door_clear_width_cm")
    threshold = t.get("threshold_height_cm")
    door_type = t.get("door_type")
    elevator = r.get("elevator")
    slope = r.get("ramp_slope_percent")

    # 1. Disqualifying facts.
    if arrangement == "none" or step_free == "no" or elevator == "out_of_service":
        return "not_accessible"
    if width is not None and width < DOOR_HARD_MIN_CM:
        return "not_accessible"
    if threshold is not None and threshold > THRESHOLD_HARD_MAX_CM:
        return "not_accessible"
    if door_type in ("hinged_inward", "curtain"):
        return "not_accessible"

    # 2. The essentials must be known (or confirmed) to say anything.
    step_known = step_free is not None or "step_free" in confirmed
    width_known = width is not None or "door_clear_width" in confirmed
    if arrangement is None or not step_known or not width_known:
        return "unknown"

    # 3. Every criterion met → accessible; otherwise partial.
    def met(name: str, value_ok: bool | None) -> bool:
        return bool(value_ok) if value_ok is not None else name in confirmed

    width_ok = None if width is None else width >= DOOR_MIN_CM
    threshold_ok = None if threshold is None else threshold <= THRESHOLD_MAX_CM
    turning = t.get("turning_space_150cm")
    if turning is None and t.get("interior_width_cm") is not None and t.get("interior_depth_cm") is not None:
        w, d = sorted((t["interior_width_cm"], t["interior_depth_cm"]))
        if w >= STALL_MIN_WIDTH_CM and d >= STALL_MIN_DEPTH_CM:
            turning = True
        elif w < TURNING_CM:
            turning = False  # a 150 cm circle cannot fit
        # between the two: the circle may fit; only a measurement or a confirmation tells
    grab = t.get("grab_bars")
    bell = t.get("emergency_bell")
    checks = [
        met("step_free", None if step_free is None else step_free == "yes"),
        slope is None or slope <= RAMP_MAX_PERCENT,
        met("door_clear_width", width_ok),
        # an unknown door may open inward into the stall (a disqualifier): not met until known
        met("door_type", None if door_type is None else True),
        met("threshold", threshold_ok),
        met("turning_space", turning),
        met("grab_bars", None if grab is None else grab == "both_sides"),
        met("emergency_bell", None if bell is None else bell == "reachable_from_floor"),
    ]
    return "accessible" if all(checks) else "partially_accessible"
