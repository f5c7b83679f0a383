"""The accessibility verdict: one pure function of the measured fields, never typed by hand.

Criteria (Korean rules, 장애인·노인·임산부 등의 편의증진 보장에 관한 법률 시행규칙 [별표 1]
'편의시설의 구조·재질등에 관한 세부기준', item 13 '장애인등의 이용이 가능한 화장실', and items 1–4 on
access routes, entrances and ramps):

| criterion | rule | field |
|---|---|---|
| step-free way from the street | 접근로 단차 없음, 경사로 기울기 1/12 (8.33 %) 이하 | access_route.step_free, ramp_slope_percent |
| door clear width | 출입문 통과 유효폭 0.9 m 이상 | toilet.door_clear_width_cm ≥ 90 |
| threshold | 출입구 높이 차이 2 cm 이하 (턱 없음) | toilet.threshold_height_cm ≤ 2 |
| door type | 자동문·미닫이문·접이문, 여닫이문은 바깥쪽으로 | toilet.door_type known, not hinged_inward/curtain |
| turning space | 휠체어 활동공간 1.5 m × 1.5 m (대변기 칸 유효바닥면적 1.6 m × 2.0 m) | toilet.turning_space_150cm, or interior ≥ 160 × 200 cm |
| grab bars | 대변기 양옆 수평손잡이 (한쪽은 회전식 가능) | toilet.grab_bars == both_sides |
| emergency bell | 비상호출벨, 바닥면 근처에서도 이용 가능 | toilet.emergency_bell == reachable_from_floor |
| lift, if the route needs one | 승강기 운행 | access_route.elevator != out_of_service |

Outcome:
- `not_accessible`: no accessible toilet (`arrangement: none`), a route with steps (`step_free: no`),
  a lift out of service, a door narrower than 80 cm, a threshold over 5 cm, a door opening inward
  or a curtain. Any one of these is enough.
- `accessible`: every criterion above is known and met. A measurement left unknown counts as
  met only where a moderator explicitly confirmed it (`confirmed`), never by default.
- `partially_accessible`: nothing disqualifying, the essentials (arrangement, step-free or partly
  step-free route, door width) known, but some criterion fails mildly (door 80–89 cm, threshold
  2–5 cm, grab bar on one side only, bell out of reach from the floor, ramp steeper than 1/12,
  route only partly step-free, no turning space) or is unknown.
- `unknown`: the essentials are not known: arrangement, the route's step-freeness or the door
  width (unless confirmed). A guess is never published as a fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Verdict = Literal["accessible", "partially_accessible", "not_accessible", "unknown"]

# The criteria a moderator may confirm by eye when the volunteer could not measure them, with
# the labels the moderator console shows (GET /api/v1/moderation/vocabulary).
CONFIRMABLE_LABELS: dict[str, tuple[str, str]] = {
    "step_free": ("접근로 단차 없음", "Step-free route"),
    "door_clear_width": ("문 유효폭 90cm 이상", "Door ≥ 90 cm"),
    "door_type": ("문이 안쪽으로 열리지 않음", "Door does not open inward"),
    "threshold": ("문턱 2cm 이하", "Threshold ≤ 2 cm"),
    "turning_space": ("회전 공간 150×150", "Turning space 150×150"),
    "grab_bars": ("양쪽 손잡이", "Grab bars both sides"),
    "emergency_bell": ("바닥에서 닿는 비상벨", "Bell reachable from the floor"),
}
CONFIRMABLE = tuple(CONFIRMABLE_LABELS)

DOOR_MIN_CM = 90
DOOR_HARD_MIN_CM = 80
THRESHOLD_MAX_CM = 2
THRESHOLD_HARD_MAX_CM = 5
RAMP_MAX_PERCENT = 100 / 12  # 1:12
STALL_MIN_WIDTH_CM = 160
STALL_MIN_DEPTH_CM = 200
TURNING_CM = 150


def toilet_verdict(data: Mapping[str, Any], confirmed: frozenset[str] | set[str] = frozenset()) -> Verdict:
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
