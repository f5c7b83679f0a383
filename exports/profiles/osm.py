"""The `osm` profile: each toilet's OpenStreetMap tags, as GeoJSON properties and as a tag CSV
(one row per toilet, one column per key; no osmChange: nothing is uploaded to OSM from here,
a mapper reviews and adds what fits).

Keys and values follow the OSM wiki's definitions (docs/exports.md cites each page):
`amenity=toilets`; `wheelchair=yes|limited|no` from the verdict, `yes` **only** when the
verdict is `accessible` (Key:wheelchair: "full unrestricted access"); `toilets:wheelchair=yes|no`
(the key's two documented values: `yes` only when accessible, `no` when not accessible; a partly
accessible toilet carries `wheelchair=limited` alone); `door:width` in metres (Key:width: metres
by default, a dot as decimal separator; exact widths only: a form v2 "at least" has no OSM value); `changing_table=yes|no`; `opening_hours=24/7` only
for a toilet always open (the free-text hours are not opening_hours syntax, so they are not
passed off as it); `unisex=yes` or `male=yes` + `female=yes` from the arrangement; `level`
(OSM counts the ground floor as 0: Korean 1층 is `level=0`, B1 is `-1`) with the floor as
written in `level:ref`; `check_date` (YYYY-MM-DD, Korea time) from the last verification.

Unknown is no tag (Key:toilets:wheelchair: a missing tag means unknown, never `unknown`): the
properties are stripped of nulls, and a CSV cell is empty. Values are strings, as OSM tags are.
`name` is crowd text: unchanged in GeoJSON, neutralised in CSV (exports.sql.csv_safe). Toilets
only: route lines are not OSM features we could tag.
"""

from __future__ import annotations

from exports.profiles.base import Column, LayerMapping, Profile
from exports.sql import field, fixed7, kst, vocab

WHEELCHAIR = {"accessible": "yes", "partially_accessible": "limited", "not_accessible": "no"}
TOILETS_WHEELCHAIR = {"accessible": "yes", "not_accessible": "no"}
YES_NO = {"true": "yes", "false": "no"}


def _metres(group: str, name: str) -> str:
    """An exact length stored in cm as OSM metres: 90 → '0.9', 100 → '1' (NULL unless a JSON
    number). A bounded one (form v2 "at least 90") has no OSM syntax, and a bare number would
    claim an exact width nobody measured: it is left out (unknown) like a missing one."""
    cm_path = f"{{{group},{name}}}"
    value = f"(t.data #>> '{cm_path}')::numeric"
    return (f"(CASE WHEN jsonb_typeof(t.data #> '{cm_path}') = 'number' "
            f"AND {field(group, name + '_bound')} IS NULL THEN "
            f"rtrim(rtrim(round({value} / 100, 3)::text, '0'), '.') END)")


def _level(expr: str) -> str:
    # Korean floors count the ground floor as 1층; OSM's level counts it as 0. B1 = -1.
    return (f"(CASE WHEN {expr} ~ '^[1-9][0-9]?$' THEN ((({expr})::int) - 1)::text "
            f"WHEN {expr} ~ '^[Bb][1-9][0-9]?$' THEN '-' || substr({expr}, 2) END)")


ARRANGEMENT = field("toilet", "arrangement")
TAGS = (
    Column("amenity", "'toilets'"),
    Column("name", "t.name"),
    Column("wheelchair", vocab("t.verdict", WHEELCHAIR)),
    Column("toilets:wheelchair", vocab("t.verdict", TOILETS_WHEELCHAIR)),
    Column("door:width", _metres("toilet", "door_clear_width_cm")),
    Column("changing_table", vocab(field("toilet", "baby_changing_table"), YES_NO)),
    Column("opening_hours", f"(CASE WHEN {field('place', 'opening')} = 'always' THEN '24/7' END)"),
    Column("unisex", f"(CASE WHEN {ARRANGEMENT} = 'unisex_accessible' THEN 'yes' END)"),
    Column("male", f"(CASE WHEN {ARRANGEMENT} = 'separate_accessible_per_gender' THEN 'yes' END)"),
    Column("female", f"(CASE WHEN {ARRANGEMENT} = 'separate_accessible_per_gender' THEN 'yes' END)"),
    Column("level", _level("t.floor")),
    Column("level:ref", "NULLIF(t.floor, '')"),
    Column("check_date", kst("t.last_verified_at", "YYYY-MM-DD")),
)
TAG_KEYS = tuple(c.key for c in TAGS)

TOILET_CSV = (
    Column("id", "t.id::text"),
    Column("lon", fixed7("ST_X(t.location)"), kind="number"),
    Column("lat", fixed7("ST_Y(t.location)"), kind="number"),
    *TAGS,
)

PROFILE = Profile(
    name="osm",
    title="OpenStreetMap tags (amenity=toilets, wheelchair, toilets:wheelchair, door:width, …)",
    layers={"toilets": LayerMapping(TAGS, TOILET_CSV, id_column="id")},
    text_values=True,
    keep_retired=False,
    omit_null=True,
)
