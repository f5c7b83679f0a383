"""The `geojson` profile: plain RFC 7946 with our own field names (DESIGN.md).

Properties carry the published `place`, `toilet` and `access_route` groups as stored (unknown
is null), the derived verdict with its reasons (`verdict_reasons`, one per criterion as stored
with the version: outcome, measured values, rule, ko/en text; docs/finder.md), dates in
RFC 3339 UTC, and photo URLs under the configured prefix. CSV flattens the groups into dotted
columns (`toilet.door_clear_width_cm`, and form v2's `toilet.door_clear_width_cm_bound` beside
the v1 columns, at the end, so a bound is never lost from a number); lists (obstacles, photo URLs, verdict reasons) are JSON
text, and the reasons are also one readable line per language (`verdict_reasons_ko`,
`verdict_reasons_en`). A full export holds active features only; retired ones reach
incremental consumers as tombstones.
"""

from __future__ import annotations

from exports.profiles.base import Column, LayerMapping, Profile
from exports.sql import fixed7, reasons_text

PLACE_FIELDS = ("name", "building_name", "building_type", "category", "road_address", "lot_address",
                "district", "floor", "location_detail", "opening", "opening_hours")
TOILET_FIELDS = ("arrangement", "door_type", "door_clear_width_cm", "threshold_height_cm",
                 "turning_space_150cm", "interior_width_cm", "interior_depth_cm", "grab_bars",
                 "grab_bar_foldable", "seat_height_cm", "emergency_bell", "washbasin_accessible",
                 "baby_changing_table", "ostomy_sink", "lock_operable_one_hand",
                 # form v2: the new heights, and each measurement's bound (at_least | at_most; null: exact)
                 "grab_bar_height_cm", "emergency_bell_height_cm", "washbasin_knee_clearance_cm",
                 "door_clear_width_cm_bound", "threshold_height_cm_bound", "interior_width_cm_bound",
                 "interior_depth_cm_bound", "seat_height_cm_bound", "grab_bar_height_cm_bound",
                 "emergency_bell_height_cm_bound", "washbasin_knee_clearance_cm_bound")
ROUTE_FIELDS = ("step_free", "entrance_step_free", "entrance_door", "ramp_slope_percent", "elevator",
                "obstacles", "ramp_slope_percent_bound")

UTC = "to_char(({0}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
PHOTO_URLS = ("coalesce((SELECT json_agg(:photo_prefix || '/' || f ORDER BY n) "
              "FROM unnest(t.photo_files) WITH ORDINALITY AS u(f, n)), '[]'::json)")


def _utc(expr: str) -> str:
    return UTC.format(expr)


TOILET_PROPERTIES = (
    Column("id", "t.id::text"),
    Column("version", "t.version", kind="number"),
    Column("status", "t.status"),
    Column("retired_reason", "t.retired_reason"),
    Column("name", "t.name"),
    Column("building_name", "t.building_name"),
    Column("floor", "t.floor"),
    Column("district_code", "t.district_code"),
    Column("district_name_ko", "d.name_ko"),
    Column("district_name_en", "d.name_en"),
    Column("verdict", "t.verdict"),
    Column("verdict_reasons", "t.verdict_reasons::json"),
    Column("last_verified_at", _utc("t.last_verified_at")),
    # The day (Seoul) the verification gets older than REVERIFY_AFTER_MONTHS: before today, the
    # toilet is ageing (the API's verified_age.ageing). A date, not a flag, so that an export of
    # an unchanged layer stays the same file from one day to the next.
    Column("reverify_due_on", "to_char((t.last_verified_at + make_interval(months => CAST(:reverify_months AS int))) "
                              "AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD')"),
    Column("created_at", _utc("t.created_at")),
    Column("updated_at", _utc("t.updated_at")),
    Column("place", "(t.data -> 'place')::json"),
    Column("toilet", "(t.data -> 'toilet')::json"),
    Column("access_route", "(t.data -> 'access_route')::json"),
    Column("main_photo_url", "(CASE WHEN t.photo_files[1] IS NOT NULL THEN :photo_prefix || '/' || t.photo_files[1] END)"),
    Column("photo_urls", PHOTO_URLS),
)


def _flat(group: str, name: str) -> Column:
    # JSON lists stay JSON text; scalars as PostgreSQL prints them (true/false, 100, text)
    if name == "obstacles":
        return Column(f"{group}.{name}", f"(t.data #> '{{{group},{name}}}')::text")
    # measurements (…_cm, …_percent) are numbers; the rest is text (booleans print as true/false)
    kind = "number" if name.endswith(("_cm", "_percent")) else "text"
    return Column(f"{group}.{name}", f"(t.data #>> '{{{group},{name}}}')", kind=kind)


# The reasons in a spreadsheet: the stored JSON, and one readable line per language.
REASONS_CSV = (
    Column("verdict_reasons", "t.verdict_reasons::text"),
    Column("verdict_reasons_ko", reasons_text("ko")),
    Column("verdict_reasons_en", reasons_text("en")),
)


def _csv_scalars() -> list[Column]:
    out: list[Column] = []
    for c in TOILET_PROPERTIES:
        if c.key == "verdict_reasons":
            out += REASONS_CSV
        elif c.key not in ("place", "toilet", "access_route", "photo_urls"):
            out.append(c)
    return out


TOILET_CSV = (
    *_csv_scalars(),
    Column("photo_urls", f"({PHOTO_URLS})::text"),
    Column("lon", fixed7("ST_X(t.location)"), kind="number"),
    Column("lat", fixed7("ST_Y(t.location)"), kind="number"),
    *[_flat("place", f) for f in PLACE_FIELDS],
    *[_flat("toilet", f) for f in TOILET_FIELDS],
    *[_flat("access_route", f) for f in ROUTE_FIELDS],
)

ROUTE_PROPERTIES = (
    Column("toilet_id", "t.id::text"),
    Column("version", "r.version", kind="number"),
    Column("status", "r.status"),
    Column("step_free", "r.step_free"),
    Column("length_m", "round(ST_Length(r.path::geography)::numeric, 1)", kind="number"),
    Column("toilet_name", "t.name"),
    Column("district_code", "t.district_code"),
    Column("elevator", "(t.data #>> '{access_route,elevator}')"),
    Column("ramp_slope_percent", "(t.data #> '{access_route,ramp_slope_percent}')::json"),
    Column("updated_at", _utc("r.updated_at")),
)
ROUTE_CSV = (
    *[c for c in ROUTE_PROPERTIES if c.key != "ramp_slope_percent"],
    Column("ramp_slope_percent", "(t.data #>> '{access_route,ramp_slope_percent}')", kind="number"),
    Column("wkt", "ST_AsText(r.path, 7)"),
)

PROFILE = Profile(
    name="geojson",
    title="Plain RFC 7946 GeoJSON with the project's own field names",
    layers={
        "toilets": LayerMapping(TOILET_PROPERTIES, TOILET_CSV, id_column="id"),
        "routes": LayerMapping(ROUTE_PROPERTIES, ROUTE_CSV, id_column="toilet_id"),
    },
    text_values=False,
    keep_retired=False,
)
