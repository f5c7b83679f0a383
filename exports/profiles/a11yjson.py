"""The `a11yjson` profile: each toilet as an A11yJSON `PlaceInfo` (accessibility.cloud's format,
npm @sozialhelden/a11yjson), so the toilets can be shared with accessibility.cloud, Wheelmap and
other apps that read it.

A feature is a PlaceInfo (`properties`, `geometry`) inside GeoJSON's Feature envelope (`type`,
`id`), as accessibility.cloud serves them. The accessibility is under
`properties.accessibility`: the grade (`wheelchairAccessibilityGrade`, from the verdict), the
building entrance (`entrances[0]`: step-free or not, its door) and the accessible toilet as one
`restrooms[0]`: its door (clear width, threshold, how it opens), the turning space, the grab
bars and the seat height. Lengths are A11yJSON quantities with their unit
(`{"value": 90, "unit": "cm"}`), a form v2 bound as the quantity's operator (`"operator": ">="` for
"at least 90"); the turning space is the rule's 150 cm held with an operator
(`>=` when there is one, `<` when there is none), never a number nobody measured.

Unknown is left out, never written as a guess (A11yJSON reads a missing key as unknown): the
properties are stripped of nulls (`Profile.omit_null`). Crowd text (name, building, address,
location detail) travels as sent, tagged Korean (`{"ko": …}`); JSON is not a spreadsheet. The
CSV variant is one row per toilet with the PlaceInfo properties as JSON text (neutralised like
every text cell). Toilets only: A11yJSON has no object for a route line.
"""

from __future__ import annotations

from exports.profiles.base import Column, LayerMapping, Profile
from exports.sql import field, fixed7, lit, vocab

GRADE = {"accessible": "fully", "partially_accessible": "partially", "not_accessible": "not"}


def _num(group: str, name: str) -> str:
    """A measured number of the published data, NULL unless it is a JSON number."""
    path = f"'{{{group},{name}}}'"
    return f"(CASE WHEN jsonb_typeof(t.data #> {path}) = 'number' THEN (t.data #>> {path})::numeric END)"


def _bool(group: str, name: str) -> str:
    path = f"'{{{group},{name}}}'"
    return f"(CASE WHEN jsonb_typeof(t.data #> {path}) = 'boolean' THEN (t.data #>> {path})::boolean END)"


def _ko(expr: str) -> str:
    """A LocalizedString in Korean (NULL when the text is unknown or empty)."""
    return f"(CASE WHEN NULLIF({expr}, '') IS NOT NULL THEN json_build_object('ko', {expr}) END)"


def _cm(expr: str, operator: str | None = None) -> str:
    """A Length quantity in centimetres (NULL when unknown)."""
    op = f", 'operator', {lit(operator)}" if operator else ""
    return f"(CASE WHEN {expr} IS NOT NULL THEN json_build_object('value', {expr}, 'unit', 'cm'{op}) END)"


# A form v2 bound as an A11yJSON quantity operator: "at least 90" is {"value": 90, "operator": ">="}.
BOUND_OPERATOR = {"at_least": ">=", "at_most": "<="}


def _measured_cm(group: str, name: str) -> str:
    """A measured Length with its bound as the quantity's operator (none: exact)."""
    value, bound = _num(group, name), field(group, name + "_bound")
    operator = vocab(bound, BOUND_OPERATOR)
    return (f"(CASE WHEN {value} IS NOT NULL THEN json_build_object('value', {value}, 'unit', 'cm', "
            f"'operator', {operator}) END)")


def _is(expr: str, *codes: str) -> str:
    """true when the code is one of `codes`, false for another known code, NULL when unknown."""
    return f"(CASE WHEN {expr} IS NULL THEN NULL ELSE {expr} IN ({', '.join(lit(c) for c in codes)}) END)"


DOOR_TYPE = field("toilet", "door_type")
# How the toilet door opens, in A11yJSON's door flags; a curtain, no door or `other` say nothing.
_KNOWN_DOOR = "('automatic', 'sliding', 'hinged_outward', 'hinged_inward', 'folding')"


def _door_flag(*codes: str) -> str:
    return f"(CASE WHEN {DOOR_TYPE} IN {_KNOWN_DOOR} THEN {DOOR_TYPE} IN ({', '.join(lit(c) for c in codes)}) END)"


RESTROOM_DOOR = (
    "json_build_object("
    f"'width', {_measured_cm('toilet', 'door_clear_width_cm')}, "
    f"'thresholdHeight', {_measured_cm('toilet', 'threshold_height_cm')}, "
    f"'isAutomatic', {_door_flag('automatic')}, "
    f"'isSliding', {_door_flag('sliding')}, "
    f"'doorOpensToOutside', (CASE {DOOR_TYPE} WHEN 'hinged_outward' THEN true WHEN 'hinged_inward' THEN false END))"
)

GRAB_BARS = field("toilet", "grab_bars")
TOILET = (
    "json_build_object("
    f"'heightOfBase', {_measured_cm('toilet', 'seat_height_cm')}, "
    "'grabBars', json_build_object("
    f"'onUsersLeftSide', (CASE {GRAB_BARS} WHEN 'both_sides' THEN true WHEN 'none' THEN false END), "
    f"'onUsersRightSide', (CASE {GRAB_BARS} WHEN 'both_sides' THEN true WHEN 'none' THEN false END), "
    f"'foldable', {_bool('toilet', 'grab_bar_foldable')}))"
)

TURNING = _bool("toilet", "turning_space_150cm")
RESTROOM = (
    "json_build_object("
    "'isAccessibleWithWheelchair', (CASE t.verdict WHEN 'accessible' THEN true WHEN 'not_accessible' THEN false END), "
    f"'entrance', json_build_object('door', {RESTROOM_DOOR}), "
    f"'turningSpaceInside', (CASE WHEN {TURNING} THEN {_cm('150', '>=')} WHEN NOT {TURNING} THEN {_cm('150', '<')} END), "
    f"'hasSupportRails', {_is(GRAB_BARS, 'both_sides', 'one_side')}, "
    f"'toilet', {TOILET}, "
    f"'hasChangingTableForBabies', {_bool('toilet', 'baby_changing_table')}, "
    f"'washBasin', json_build_object('accessibleWithWheelchair', {_bool('toilet', 'washbasin_accessible')}))"
)

ENTRANCE_DOOR = field("access_route", "entrance_door")
_KNOWN_ENTRANCE_DOOR = "('automatic', 'sliding', 'hinged', 'revolving_only')"


def _entrance_flag(code: str) -> str:
    return f"(CASE WHEN {ENTRANCE_DOOR} IN {_KNOWN_ENTRANCE_DOOR} THEN {ENTRANCE_DOOR} = {lit(code)} END)"


ENTRANCE = (
    "json_build_object('properties', json_build_object("
    "'isMainEntrance', true, "
    f"'isLevel', {_bool('access_route', 'entrance_step_free')}, "
    f"'door', (CASE WHEN {ENTRANCE_DOOR} IN {_KNOWN_ENTRANCE_DOOR} THEN json_build_object("
    f"'isAutomatic', {_entrance_flag('automatic')}, 'isSliding', {_entrance_flag('sliding')}, "
    f"'isRevolving', {_entrance_flag('revolving_only')}) END)))"
)

WHEELCHAIR = "json_build_object('wheelchair', true)"
ACCESSIBILITY = (
    "json_build_object("
    f"'wheelchairAccessibilityGrade', {vocab('t.verdict', GRADE)}, "
    f"'accessibleWith', (CASE WHEN t.verdict = 'accessible' THEN {WHEELCHAIR} END), "
    f"'partiallyAccessibleWith', (CASE WHEN t.verdict = 'partially_accessible' THEN {WHEELCHAIR} END), "
    f"'entrances', json_build_array({ENTRANCE}), "
    f"'restrooms', json_build_array({RESTROOM}))"
)

ADDRESS = (
    "json_build_object("
    f"'text', {_ko(field('place', 'road_address'))}, "
    f"'building', {_ko('t.building_name')}, "
    f"'levelName', {_ko('t.floor')}, "
    "'district', json_build_object('ko', d.name_ko, 'en', d.name_en), "
    "'city', json_build_object('ko', '서울특별시', 'en', 'Seoul'), "
    "'countryCode', 'KOR')"
)

TOILET_PROPERTIES = (
    Column("category", "'toilets'"),
    Column("name", _ko("t.name")),
    Column("description", _ko(field("place", "location_detail"))),
    Column("address", ADDRESS),
    Column("originalId", "t.id::text"),
    Column("accessibility", ACCESSIBILITY),
)

TOILET_CSV = (
    Column("id", "t.id::text"),
    Column("name", "t.name"),
    Column("lon", fixed7("ST_X(t.location)"), kind="number"),
    Column("lat", fixed7("ST_Y(t.location)"), kind="number"),
    Column("wheelchairAccessibilityGrade", vocab("t.verdict", GRADE)),
    Column("properties", "json_strip_nulls(json_build_object("
           + ", ".join(f"'{c.key}', {c.sql}" for c in TOILET_PROPERTIES) + "))::text"),
)

PROFILE = Profile(
    name="a11yjson",
    title="A11yJSON PlaceInfo (accessibility.cloud) with accessibility.restrooms",
    layers={"toilets": LayerMapping(TOILET_PROPERTIES, TOILET_CSV, id_column="id")},
    text_values=False,
    keep_retired=False,
    omit_null=True,
)
