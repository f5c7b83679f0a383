"""The `smart-seoul-map` profile: items as Smart Seoul Map's theme contents serve them.

Keys, slot order and vocabularies follow ../shared/SMART_SEOUL_MAP.md (read from public code
that parses the map's open API v5 and from 계단뿌셔클럽's importer; no official template was
published, so the mapping is inferred: docs/exports.md lists what is). Values are strings, as
the map serves them; an unknown field is an empty string, never a guess.

Rules of the known consumer met by construction: the id is a 36-character UUID; name and
addresses are clipped to 64 characters (full text in x_full_*); photo paths are relative
(`<export_photo_url_prefix>/<photo id>.<ext>`); slot 01/03/04/07 use the recognised words;
retired toilets stay in the full file, marked 사용불가.

The verdict's reasons (docs/finder.md) have no slot of their own: the 12 slots stay as the 2023
layer has them and 13–20 are taken, so they travel as project metadata, one readable line per
language (`x_verdict_reasons_ko`, `x_verdict_reasons_en`), on toilets only; the structured form
is in the `geojson` profile.
"""

from __future__ import annotations

from dataclasses import replace

from exports.consumer_check import REQUIRED_COLUMNS
from exports.profiles.base import Column, LayerMapping, Profile
from exports.sql import blank, clip, field, fixed7, join_known, kst, lit, measurement, reasons_text, vocab

NAME_LIMIT = 64  # the consumer's column sizes (cot_conts_name, cot_addr_full_*)
ADDRESS_LIMIT = 64

# The 12 slots of the real 2023 toilet layer, in order, then ours (13–20).
TOILET_SLOT_LABELS = (
    "이용성별", "추천접근로", "사용가능여부", "화장실입구구조", "내부가로너비", "내부세로너비",
    "대변기출입문", "대변기옆공간", "세면대아래공간", "세면대손잡이", "기타참고사항", "상세주소",
    "출입문유효폭", "출입구턱높이", "대변기손잡이", "비상벨", "변기높이", "접근성판정", "최종확인일", "접근로단차",
)
ROUTE_SLOT_LABELS = ("접근로단차", "승강기", "경사로기울기", "장애물", "길이", "화장실")

ARRANGEMENT = {  # slot 01: never exactly 남자화장실/여자화장실: we record no single-sex toilet
    "separate_accessible_per_gender": "남녀 각각",
    "unisex_accessible": "남녀공용",
    "inside_general_toilet": "일반 화장실 안",
    "none": "장애인 화장실 없음",
}
STEP_FREE_ROUTE = {"yes": "접근로 단차 없음", "partial": "접근로 일부 단차", "no": "접근로 단차 있음"}
ELEVATOR = {"present": "승강기 있음", "none": "승강기 없음", "out_of_service": "승강기 고장"}
DOOR = {  # slot 07: the consumer recognises 자동문 / 미닫이문 / 여닫이문
    "automatic": "자동문",
    "sliding": "미닫이문",
    "hinged_outward": "여닫이문(바깥쪽)",
    "hinged_inward": "여닫이문(안쪽)",
    "folding": "기타(접이문)",
    "curtain": "기타(커튼)",
    "none": "기타(문 없음)",
    "other": "기타",
}
ENTRANCE_DOOR = {k: f"입구 {v}" for k, v in DOOR.items()}
GRAB_BARS = {"both_sides": "양쪽", "one_side": "한쪽", "none": "없음"}
BELL = {"reachable_from_floor": "있음(바닥에서도 사용 가능)", "present": "있음", "none": "없음"}
VERDICT = {"accessible": "접근 가능", "partially_accessible": "부분 접근 가능",
           "not_accessible": "접근 불가", "unknown": "판정 보류(정보 부족)"}
USABLE = {  # slot 03: the consumer looks for 사용가능 / 사용불가
    "accessible": "사용가능",
    "partially_accessible": "사용가능(일부 불편)",
    "not_accessible": "사용불가(휠체어 이용 어려움)",
}
OPENING = {"always": "상시 개방", "business_hours": "업무시간 개방", "on_request": "요청 시 개방"}
YES_NO_ROUTE = {"yes": "없음", "partial": "일부 있음", "no": "있음"}
CATEGORY = {
    "subway_station": "지하철역", "government_office": "공공기관", "park": "공원", "cultural": "문화시설",
    "medical": "의료시설", "commercial": "상업시설", "education": "교육시설", "transport_other": "교통시설",
    "other": "기타",
}


def _bool(expr: str, yes: str | None, no: str | None) -> str:
    parts = []
    if yes is not None:
        parts.append(f"WHEN 'true' THEN {lit(yes)}")
    if no is not None:
        parts.append(f"WHEN 'false' THEN {lit(no)}")
    return f"(CASE {expr} {' '.join(parts)} END)"


def _floor(expr: str) -> str:
    # 'B1' → '지하 1층', '3' → '3층', anything else as written
    return (f"(CASE WHEN {expr} ~ '^[Bb][0-9]+$' THEN '지하 ' || substr({expr}, 2) || '층' "
            f"WHEN {expr} ~ '^[0-9]+$' THEN {expr} || '층' ELSE {expr} END)")


def _threshold_structure() -> str:
    # A bound decides only where it settles the 2 cm line: "at most 1" is step-free, "at least 3"
    # is a step; "at least 1" or "at most 5" could be either, so the slot stays empty (unknown).
    th, bound = f"({field('toilet', 'threshold_height_cm')})::numeric", field("toilet", "threshold_height_cm_bound")
    return (f"(CASE WHEN {th} IS NULL THEN NULL "
            f"WHEN {th} <= 2 AND {bound} IS DISTINCT FROM 'at_least' THEN '무단차/경사로' "
            f"WHEN {th} > 2 AND {bound} IS DISTINCT FROM 'at_most' THEN '단차(턱)/계단' END)")


def _usable() -> str:
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in USABLE.items())
    return f"(CASE WHEN t.status = 'retired' THEN '사용불가(폐쇄)' ELSE (CASE t.verdict {whens} END) END)"


def _photo(n: int) -> str:
    return f"(CASE WHEN t.photo_files[{n}] IS NOT NULL THEN :photo_prefix || '/' || t.photo_files[{n}] END)"


_ROUTE_TEXT = join_known([
    vocab(field("access_route", "step_free"), STEP_FREE_ROUTE),
    _bool(field("access_route", "entrance_step_free"), "건물 입구 무단차", "건물 입구 단차 있음"),
    vocab(field("access_route", "entrance_door"), ENTRANCE_DOOR),
    vocab(field("access_route", "elevator"), ELEVATOR),
    f"(CASE WHEN {field('access_route', 'ramp_slope_percent')} IS NOT NULL THEN "
    f"'경사로 기울기 ' || {field('access_route', 'ramp_slope_percent')} || '%' END)",
    "(CASE WHEN jsonb_array_length(coalesce(t.data #> '{access_route,obstacles}', '[]')) > 0 THEN "
    "'장애물 ' || jsonb_array_length(t.data #> '{access_route,obstacles}') || '곳' END)",
], ", ")

_NOTES = join_known([
    "(CASE WHEN t.status = 'retired' THEN '폐쇄: ' || t.retired_reason END)",
    "(CASE " + field("toilet", "door_type") + " WHEN 'folding' THEN '대변기 출입문은 접이문' "
    "WHEN 'curtain' THEN '대변기 출입문은 커튼' WHEN 'none' THEN '대변기 칸에 문 없음' END)",
    join_known([vocab(field("place", "opening"), OPENING), field("place", "opening_hours")], " "),
    _bool(field("toilet", "baby_changing_table"), "기저귀교환대 있음", None),
    _bool(field("toilet", "ostomy_sink"), "장루·요루 세척대 있음", None),
    _bool(field("toilet", "lock_operable_one_hand"), None, "잠금장치 한 손 조작 어려움"),
    _bool(field("toilet", "grab_bar_foldable"), "손잡이 접이식", None),
], " / ")

_DETAIL = join_known(["t.building_name", _floor("t.floor"), field("place", "location_detail")], " ")

TOILET_VALUES = (
    vocab(field("toilet", "arrangement"), ARRANGEMENT),                       # 01 이용성별
    _ROUTE_TEXT,                                                              # 02 추천접근로
    _usable(),                                                                # 03 사용가능여부
    _threshold_structure(),                                                   # 04 화장실입구구조
    measurement("toilet", "interior_width_cm", "cm"),                    # 05 내부가로너비
    measurement("toilet", "interior_depth_cm", "cm"),                    # 06 내부세로너비
    vocab(field("toilet", "door_type"), DOOR),                                # 07 대변기출입문
    _bool(field("toilet", "turning_space_150cm"),                             # 08 대변기옆공간
          "휠체어 활동공간(150×150cm) 있음", "휠체어 활동공간(150×150cm) 없음"),
    _bool(field("toilet", "washbasin_accessible"), "휠체어 사용 가능", "휠체어 사용 어려움"),  # 09
    "NULL",                                                                   # 10 세면대손잡이: not in the form
    _NOTES,                                                                   # 11 기타참고사항
    _DETAIL,                                                                  # 12 상세주소
    measurement("toilet", "door_clear_width_cm", "cm"),                  # 13 출입문유효폭
    measurement("toilet", "threshold_height_cm", "cm"),                  # 14 출입구턱높이
    vocab(field("toilet", "grab_bars"), GRAB_BARS),                           # 15 대변기손잡이
    vocab(field("toilet", "emergency_bell"), BELL),                           # 16 비상벨
    measurement("toilet", "seat_height_cm", "cm"),                       # 17 변기높이
    vocab("t.verdict", VERDICT),                                              # 18 접근성판정
    kst("t.last_verified_at", "YYYY-MM-DD"),                                  # 19 최종확인일
    vocab(field("access_route", "step_free"), YES_NO_ROUTE),                  # 20 접근로단차
)
assert len(TOILET_VALUES) == len(TOILET_SLOT_LABELS) == 20

ROUTE_VALUES = (
    vocab("r.step_free", YES_NO_ROUTE),
    vocab(field("access_route", "elevator"), ELEVATOR),
    measurement("access_route", "ramp_slope_percent", "%"),
    "(CASE WHEN jsonb_array_length(coalesce(t.data #> '{access_route,obstacles}', '[]')) > 0 THEN "
    "jsonb_array_length(t.data #> '{access_route,obstacles}') || '곳' END)",
    "(round(ST_Length(r.path::geography))::int || 'm')",
    clip("t.name", NAME_LIMIT),
)
LINE_COLOR = {"yes": "#1A9850", "partial": "#F39C12", "no": "#D73027"}


def _common_head(name_sql: str, x_sql: str, y_sql: str, coord_type: str, coord_data: str,
                 color: str, weight: str, pattern: str) -> list[Column]:
    return [
        Column("COT_THEME_ID", ":theme_id"),
        Column("COT_THEME_SUB_ID", "''"),
        Column("COT_CONTS_ID", "t.id::text"),
        Column("COT_CONTS_NAME", clip(name_sql, NAME_LIMIT), max_chars=NAME_LIMIT),
        Column("COT_CONTS_LAN_TYPE", "'KOR'"),
        Column("COT_COORD_X", fixed7(x_sql), kind="number"),
        Column("COT_COORD_Y", fixed7(y_sql), kind="number"),
        Column("COT_COORD_TYPE", lit(coord_type)),
        Column("COT_COORD_DATA", coord_data),
        Column("COT_LINE_COLOR", color),
        Column("COT_LINE_WEIGHT", weight, kind="number"),
        Column("COT_LINE_PATTERN", pattern),
        Column("COT_ADDR_FULL_NEW", blank(clip(field("place", "road_address"), ADDRESS_LIMIT)),
               max_chars=ADDRESS_LIMIT),
        Column("COT_ADDR_FULL_OLD", blank(clip(field("place", "lot_address"), ADDRESS_LIMIT)),
               max_chars=ADDRESS_LIMIT),
        Column("COT_SI_NAME", "'서울특별시'"),
        Column("COT_GU_NAME", "d.name_ko"),
        Column("COT_DONG_NAME", "''"),  # not collected; never derived from a guess
        Column("COT_TEL_NO", "''"),
        Column("COT_KW", blank(vocab(field("place", "category"), CATEGORY))),
    ]


def _slots(labels: tuple[str, ...], values: tuple[str, ...]) -> list[Column]:
    cols = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True), start=1):
        cols += [Column(f"COT_NAME_{i:02d}", lit(label)), Column(f"COT_VALUE_{i:02d}", blank(value))]
    return cols


def _tail(updated: str, photos: bool) -> list[Column]:
    imgs = [_photo(1)] + [_photo(n) for n in range(2, 6)] if photos else ["NULL"] * 5
    names = ["COT_IMG_MAIN_URL"] + [f"COT_IMG_MAIN_URL{n}" for n in range(2, 6)]
    return [Column(n, blank(v)) for n, v in zip(names, imgs, strict=True)] + [
        Column("COT_REG_DATE", kst("t.created_at", "YYYY-MM-DD HH24:MI:SS") + " || '.0'"),
        Column("COT_UPDATE_DATE", kst(updated, "YYYY-MM-DD HH24:MI:SS") + " || '.0'"),
    ]


def _extras(status: str, version: str) -> list[Column]:
    return [
        Column("x_status", status),
        Column("x_version", f"{version}::text", kind="number"),
        Column("x_verdict", "t.verdict"),
        Column("x_district_code", "t.district_code"),
        Column("x_full_name", "t.name"),
        Column("x_full_addr_new", blank(field("place", "road_address"))),
        Column("x_full_addr_old", blank(field("place", "lot_address"))),
    ]


TOILET_PROPERTIES = tuple(
    _common_head("t.name", "ST_X(t.location)", "ST_Y(t.location)", "1", "''", "''", "''", "''")
    + _slots(TOILET_SLOT_LABELS, TOILET_VALUES)
    + _tail("t.updated_at", photos=True)
    + _extras("t.status", "t.version")
    + [Column("x_verdict_reasons_ko", blank(reasons_text("ko"))),
       Column("x_verdict_reasons_en", blank(reasons_text("en")))]
)
ROUTE_PROPERTIES = tuple(
    _common_head("t.name || ' 접근로'", "ST_X(ST_StartPoint(r.path))", "ST_Y(ST_StartPoint(r.path))", "3",
                 "(ST_AsGeoJSON(r.path, 7)::json ->> 'coordinates')",
                 blank(vocab("r.step_free", LINE_COLOR)), "'4'",
                 "(CASE WHEN r.step_free = 'yes' THEN 'L' ELSE 'D' END)")
    + _slots(ROUTE_SLOT_LABELS, ROUTE_VALUES)
    + _tail("r.updated_at", photos=False)
    + _extras("r.status", "r.version")
)


def _csv(properties: tuple[Column, ...], lon: str, lat: str) -> tuple[Column, ...]:
    cot = [replace(c, key=c.key.lower()) for c in properties if c.key.startswith("COT_")]
    extra = [c for c in properties if c.key.startswith("x_")]
    return (*cot, Column("lat", fixed7(lat), kind="number"), Column("lng", fixed7(lon), kind="number"), *extra)


def _complete(properties: tuple[Column, ...]) -> str:
    """Only toilets the known consumer keeps: every column without which it drops the row
    (exports.consumer_check.REQUIRED_COLUMNS: the main photo, both addresses) holds text, and no
    moderator chose the public layer only. The rest are listed in a snapshot's manifest
    (`excluded`, with the reasons), never exported to be dropped silently."""
    by_key = {c.key.lower(): c.sql for c in properties}
    filled = [f"({by_key[key]}) ~ '\\S'" for key in REQUIRED_COLUMNS]  # a character that is no space
    return " AND ".join(["NOT t.public_layer_only", *filled])


COMPLETE = _complete(TOILET_PROPERTIES)
# What a manifest says of a toilet left out by choice (the other reasons are the consumer's own).
PUBLIC_LAYER_ONLY = ("검수자가 공개 지도에만 게시하기로 했습니다(스마트서울맵 제외).",
                     "A moderator published it to the public layer only (not to Smart Seoul Map).")

# Exactly the columns 계단뿌셔클럽 reads, in its order: about half the bytes per row, so about
# twice as many toilets fit under its 4 MiB download limit.
CONSUMER_COLUMNS = ("cot_conts_id", "cot_conts_name", "cot_img_main_url", "cot_addr_full_old", "cot_addr_full_new",
                    *[f"cot_value_{i:02d}" for i in range(1, 13)], "lat", "lng")

PROFILE = Profile(
    name="smart-seoul-map",
    title="Smart Seoul Map theme contents (COT_* keys, 스마트서울맵 호환)",
    layers={
        "toilets": LayerMapping(TOILET_PROPERTIES, _csv(TOILET_PROPERTIES, "ST_X(t.location)", "ST_Y(t.location)"),
                                id_column="cot_conts_id", csv_variants={"consumer": CONSUMER_COLUMNS}),
        "routes": LayerMapping(ROUTE_PROPERTIES, _csv(ROUTE_PROPERTIES, "ST_X(ST_StartPoint(r.path))",
                                                      "ST_Y(ST_StartPoint(r.path))"),
                               id_column="cot_conts_id"),
    },
    text_values=True,
    keep_retired=True,
    extra_formats=("json",),
    include=COMPLETE,
)
