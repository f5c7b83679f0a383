"""What a known consumer would do with an export, before the map team hands it over.

The consumer is 계단뿌셔클럽 (Stair Crusher Club, Stair-Crusher-Club/scc-server): it imports the
toilet layer from a CSV (Apache Commons CSV, default format, first row as header) and upserts.
Its rules, as read from its code (../shared/SMART_SEOUL_MAP.md):

- the whole import aborts on: a byte-order mark, a blank or missing header, a row with fewer
  fields than the header, a blank id or name, an id over 36 characters, a name or an address
  over 64 characters, a file over 4 MiB (it downloads the file whole);
- a row is silently dropped when the image path or either address is blank, or lat/lng is
  not a number (a decimal comma is not a number);
- values it shows but misreads: an image path that is not a path on the map's host (it
  prefixes https://map.seoul.go.kr), slot 01 other than exactly 남자화장실/여자화장실 is read as
  both sexes, slot 03/04/07 without the words it recognises, slot 05/06 shown only together.

`check_file` reads CSV, GeoJSON or the API wrapper; rows of the other two are checked with
the same row rules (the header and size rules are the CSV's).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONSUMER = "계단뿌셔클럽 (Stair-Crusher-Club/scc-server)"
MAX_FILE_BYTES = 4 * 1024 * 1024
READ_COLUMNS = ("cot_conts_id", "cot_conts_name", "cot_img_main_url", "cot_addr_full_old", "cot_addr_full_new",
                *[f"cot_value_{i:02d}" for i in range(1, 13)], "lat", "lng")
ID_MAX, NAME_MAX, ADDRESS_MAX = 36, 64, 64

MESSAGES: dict[str, tuple[str, str]] = {
    "bom": ("파일 앞에 BOM이 있어 첫 열 이름이 맞지 않습니다: 가져오기 전체가 실패합니다.",
            "The file starts with a byte-order mark, so the first header does not match: the whole import fails."),
    "file_too_large": ("파일이 4 MiB를 넘습니다: 내려받기가 실패합니다.", "The file is over 4 MiB: the download fails."),
    "blank_header": ("빈 열 이름이 있습니다: 가져오기 전체가 실패합니다.", "A header is blank: the whole import fails."),
    "missing_column": ("필요한 열이 없습니다: 가져오기 전체가 실패합니다.", "A column it reads is missing: the whole import fails."),
    "short_row": ("열 수가 머리글보다 적은 행이 있습니다: 가져오기 전체가 실패합니다.",
                  "A row has fewer fields than the header: the whole import fails."),
    "blank_id": ("id가 비어 있습니다: 가져오기 전체가 실패합니다.", "A blank id: the whole import fails."),
    "blank_name": ("이름이 비어 있습니다: 가져오기 전체가 실패합니다.", "A blank name: the whole import fails."),
    "id_too_long": ("id가 36자를 넘습니다: 가져오기 전체가 실패합니다.", "An id over 36 characters: the whole import fails."),
    "name_too_long": ("이름이 64자를 넘습니다: 가져오기 전체가 실패합니다.", "A name over 64 characters: the whole import fails."),
    "address_too_long": ("주소가 64자를 넘습니다: 가져오기 전체가 실패합니다.",
                         "An address over 64 characters: the whole import fails."),
    "blank_image": ("사진 경로가 비어 있어 이 행은 조용히 빠집니다.", "The photo path is blank: the row is silently dropped."),
    "blank_road_address": ("도로명주소가 비어 있어 이 행은 조용히 빠집니다.",
                           "The road-name address is blank: the row is silently dropped."),
    "blank_lot_address": ("지번주소가 비어 있어 이 행은 조용히 빠집니다.",
                          "The lot-number address is blank: the row is silently dropped."),
    "bad_coordinate": ("위도/경도가 숫자가 아니어서 이 행은 조용히 빠집니다.",
                       "lat/lng is not a number: the row is silently dropped."),
    "comma_decimal": ("위도/경도에 쉼표 소수점이 있어 이 행은 빠집니다.", "lat/lng uses a decimal comma: the row is dropped."),
    "image_not_relative": ("사진 경로가 지도 서버의 경로(/…)가 아니어서 잘못된 주소가 됩니다.",
                           "The photo path is not a path on the map's host (/…): it becomes a wrong URL."),
    "sex_read_as_both": ("이용성별이 정확히 '남자화장실'/'여자화장실'이 아니어서 남녀 모두로 읽힙니다.",
                         "Slot 01 is not exactly 남자화장실/여자화장실: read as both sexes."),
    "usability_unrecognised": ("사용가능여부에 '사용가능'/'사용불가'가 없어 앱이 판단하지 못합니다.",
                               "Slot 03 holds neither 사용가능 nor 사용불가: the app cannot tell."),
    "entrance_unrecognised": ("화장실입구구조에 '무단차/경사로'/'단차(턱)/계단'이 없어 앱이 판단하지 못합니다.",
                              "Slot 04 holds neither 무단차/경사로 nor 단차(턱)/계단: the app cannot tell."),
    "door_unrecognised": ("대변기출입문이 자동문/미닫이문/여닫이문이 아니어서 앱이 문 종류를 모릅니다(기타참고사항 참조).",
                          "Slot 07 is not 자동문/미닫이문/여닫이문: the app does not know the door (see slot 11)."),
    "one_dimension_only": ("내부 가로·세로 너비 중 하나만 있어 표시되지 않습니다.",
                           "Only one of interior width/depth is filled: neither is shown."),
    "tombstone": ("삭제 표시(tombstone) 행: 이 소비자는 삭제를 하지 않고 이 행을 건너뜁니다.",
                  "A tombstone row: this consumer never deletes and skips it."),
}
ABORTS = {"bom", "file_too_large", "blank_header", "missing_column", "short_row", "blank_id", "blank_name",
          "id_too_long", "name_too_long", "address_too_long"}
DROPS = {"blank_image", "blank_road_address", "blank_lot_address", "bad_coordinate", "comma_decimal", "tombstone"}


@dataclass
class Finding:
    code: str
    row: int | None = None  # 1-based data row (the header is row 0)
    id: str | None = None
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        ko, en = MESSAGES[self.code]
        return {"code": self.code, "row": self.row, "id": self.id, "column": self.column,
                "message_ko": ko, "message_en": en}


@dataclass
class CheckReport:
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def aborts(self) -> list[Finding]:
        return [f for f in self.findings if f.code in ABORTS]

    @property
    def dropped_rows(self) -> dict[int, list[Finding]]:
        out: dict[int, list[Finding]] = {}
        for f in self.findings:
            if f.code in DROPS and f.row is not None:
                out.setdefault(f.row, []).append(f)
        return out

    @property
    def ok(self) -> bool:
        return not self.aborts

    def as_dict(self) -> dict[str, Any]:
        dropped = self.dropped_rows
        return {
            "consumer": CONSUMER,
            "ok": self.ok,
            "rows": self.rows,
            "rows_imported": 0 if self.aborts else self.rows - len(dropped),
            "aborts": [f.as_dict() for f in self.aborts],
            "dropped": [{"row": r, "id": fs[0].id, "reasons": [f.as_dict() for f in fs]}
                        for r, fs in sorted(dropped.items())],
            "misread": [f.as_dict() for f in self.findings if f.code not in ABORTS and f.code not in DROPS],
        }


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return value.strip() == value and value.lower() not in ("nan", "inf", "-inf", "infinity")


def _length_findings(row: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Blank or over-long id, name, addresses; a missing or absolute main photo."""
    rid = row.get("cot_conts_id") or ""
    if not rid:
        yield "blank_id", "cot_conts_id"
    elif len(rid) > ID_MAX:
        yield "id_too_long", "cot_conts_id"
    name = row.get("cot_conts_name", "")
    if not name.strip():
        yield "blank_name", "cot_conts_name"
    elif len(name) > NAME_MAX:
        yield "name_too_long", "cot_conts_name"
    for col, blank_code in (("cot_addr_full_new", "blank_road_address"), ("cot_addr_full_old", "blank_lot_address")):
        value = row.get(col, "")
        if not value.strip():
            yield blank_code, col
        elif len(value) > ADDRESS_MAX:
            yield "address_too_long", col
    image = row.get("cot_img_main_url", "")
    if not image.strip():
        yield "blank_image", "cot_img_main_url"
    elif not image.startswith("/") or image.startswith("//"):
        yield "image_not_relative", "cot_img_main_url"


# The columns without which the consumer silently drops a toilet's row, with the finding each
# gives (see _length_findings). The smart-seoul-map profile exports only toilets that have all
# three (exports.profiles.smart_seoul_map.COMPLETE, built from this), and the moderation console
# asks for them before a toilet is published (record_findings).
REQUIRED_COLUMNS: dict[str, str] = {"cot_img_main_url": "blank_image", "cot_addr_full_new": "blank_road_address",
                                    "cot_addr_full_old": "blank_lot_address"}
# What each finding about one toilet's record is about, in the report form's terms.
RECORD_FIELDS: dict[str, str] = {"blank_image": "photos", "blank_road_address": "place.road_address",
                                 "blank_lot_address": "place.lot_address", "name_too_long": "place.name",
                                 "address_too_long": "place.road_address", "blank_name": "place.name",
                                 "usability_unrecognised": "verdict"}
# The export clips names and addresses to the consumer's columns (full text in x_full_*).
CLIPPED = {"name_too_long", "address_too_long"}


def record_findings(*, name: str | None, road_address: str | None, lot_address: str | None, has_main_photo: bool,
                    usable: str | None = None) -> list[Finding]:
    """What the consumer would do with one toilet's row, before it is exported: the same rules
    as `check_row` (one definition), applied to the fields as a moderator sees them. `usable` is
    slot 03 as the export would write it (None: the verdict is unknown, so it would be blank).
    A finding's `column` is the form's field it is about (RECORD_FIELDS)."""
    row = {"cot_conts_id": "0" * ID_MAX, "cot_conts_name": name or "", "cot_addr_full_new": road_address or "",
           "cot_addr_full_old": lot_address or "", "cot_img_main_url": "/photo" if has_main_photo else "",
           "cot_value_03": usable or ""}
    # the other slots are blank here, so the slot rules can only speak of slot 03
    found = [*_length_findings(row), *_slot_findings(row)]
    out = []
    for code, column in found:
        if code == "address_too_long" and column == "cot_addr_full_old":
            out.append(Finding(code, column="place.lot_address"))
        else:
            out.append(Finding(code, column=RECORD_FIELDS.get(code, column)))
    return out


def severity(code: str) -> str:
    """How a finding about one toilet's record plays out: `dropped` (the consumer leaves the row
    out, so the smart-seoul-map export leaves the toilet out), `clipped` (the export shortens the
    text to the consumer's column), `misread`, or `aborts` (never for a record: ids are UUIDs)."""
    if code in DROPS:
        return "dropped"
    if code in CLIPPED:
        return "clipped"
    return "aborts" if code in ABORTS else "misread"


def _coordinate_findings(row: dict[str, str]) -> Iterator[tuple[str, str]]:
    for col in ("lat", "lng"):
        value = row.get(col, "")
        if not _is_number(value):
            yield ("comma_decimal" if "," in value and _is_number(value.replace(",", ".")) else "bad_coordinate"), col


def _slot_findings(row: dict[str, str]) -> Iterator[tuple[str, str]]:
    """The attribute slots the consumer reads by substring (see SMART_SEOUL_MAP.md)."""
    v = {i: row.get(f"cot_value_{i:02d}", "") for i in range(1, 13)}
    if v[1] not in ("남자화장실", "여자화장실") and ("남자화장실" in v[1] or "여자화장실" in v[1]):
        yield "sex_read_as_both", "cot_value_01"
    if "사용가능" not in v[3] and "사용불가" not in v[3]:
        yield "usability_unrecognised", "cot_value_03"
    if v[4] and "무단차/경사로" not in v[4] and "단차(턱)/계단" not in v[4]:
        yield "entrance_unrecognised", "cot_value_04"
    if v[7] and not any(w in v[7] for w in ("자동문", "미닫이문", "여닫이문")):
        yield "door_unrecognised", "cot_value_07"
    if bool(v[5].strip()) != bool(v[6].strip()):
        yield "one_dimension_only", "cot_value_05" if not v[5].strip() else "cot_value_06"


def check_row(row: dict[str, str], n: int) -> list[Finding]:
    """The findings for one row (keys as in the CSV: lower-case cot_*, lat, lng)."""
    rid = row.get("cot_conts_id") or None
    if row.get("x_change") == "delete":
        return [Finding("tombstone", n, rid, None)]
    found = [*_length_findings(row), *_coordinate_findings(row), *_slot_findings(row)]
    return [Finding(code, n, rid, column) for code, column in found]


def check_csv_lines(lines: Iterable[str], *, size_bytes: int, has_bom: bool) -> CheckReport:
    """Check a CSV given as text lines (BOM already removed), streaming: memory stays flat."""
    report = CheckReport()
    if size_bytes > MAX_FILE_BYTES:
        report.findings.append(Finding("file_too_large"))
    if has_bom:
        report.findings.append(Finding("bom", column="cot_conts_id"))
    reader = csv.reader(lines)
    header = next(reader, [])
    for col in header:
        if not col.strip():
            report.findings.append(Finding("blank_header"))
    for col in READ_COLUMNS:
        if col not in header:
            report.findings.append(Finding("missing_column", column=col))
    for n, fields in enumerate(reader, start=1):
        report.rows += 1
        if len(fields) < len(header):
            report.findings.append(Finding("short_row", n))
        report.findings.extend(check_row(dict(zip(header, fields, strict=False)), n))
    return report


def check_csv_bytes(data: bytes) -> CheckReport:
    has_bom = data.startswith(b"\xef\xbb\xbf")
    text = (data[3:] if has_bom else data).decode("utf-8")
    return check_csv_lines(io.StringIO(text, newline=""), size_bytes=len(data), has_bom=has_bom)


def _rows_from_json(doc: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    items = doc.get("body") if "body" in doc else [f.get("properties") or {} for f in doc.get("features", [])]
    geoms = [None] * len(items) if "body" in doc else [f.get("geometry") for f in doc.get("features", [])]
    for props, geom in zip(items, geoms, strict=True):
        row = {k.lower() if k.startswith("COT_") else k: "" if v is None else str(v) for k, v in props.items()}
        if geom and geom.get("type") == "Point":
            row["lng"], row["lat"] = (repr(c) for c in geom["coordinates"][:2])
        else:
            row["lng"], row["lat"] = row.get("cot_coord_x", ""), row.get("cot_coord_y", "")
        if row.get("x_change") == "delete" or (geom is None and "body" not in doc):
            row["x_change"] = "delete"
        rows.append(row)
    return rows


def check_bytes(data: bytes, *, kind: str | None = None) -> CheckReport:
    """Check an export's bytes; `kind` is 'csv' or 'json' (GeoJSON or wrapper), guessed if None."""
    stripped = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if kind is None:
        kind = "json" if stripped.lstrip()[:1] == b"{" else "csv"
    if kind == "csv":
        return check_csv_bytes(data)
    report = CheckReport()
    if data.startswith(b"\xef\xbb\xbf"):
        report.findings.append(Finding("bom"))
    for n, row in enumerate(_rows_from_json(json.loads(stripped)), start=1):
        report.rows += 1
        report.findings.extend(check_row(row, n))
    return report


def check_file(path: Path) -> CheckReport:
    """CSV is read as a stream; GeoJSON and the wrapper are parsed whole (check big ones as CSV)."""
    path = Path(path)
    with path.open("rb") as fb:
        has_bom = fb.read(3) == b"\xef\xbb\xbf"
        first = fb.read(64).lstrip()[:1]
    kind = "json" if path.suffix.lower() in (".json", ".geojson") or (path.suffix.lower() != ".csv" and first == b"{") \
        else "csv"
    if kind == "json":
        return check_bytes(path.read_bytes(), kind="json")
    with path.open("r", encoding="utf-8-sig" if has_bom else "utf-8", newline="") as fh:
        return check_csv_lines(fh, size_bytes=path.stat().st_size, has_bom=has_bom)
