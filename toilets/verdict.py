"""The accessibility verdict: one pure function of the measured fields, never typed by hand.

Criteria (Korean rules, 장애인·노인·임산부 등의 편의증진 보장에 관한 법률 시행규칙 [별표 1]
'편의시설의 구조·재질등에 관한 세부기준', item 13 '장애인등의 이용이 가능한 화장실', and items 1–4 on
access routes, entrances and ramps):

| criterion | rule | field |
|---|---|---|
| step-free way from the street | 접근로 단차 없음, 경사로 기울기 1/12 (8.33 %) 이하 | access_route.step_free, ramp_slope_percent |
| door clear width | 출입문 통과 유효폭 0.9 m 이상 | toilet.door_clear_width_cm ≥ 90 |
| threshold | 출입구 높이 차이 2 cm 이하 (턱 없음) | toilet.threshold_height_cm ≤ 2 |
| door type | 자동문·미닫이문·접이문 등, 여닫이문은 바깥쪽으로 | toilet.door_type one of those, not hinged_inward |
| turning space | 휠체어 활동공간 1.5 m × 1.5 m (대변기 칸 유효바닥면적 1.6 m × 2.0 m) | toilet.turning_space_150cm, or interior ≥ 160 × 200 cm |
| grab bars | 대변기 양옆 수평손잡이 (한쪽은 회전식 가능) | toilet.grab_bars == both_sides (grab_bar_foldable read too) |
| emergency bell | 비상호출벨, 바닥면 근처에서도 이용 가능 | toilet.emergency_bell == reachable_from_floor |
| lift, if the route needs one | 승강기 운행 | access_route.elevator != out_of_service (step_free read too) |
| seat height | 대변기 좌대 높이 바닥면으로부터 0.4 m 이상 0.45 m 이하 | toilet.seat_height_cm 40–45 |
| grab bar height | 수평손잡이 바닥면으로부터 0.6 m 이상 0.7 m 이하 | toilet.grab_bar_height_cm 60–70 |
| emergency bell height | 비상용 벨 바닥면으로부터 0.6 m와 0.9 m 사이 | toilet.emergency_bell_height_cm 60–90 |
| washbasin knee clearance | 세면대 하단 높이 바닥면으로부터 0.65 m 이상 | toilet.washbasin_knee_clearance_cm ≥ 65 |

Bounds (form v2): a measurement may carry `<field>_bound` = `at_least` | `at_most` (null: exact).
A bounded value counts only where the bound decides the rule: "at least 90" meets the 90 cm door
rule, "at most 85" fails it, "at least 80" leaves it unknown (and so does "at most 95"); the
reason shows the bound ("출입문 유효폭 90 cm 이상 ≥ 90 cm"). The four rows added with form v2 (seat,
grab bar and bell heights, knee clearance) are reported, and a measured failure caps the verdict
at `partially_accessible`, but an unmeasured one caps nothing (`UNCOUNTED_WHEN_UNKNOWN`): v1
phones cannot send them.

Outcome:
- `not_accessible`: no accessible toilet (`arrangement: none`), a route with steps (`step_free: no`),
  a lift out of service (unless the way in was reported step-free all the way: see the edge
  cases), a door narrower than 80 cm, a threshold over 5 cm, a door opening inward. Any one of
  these is enough.
- `accessible`: every criterion above is known and met. A measurement left unknown counts as
  met only where a moderator explicitly confirmed it (`confirmed`), never by default.
- `partially_accessible`: nothing disqualifying, the essentials (arrangement, step-free or partly
  step-free route, door width) known, but some criterion fails mildly (door 80–89 cm, threshold
  2–5 cm, grab bar on one side only, bell out of reach from the floor, ramp steeper than 1/12,
  route only partly step-free, no turning space, a curtain or no door, a lift out of service with
  a step-free way round it) or is unknown.
- `unknown`: the essentials are not known: arrangement, the route's step-freeness or the door
  width (unless confirmed). A guess is never published as a fact.

Reasons: `assess` is the one source of truth; it returns the verdict with one `Reason` per
criterion (`CRITERIA`: the rows above, the route split into step_free, ramp_slope and lift, plus
arrangement): outcome `met` | `failed` | `unknown` | `confirmed`, the measured fields (null stays
null), the rule (`RULES`) and a ko/en text. Each reason caps the verdict; the verdict is the
strongest cap (`verdict_of`), so the reasons always agree with it. `toilet_verdict` is its
verdict alone. docs/finder.md documents the outcomes and texts.

Edge cases (issue 15 item 6; docs/finder.md "Edge cases"), decided from the rule's text:
- A door type the rule does not list: its list is open ("자동문, 미닫이문 또는 접이문 **등**"), and
  the one refusal is a hinged door opening inward (it takes the wheelchair's space in the stall).
  A curtain or no door at all (`none`) is passable and takes no space, so it is not
  disqualifying (it was, before); but it is no door the rule describes (no lock, no privacy):
  failed mildly (`partially_accessible`). `other` says nothing about how the door opens: unknown,
  capped at `partially_accessible`, and a moderator may confirm it from the photos.
- One grab bar with a fold-down bar: the rule wants bars on both sides and lets one of them be
  a swing-up (회전식) bar, so "both sides, one fold-down" meets it. "One side" with a fold-down
  bar (`grab_bar_foldable: true`) cannot tell whether the fold-down bar is the second side or
  the only bar: unknown (not failed), so a moderator can confirm both sides from the photos.
- A lift out of service: disqualifying when the way in depends on it, as before. When the
  volunteer answered that the way in is step-free all the way (`step_free: yes`, the form's
  "예, 처음부터 끝까지"), they reached the toilet without it: another step-free way exists, so
  the broken lift fails mildly (`partially_accessible`), with that said in the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Verdict = Literal["accessible", "partially_accessible", "not_accessible", "unknown"]
# Each criterion's outcome: measured and met, measured and failed, not measured, or not measured
# but confirmed as met by a moderator.
Outcome = Literal["met", "failed", "unknown", "confirmed"]

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
# The door types the rule names (the list is open: "등"); a hinged door must open outward.
DOOR_TYPES_MET = ("automatic", "sliding", "hinged_outward", "folding")
# Passable, no leaf in the stall, but no door the rule describes (no lock, no privacy).
DOOR_TYPES_PASSABLE = ("curtain", "none")
SEAT_HEIGHT_CM = (40, 45)
GRAB_BAR_HEIGHT_CM = (60, 70)
BELL_HEIGHT_CM = (60, 90)
KNEE_CLEARANCE_MIN_CM = 65


# The verdicts a criterion's outcome can cap the toilet at, strongest first: the verdict is the
# first of these any reason caps at, else `accessible` (see `verdict_of`).
CAPS: tuple[Verdict, ...] = ("not_accessible", "unknown", "partially_accessible")

CRITERIA_LABELS: dict[str, tuple[str, str]] = {
    "arrangement": ("장애인 화장실", "Accessible toilet"),
    "step_free": ("접근로", "Way in"),
    "ramp_slope": ("경사로 기울기", "Ramp slope"),
    "lift": ("승강기", "Lift"),
    "door_clear_width": ("출입문 유효폭", "Door clear width"),
    "door_type": ("출입문 형태", "Door type"),
    "threshold": ("출입구 턱 높이", "Threshold height"),
    "turning_space": ("휠체어 회전 공간", "Wheelchair turning space"),
    "grab_bars": ("대변기 손잡이", "Grab bars"),
    "emergency_bell": ("비상벨", "Emergency bell"),
    "seat_height": ("변기 높이", "Seat height"),
    "grab_bar_height": ("손잡이 높이", "Grab bar height"),
    "emergency_bell_height": ("비상벨 높이", "Emergency bell height"),
    "washbasin_knee_clearance": ("세면대 아래 무릎 공간", "Knee clearance under the washbasin"),
}
CRITERIA = tuple(CRITERIA_LABELS)
# Criteria that, left unmeasured, are reported unknown but hold the verdict at nothing: only a
# measured ramp, a broken lift or a measured height outside its rule counts.
UNCOUNTED_WHEN_UNKNOWN = ("ramp_slope", "lift", "seat_height", "grab_bar_height", "emergency_bell_height",
                          "washbasin_knee_clearance")
OUTCOMES = ("met", "failed", "unknown", "confirmed")

# What a confirmation says was seen (the confirmed text names the rule, not a number nobody measured).
_CONFIRMED_RULE: dict[str, tuple[str, str]] = {
    "step_free": ("단차 없음", "step-free"),
    "door_clear_width": ("90 cm 이상", "at least 90 cm"),
    "door_type": ("안쪽으로 열리지 않음", "does not open inward"),
    "threshold": ("2 cm 이하", "at most 2 cm"),
    "turning_space": ("150×150 cm", "150×150 cm"),
    "grab_bars": ("양쪽", "both sides"),
    "emergency_bell": ("바닥에서도 닿음", "reachable from the floor"),
}
assert set(_CONFIRMED_RULE) == set(CONFIRMABLE)

# The form's codes in words (ko, en); a code not listed is shown as sent.
VALUE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "arrangement": {"separate_accessible_per_gender": ("남녀 각각", "one per gender"),
                    "unisex_accessible": ("남녀공용", "unisex"),
                    "inside_general_toilet": ("일반 화장실 안", "inside the general toilets"),
                    "none": ("없음", "none")},
    "step_free": {"yes": ("단차 없음", "step-free"), "partial": ("일부 단차", "partly step-free"),
                  "no": ("단차 있음", "steps")},
    "lift": {"present": ("있음", "present"), "none": ("없음", "none"), "out_of_service": ("고장", "out of service")},
    "door_type": {"automatic": ("자동문", "automatic"), "sliding": ("미닫이문", "sliding"),
                  "hinged_outward": ("바깥쪽 여닫이문", "hinged, opens outward"),
                  "hinged_inward": ("안쪽 여닫이문", "hinged, opens inward"),
                  "folding": ("접이문", "folding"), "curtain": ("커튼", "curtain"), "none": ("문 없음", "no door"),
                  "other": ("기타", "other")},
    "grab_bars": {"both_sides": ("양쪽", "both sides"), "one_side": ("한쪽", "one side"), "none": ("없음", "none")},
    "emergency_bell": {"reachable_from_floor": ("바닥에서도 닿음", "reachable from the floor"),
                       "present": ("있음(바닥에서 닿지 않음)", "present, not reachable from the floor"),
                       "none": ("없음", "none")},
}


@dataclass(frozen=True)
class Rule:
    """What a criterion's value is held against: `op` (>=, <=, between, in, not_in) and `value` (a number
    in `unit`, or the accepted/refused codes); `disqualifying`: beyond it the toilet is not
    accessible; `alternative`: another rule that meets the criterion too (a large stall)."""
    op: str
    value: Any
    unit: str | None = None
    disqualifying: Any = None
    alternative: Rule | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op, "value": self.value, "unit": self.unit,
                               "disqualifying": self.disqualifying}
        if self.alternative is not None:
            out["alternative"] = self.alternative.as_json()
        return out


RULES: dict[str, Rule] = {
    "arrangement": Rule("not_in", ["none"], disqualifying=["none"]),
    "step_free": Rule("in", ["yes"], disqualifying=["no"]),
    "ramp_slope": Rule("<=", round(RAMP_MAX_PERCENT, 2), "%"),
    "lift": Rule("not_in", ["out_of_service"], disqualifying=["out_of_service"]),
    "door_clear_width": Rule(">=", DOOR_MIN_CM, "cm", disqualifying=DOOR_HARD_MIN_CM),
    "door_type": Rule("in", list(DOOR_TYPES_MET), disqualifying=["hinged_inward"]),
    "threshold": Rule("<=", THRESHOLD_MAX_CM, "cm", disqualifying=THRESHOLD_HARD_MAX_CM),
    "turning_space": Rule(">=", [TURNING_CM, TURNING_CM], "cm",
                          alternative=Rule(">=", [STALL_MIN_WIDTH_CM, STALL_MIN_DEPTH_CM], "cm")),
    "grab_bars": Rule("in", ["both_sides"]),
    "emergency_bell": Rule("in", ["reachable_from_floor"]),
    "seat_height": Rule("between", list(SEAT_HEIGHT_CM), "cm"),
    "grab_bar_height": Rule("between", list(GRAB_BAR_HEIGHT_CM), "cm"),
    "emergency_bell_height": Rule("between", list(BELL_HEIGHT_CM), "cm"),
    "washbasin_knee_clearance": Rule(">=", KNEE_CLEARANCE_MIN_CM, "cm"),
}
assert set(RULES) == set(CRITERIA)


@dataclass(frozen=True)
class Reason:
    """One criterion's outcome. `caps` is the best verdict this outcome allows (None: it does not
    limit the verdict); `measured` holds the form fields it read, null where unknown."""
    criterion: str
    outcome: Outcome
    caps: Verdict | None
    measured: dict[str, Any]
    ko: str
    en: str

    @property
    def rule(self) -> Rule:
        return RULES[self.criterion]

    def as_json(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "outcome": self.outcome, "caps": self.caps,
                "measured": dict(self.measured), "rule": self.rule.as_json(),
                "text": {"ko": self.ko, "en": self.en}}


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    reasons: tuple[Reason, ...]

    def reasons_json(self) -> list[dict[str, Any]]:
        """As stored with each published version (`toilets.verdict_reasons`) and served."""
        return [r.as_json() for r in self.reasons]


def verdict_of(reasons: tuple[Reason, ...] | list[Reason]) -> Verdict:
    """The verdict the reasons add up to: the strongest cap among them, else accessible."""
    caps = {r.caps for r in reasons}
    return next((v for v in CAPS if v in caps), "accessible")


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(round(v, 2)) if isinstance(v, float) else str(v)


# A measurement's bound (form v2 `<field>_bound`; null: the number is exact), in words.
BOUND_WORDS: dict[str, tuple[str, str]] = {"at_least": ("이상", "at least"), "at_most": ("이하", "at most")}
_INF = float("inf")


def _interval(value: float, bound: str | None) -> tuple[float, float]:
    """What a measurement says the true value is within: exact, at least, at most."""
    if bound == "at_least":
        return value, _INF
    if bound == "at_most":
        return -_INF, value
    return value, value


def _quantity(value: Any, bound: str | None, unit: str | None) -> tuple[str, str]:
    """'90 cm', or with its bound '90 cm 이상' / 'at least 90 cm'."""
    base = f"{_num(value)} {unit}" if unit else _num(value)
    if bound in BOUND_WORDS:
        ko, en = BOUND_WORDS[bound]
        return f"{base} {ko}", f"{en} {base}"
    return base, base


def _with_bound(field: str, value: Any, bound: Any) -> dict[str, Any]:
    """The fields a measurement was read from: the value, and its bound where it has one."""
    measured = {field: value}
    if bound is not None:
        measured[field + "_bound"] = bound
    return measured


def _words(criterion: str, code: Any) -> tuple[str, str]:
    return VALUE_LABELS[criterion].get(code, (str(code), str(code)))


class _Builder:
    """Reasons in table order; `confirmed` applies only where the value is unknown."""

    def __init__(self, confirmed: frozenset[str] | set[str]) -> None:
        self.confirmed = confirmed
        self.reasons: list[Reason] = []

    def add(self, criterion: str, outcome: Outcome, caps: Verdict | None, measured: dict[str, Any],
            ko: str, en: str) -> None:
        self.reasons.append(Reason(criterion, outcome, caps, measured, ko, en))

    def unknown(self, criterion: str, caps: Verdict | None, measured: dict[str, Any],
                ko_note: str = "", en_note: str = "") -> None:
        """Not measured: a moderator's confirmation lifts it, else it stays unknown (with `caps`)."""
        ko, en = CRITERIA_LABELS[criterion]
        if criterion in self.confirmed:
            rule_ko, rule_en = _CONFIRMED_RULE[criterion]
            self.add(criterion, "confirmed", None, measured, f"{ko} {rule_ko}: 검수자 확인",
                     f"{en} {rule_en}: confirmed by a moderator")
        else:
            self.add(criterion, "unknown", caps, measured, f"{ko}: 확인 안 됨{ko_note}", f"{en}: not checked{en_note}")

    def coded(self, criterion: str, field: str, value: Any, *, met: set[str] | None, hard: set[str],
              unknown_caps: Verdict | None) -> None:
        """An enumerated field: `met` codes meet it (None: every code not in `hard`), `hard` ones
        disqualify, the rest fail mildly."""
        measured = {field: value}
        if value is None:
            self.unknown(criterion, unknown_caps, measured)
            return
        ko, en = CRITERIA_LABELS[criterion]
        word_ko, word_en = _words(criterion, value)
        if value in hard:
            outcome, caps = "failed", "not_accessible"
        elif met is None or value in met:
            outcome, caps = "met", None
        else:
            outcome, caps = "failed", "partially_accessible"
        self.add(criterion, outcome, caps, measured, f"{ko}: {word_ko}", f"{en}: {word_en}")

    def _reading(self, criterion: str, field: str, group: Mapping[str, Any],
                 unknown_caps: Verdict | None) -> tuple[Any, Any, dict[str, Any], str, str, str | None] | None:
        """A measurement, its bound, what was read, the criterion's words and unit; None (and the
        reason added as unknown) when it was not measured."""
        value, bound = group.get(field), group.get(field + "_bound")
        measured = _with_bound(field, value, bound)
        if value is None:
            self.unknown(criterion, unknown_caps, measured)
            return None
        ko, en = CRITERIA_LABELS[criterion]
        return value, bound, measured, ko, en, RULES[criterion].unit

    def measured(self, criterion: str, field: str, group: Mapping[str, Any], *, at_least: bool, limit: float,
                 hard: float | None, unknown_caps: Verdict | None, shown_limit: str | None = None,
                 suffix: str = "") -> None:
        """`group[field]`, a length or slope, held against `limit` (≥ or ≤); beyond `hard` it
        disqualifies. With a bound (`group[field + "_bound"]`) it decides only where the whole
        range the bound allows is on one side of the rule."""
        read = self._reading(criterion, field, group, unknown_caps)
        if read is None:
            return
        value, bound, measured, ko, en, unit = read
        low, high = _interval(value, bound)
        ok = low >= limit if at_least else high <= limit
        failed = high < limit if at_least else low > limit
        qty_ko, qty_en = _quantity(value, bound, unit)
        rule_text = f"{shown_limit or _num(limit)} {unit}{suffix}"
        if not ok and not failed:  # a bound on the wrong side of the rule: it does not tell
            self.unknown(criterion, unknown_caps, measured, f" ({qty_ko}, 기준 {rule_text})",
                         f" ({qty_en}, rule {rule_text})")
            return
        beyond_hard = hard is not None and (high < hard if at_least else low > hard)
        sign = (">=" if ok else "<") if at_least else ("<=" if ok else ">")
        sign = {">=": "≥", "<=": "≤"}.get(sign, sign)
        note_ko = note_en = ""
        if beyond_hard:
            word_ko, word_en = ("미만", "under") if at_least else ("초과", "over")
            note_ko = f" ({_num(hard)} {unit} {word_ko}: 접근 불가)"
            note_en = f" ({word_en} {_num(hard)} {unit}: not accessible)"
        caps: Verdict | None = "not_accessible" if beyond_hard else (None if ok else "partially_accessible")
        self.add(criterion, "met" if ok else "failed", caps, measured, f"{ko} {qty_ko} {sign} {rule_text}{note_ko}",
                 f"{en} {qty_en} {sign} {rule_text}{note_en}")

    def ranged(self, criterion: str, field: str, t: Mapping[str, Any], low: float, high: float) -> None:
        """A height that must lie within [low, high]; a measured failure caps at partially
        accessible, an unmeasured one caps nothing (UNCOUNTED_WHEN_UNKNOWN)."""
        read = self._reading(criterion, field, t, None)
        if read is None:
            return
        value, bound, measured, ko, en, unit = read
        at_low, at_high = _interval(value, bound)
        qty_ko, qty_en = _quantity(value, bound, unit)
        rule_ko, rule_en = f"기준 {_num(low)}~{_num(high)} {unit}", f"rule {_num(low)}–{_num(high)} {unit}"
        if at_low >= low and at_high <= high:
            self.add(criterion, "met", None, measured, f"{ko} {qty_ko} ({rule_ko})", f"{en} {qty_en} ({rule_en})")
        elif at_high < low or at_low > high:
            sign, edge = ("<", low) if at_high < low else (">", high)
            self.add(criterion, "failed", "partially_accessible", measured,
                     f"{ko} {qty_ko} {sign} {_num(edge)} {unit} ({rule_ko})",
                     f"{en} {qty_en} {sign} {_num(edge)} {unit} ({rule_en})")
        else:
            self.unknown(criterion, None, measured, f" ({qty_ko}, {rule_ko})", f" ({qty_en}, {rule_en})")

    def door_type(self, value: Any) -> None:
        """The door type (see the edge cases in the module's docstring): inward-opening hinged
        disqualifies, a listed type meets, a curtain or no door fails mildly, `other` (or a code
        this version does not know) is unknown until a person looks."""
        if value == "other" or (value is not None and value not in VALUE_LABELS["door_type"]):
            self.unknown("door_type", "partially_accessible", {"door_type": value},
                         " (기타: 여는 방식 모름)", " (other: how it opens is not known)")
        elif value in DOOR_TYPES_PASSABLE:
            ko, en = CRITERIA_LABELS["door_type"]
            word_ko, word_en = _words("door_type", value)
            self.add("door_type", "failed", "partially_accessible", {"door_type": value},
                     f"{ko}: {word_ko} (통과 가능, 잠금·가림 없음: 기준의 문 형태 아님)",
                     f"{en}: {word_en} (passable, but no lock or privacy: not a door type the rule names)")
        else:
            self.coded("door_type", "door_type", value, met=set(DOOR_TYPES_MET), hard={"hinged_inward"},
                       unknown_caps="partially_accessible")

    def grab_bars(self, t: Mapping[str, Any]) -> None:
        bars, foldable = t.get("grab_bars"), t.get("grab_bar_foldable")
        measured = {"grab_bars": bars, "grab_bar_foldable": foldable}
        ko, en = CRITERIA_LABELS["grab_bars"]
        if bars is None:
            self.unknown("grab_bars", "partially_accessible", measured)
        elif bars == "both_sides":
            fold_ko, fold_en = (" (한쪽 접이식: 기준에 맞음)", " (one fold-down: as the rule allows)") if foldable else ("", "")
            self.add("grab_bars", "met", None, measured, f"{ko}: 양쪽{fold_ko}", f"{en}: both sides{fold_en}")
        elif bars == "one_side" and foldable:
            # the fold-down bar may be the second side (the rule allows it) or the only bar
            self.unknown("grab_bars", "partially_accessible", measured,
                         " (한쪽 + 접이식: 접이식이 다른 쪽 손잡이인지 모름)",
                         " (one side + a fold-down bar: whether it is the other side is not known)")
        else:
            word_ko, word_en = _words("grab_bars", bars)
            self.add("grab_bars", "failed", "partially_accessible", measured, f"{ko}: {word_ko}", f"{en}: {word_en}")

    def lift(self, r: Mapping[str, Any]) -> None:
        elevator, step_free = r.get("elevator"), r.get("step_free")
        if elevator != "out_of_service" or step_free != "yes":
            self.coded("lift", "elevator", elevator, met=None, hard={"out_of_service"}, unknown_caps=None)
            return
        ko, en = CRITERIA_LABELS["lift"]
        self.add("lift", "failed", "partially_accessible", {"elevator": elevator, "step_free": step_free},
                 f"{ko}: 고장 (다른 무단차 경로로 갈 수 있음)",
                 f"{en}: out of service (another step-free way in was reported)")

    def turning_space(self, t: Mapping[str, Any]) -> None:
        flag, w, d = t.get("turning_space_150cm"), t.get("interior_width_cm"), t.get("interior_depth_cm")
        wb, db = t.get("interior_width_cm_bound"), t.get("interior_depth_cm_bound")
        measured = {"turning_space_150cm": flag, **_with_bound("interior_width_cm", w, wb),
                    **_with_bound("interior_depth_cm", d, db)}
        ko, en = CRITERIA_LABELS["turning_space"]
        if flag is not None:
            yes = bool(flag)
            self.add("turning_space", "met" if yes else "failed", None if yes else "partially_accessible", measured,
                     f"{ko} 150×150 cm: {'있음' if yes else '없음'}",
                     f"{en} 150×150 cm: {'yes' if yes else 'no'}")
            return
        if w is None or d is None:
            self.unknown("turning_space", "partially_accessible", measured)
            return
        if wb is None and db is None:
            stall_ko = stall_en = f"{_num(w)} × {_num(d)} cm"
        else:
            (w_ko, w_en), (d_ko, d_en) = _quantity(w, wb, "cm"), _quantity(d, db, "cm")
            stall_ko, stall_en = f"{w_ko} × {d_ko}", f"{w_en} × {d_en}"
        (w_low, w_high), (d_low, d_high) = _interval(w, wb), _interval(d, db)
        # the stall's sides as far as they are known: the smaller side is at least min(lows) and
        # at most min(highs); the larger at least max(lows)
        narrow_low, deep_low = sorted((w_low, d_low))
        narrow_high = min(w_high, d_high)
        if narrow_low >= STALL_MIN_WIDTH_CM and deep_low >= STALL_MIN_DEPTH_CM:
            self.add("turning_space", "met", None, measured,
                     f"대변기 칸 {stall_ko} ({STALL_MIN_WIDTH_CM} × {STALL_MIN_DEPTH_CM} cm 이상)",
                     f"Stall {stall_en} (at least {STALL_MIN_WIDTH_CM} × {STALL_MIN_DEPTH_CM} cm)")
        elif narrow_high < TURNING_CM:  # a 150 cm circle cannot fit
            self.add("turning_space", "failed", "partially_accessible", measured,
                     f"대변기 칸 {stall_ko}: 폭 {_num(narrow_high)} cm < {TURNING_CM} cm",
                     f"Stall {stall_en}: {_num(narrow_high)} cm < {TURNING_CM} cm across")
        else:  # the circle may fit: only a measurement or a confirmation tells
            self.unknown("turning_space", "partially_accessible", measured,
                         f" (대변기 칸 {stall_ko})", f" (stall {stall_en})")


def assess(data: Mapping[str, Any], confirmed: frozenset[str] | set[str] = frozenset()) -> Assessment:
    """The verdict for a toilet's fields (`{"toilet": {...}, "access_route": {...}}` as in the form)
    with one reason per criterion of the table above, in its order.

    `confirmed` names criteria (see CONFIRMABLE) a moderator confirmed as met on site or from
    photos; it can lift an unknown to `confirmed`, never overrule a measurement that fails.
    Each reason caps the verdict (`Reason.caps`): a disqualifying fact at `not_accessible`, an
    unknown essential (arrangement, the route's step-freeness, door width) at `unknown`, a mild
    failure or another unknown at `partially_accessible`. An unmeasured ramp slope or lift state
    is reported as unknown but caps nothing: only a measured ramp or a broken lift counts.
    """
    t = data.get("toilet") or {}
    r = data.get("access_route") or {}
    b = _Builder(confirmed)
    b.coded("arrangement", "arrangement", t.get("arrangement"), met=None, hard={"none"}, unknown_caps="unknown")
    b.coded("step_free", "step_free", r.get("step_free"), met={"yes"}, hard={"no"}, unknown_caps="unknown")
    b.measured("ramp_slope", "ramp_slope_percent", r, at_least=False,
               limit=RAMP_MAX_PERCENT, hard=None, unknown_caps=None, shown_limit=_num(round(RAMP_MAX_PERCENT, 2)),
               suffix=" (1:12)")
    b.lift(r)
    b.measured("door_clear_width", "door_clear_width_cm", t, at_least=True,
               limit=DOOR_MIN_CM, hard=DOOR_HARD_MIN_CM, unknown_caps="unknown")
    # an unknown door may open inward into the stall (a disqualifier): not met until known
    b.door_type(t.get("door_type"))
    b.measured("threshold", "threshold_height_cm", t, at_least=False,
               limit=THRESHOLD_MAX_CM, hard=THRESHOLD_HARD_MAX_CM, unknown_caps="partially_accessible")
    b.turning_space(t)
    b.grab_bars(t)
    b.coded("emergency_bell", "emergency_bell", t.get("emergency_bell"), met={"reachable_from_floor"}, hard=set(),
            unknown_caps="partially_accessible")
    # the heights form v2 added (UNCOUNTED_WHEN_UNKNOWN: unmeasured, they hold nothing down)
    b.ranged("seat_height", "seat_height_cm", t, *SEAT_HEIGHT_CM)
    b.ranged("grab_bar_height", "grab_bar_height_cm", t, *GRAB_BAR_HEIGHT_CM)
    b.ranged("emergency_bell_height", "emergency_bell_height_cm", t, *BELL_HEIGHT_CM)
    b.measured("washbasin_knee_clearance", "washbasin_knee_clearance_cm", t,
               at_least=True, limit=KNEE_CLEARANCE_MIN_CM, hard=None, unknown_caps=None)
    reasons = tuple(b.reasons)
    return Assessment(verdict_of(reasons), reasons)


def toilet_verdict(data: Mapping[str, Any], confirmed: frozenset[str] | set[str] = frozenset()) -> Verdict:
    """The verdict alone (see `assess`, the one source of truth)."""
    return assess(data, confirmed).verdict
