"""The finder's filter criteria (issue 13): what a wheelchair user can ask of a published toilet,
derived in one place from what the toilet publishes, its stored verdict reasons and its data.

| criterion | true when | false when |
|---|---|---|
| `step_free` | reason `step_free` met or confirmed (way in without steps) | it failed |
| `door_90` | reason `door_clear_width` met or confirmed (≥ 90 cm) | it failed |
| `grab_bars_both` | reason `grab_bars` met or confirmed (both sides) | it failed |
| `bell_reachable` | reason `emergency_bell` met or confirmed (reachable from the floor) | it failed |
| `turning_space` | reason `turning_space` met or confirmed (150 × 150 cm, or a 160 × 200 cm stall) | it failed |
| `unisex` | `toilet.arrangement` is `unisex_accessible` | another arrangement is known |
| `open_24h` | opening hours say 24 h (`24시간`, `상시`, `00:00~24:00`, a window that starts where it ends), or `opening: always` with no hours given | hours give a shorter daily window, or `opening` is `business_hours` / `on_request` |
| `open_now` | open 24 h, or the current time in Seoul is inside the daily window (a window past midnight, `05:30~익일01:00`, counts) | outside the window |

Everything else is unknown (SQL NULL), never a guess: a reason not checked, hours written in a
way we cannot read for every day (`(평일)09:00~18:00`, `9시간`, `공항운영시간`). A filter asks
for true only, so an unknown never passes a filter.

The SQL form is the definition: expressions over the `toilets` table, for the public API's
filter (`LayerFilter`), the representation (`criteria` in each feature) and the vector tiles'
attributes (`attributes_sql`). The daily window is read by a regular expression over the hours
text with separators normalised (`~ ∼ 〜 ～ - –`, spaces removed): `H[:MM]~[익일]H[:MM]` or
`H시[MM분]~H시[MM분]`, hours 0–24, minutes 0–59.
"""

from __future__ import annotations

from typing import Any

from core.errors import fail, field_error

# name → (Korean, English), in the order the finder shows them.
CRITERIA_LABELS: dict[str, tuple[str, str]] = {
    "step_free": ("단차 없는 출입", "Step-free way in"),
    "door_90": ("출입문 90 cm 이상", "Door at least 90 cm"),
    "grab_bars_both": ("양쪽 손잡이", "Grab bars on both sides"),
    "bell_reachable": ("바닥에서 닿는 비상벨", "Emergency bell reachable from the floor"),
    "turning_space": ("휠체어 회전 공간", "Wheelchair turning space"),
    "open_now": ("지금 열림", "Open now"),
    "open_24h": ("24시간 개방", "Open 24 hours"),
    "unisex": ("남녀공용 장애인 화장실", "Unisex accessible stall"),
}
CRITERIA = tuple(CRITERIA_LABELS)

# Criteria read from one verdict reason (toilets.verdict.CRITERIA): met or confirmed → true.
FROM_REASON: dict[str, str] = {
    "step_free": "step_free",
    "door_90": "door_clear_width",
    "grab_bars_both": "grab_bars",
    "bell_reachable": "emergency_bell",
    "turning_space": "turning_space",
}

# Hours texts (normalised: no spaces) that mean open day and night.
ALL_DAY_TEXTS = ("24시간", "24시간개방", "24시간운영", "상시", "상시개방", "연중24시간")
# Hours texts that say nothing (placeholders in the city's data).
BLANK_TEXTS = ("", "~", ":~:")
_WINDOW_RE = r"^(\d{1,2})(?::(\d{2})|시(?:(\d{2})분)?)?~(익일)?(\d{1,2})(?::(\d{2})|시(?:(\d{2})분)?)?$"


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _reason_has(table: str, criterion: str, outcome: str) -> str:
    # containment (@>) on the stored reasons: constants from this module only, no bind parameter
    return f"""{table}.verdict_reasons @> '[{{"criterion": "{criterion}", "outcome": "{outcome}"}}]'::jsonb"""


def _reason_value_sql(table: str, criterion: str) -> str:
    met = f"({_reason_has(table, criterion, 'met')} OR {_reason_has(table, criterion, 'confirmed')})"
    return f"(CASE WHEN {met} THEN true WHEN {_reason_has(table, criterion, 'failed')} THEN false END)"


def hours_text_sql(table: str = "t") -> str:
    """The opening-hours text, separators normalised and spaces removed ('' when none)."""
    raw = f"coalesce({table}.data -> 'place' ->> 'opening_hours', '')"
    return rf"regexp_replace(translate({raw}, '∼〜～－–—-', '~~~~~~~'), '\s', '', 'g')"


def opening_window_sql(table: str = "t") -> str:
    """ARRAY[opens_min, closes_min] (minutes after midnight, closes may be ≤ opens: past
    midnight; 24:00 is 1440), or NULL when the hours are not one daily window."""
    m = "m"
    opens = f"{m}[1]::int * 60 + coalesce({m}[2], {m}[3], '0')::int"
    closes = f"{m}[5]::int * 60 + coalesce({m}[6], {m}[7], '0')::int"
    return f"""(SELECT CASE WHEN {m} IS NULL THEN NULL
        WHEN {m}[1]::int > 24 OR {m}[5]::int > 24 OR coalesce({m}[2], {m}[3], '0')::int > 59
             OR coalesce({m}[6], {m}[7], '0')::int > 59 THEN NULL
        WHEN ({m}[1]::int = 24 AND coalesce({m}[2], {m}[3], '0')::int > 0)
             OR ({m}[5]::int = 24 AND coalesce({m}[6], {m}[7], '0')::int > 0) THEN NULL
        ELSE ARRAY[{opens}, {closes}] END
      FROM regexp_match({hours_text_sql(table)}, '{_WINDOW_RE}') AS {m})"""


def open_24h_sql(table: str = "t") -> str:
    text, window = hours_text_sql(table), opening_window_sql(table)
    opening = f"({table}.data -> 'place' ->> 'opening')"
    return f"""(CASE WHEN {text} IN ({_quoted(ALL_DAY_TEXTS)}) THEN true
        WHEN {window} IS NOT NULL THEN (mod(({window})[1], 1440) = mod(({window})[2], 1440))
        WHEN {text} IN ({_quoted(BLANK_TEXTS)}) AND {opening} = 'always' THEN true
        WHEN {text} IN ({_quoted(BLANK_TEXTS)}) AND {opening} IN ('business_hours', 'on_request') THEN false
        END)"""


def now_minute_sql() -> str:
    """The database's current time of day in Seoul, in minutes after midnight."""
    return "(extract(hour FROM now() AT TIME ZONE 'Asia/Seoul')::int * 60 + extract(minute FROM now() AT TIME ZONE 'Asia/Seoul')::int)"


def open_now_sql(table: str = "t", *, minute: str | None = None) -> str:
    """Open at `minute` (an SQL expression, minutes after midnight in Seoul; default: now)."""
    at, window = minute or now_minute_sql(), opening_window_sql(table)
    opens, closes = f"({window})[1]", f"({window})[2]"
    return f"""(CASE WHEN {open_24h_sql(table)} IS TRUE THEN true
        WHEN {window} IS NULL THEN NULL
        WHEN {opens} < {closes} THEN {at} >= {opens} AND {at} < {closes}
        ELSE {at} >= {opens} OR {at} < {closes} END)"""


def value_sql(name: str, table: str = "t", *, minute: str | None = None) -> str:
    """The criterion as an SQL boolean over `table` (a `toilets` row): true, false or NULL (unknown)."""
    if name in FROM_REASON:
        return _reason_value_sql(table, FROM_REASON[name])
    if name == "unisex":
        arrangement = f"({table}.data -> 'toilet' ->> 'arrangement')"
        return f"(CASE WHEN {arrangement} IS NULL THEN NULL ELSE {arrangement} = 'unisex_accessible' END)"
    if name == "open_24h":
        return open_24h_sql(table)
    if name == "open_now":
        return open_now_sql(table, minute=minute)
    raise KeyError(name)


def where_sql(names: tuple[str, ...], table: str = "t", *, minute: str | None = None) -> str:
    """Rows where every named criterion is true (TRUE for none)."""
    return " AND ".join(f"({value_sql(n, table, minute=minute)} IS TRUE)" for n in names) or "TRUE"


def criteria_json_sql(table: str = "t") -> str:
    """Every criterion as one JSON object {name: true | false | null} (the API's `criteria`)."""
    pairs = ", ".join(f"'{n}', {value_sql(n, table)}" for n in CRITERIA)
    return f"json_build_object({pairs})"


def attributes_sql(table: str = "t") -> list[str]:
    """`expression AS name` for every criterion that does not depend on the time of day, and
    `opens_min`, `closes_min` (the daily window, NULL when unknown) so a map can tell open now
    itself: for ST_AsMVT, whose tiles are cached until the layer changes."""
    cols = [f"{value_sql(n, table)} AS {n}" for n in CRITERIA if n != "open_now"]
    window = opening_window_sql(table)
    cols += [f"({window})[1] AS opens_min", f"({window})[2] AS closes_min"]
    return cols


def parse_criteria(raw: str | None) -> tuple[str, ...]:
    """`criteria=step_free,door_90`: known names, deduplicated in the order given."""
    names = [item.strip() for item in (raw or "").split(",") if item.strip()]
    for n in names:
        if n not in CRITERIA_LABELS:
            raise fail("invalid_query", field_error(
                "criteria", f"조건은 {', '.join(CRITERIA)} 중에서 고릅니다: {n[:40]}",
                f"criteria are among {', '.join(CRITERIA)}: {n[:40]}"))
    return tuple(dict.fromkeys(names))


def labels_json() -> list[dict[str, Any]]:
    """The criteria with their labels, in display order (for pages and documentation)."""
    return [{"name": n, "ko": ko, "en": en} for n, (ko, en) in CRITERIA_LABELS.items()]
