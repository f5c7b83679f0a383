"""`reachable reference import FILE`: the national public toilet standard data into `reference_toilets`.

The file (공중화장실정보, 행정안전부, data.go.kr standard dataset 15012892, or its Seoul rows) is CSV in
UTF-8 (with or without a BOM) or EUC-KR/CP949; the encoding is detected (`decode`). Rows are
read in Python only to clean them (NFC, numbers, the district the address names) and are then
copied into a temporary table in one COPY; everything else is set-based, one statement each:
which district holds each point (geo.service.district_of_point_sql), the upsert keyed on the
management number (an unchanged row is not written), and the match to published toilets
(reference.matching). A re-import reports inserted / updated / unchanged rows and which columns
changed; rows without usable coordinates are kept, flagged, with no geometry, for matching by
address.

The standard's key is 관리번호 where the file has it; the Seoul subset at hand (and the standard's
32-column layout) has only 번호, the record number, which is then the key (docs/office.md).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.audit import record_audit
from core.config import Settings
from core.text import clean_text
from core.errors import fail, field_error
from geo.districts import district_in_address
from geo.service import district_of_point_sql, tolerance_deg
from reference.matching import match_references

KEY_COLUMNS = ("관리번호", "번호")  # the first the file has is the key
REQUIRED_COLUMNS = ("화장실명", "소재지도로명주소", "소재지지번주소", "WGS84위도", "WGS84경도")
# column → attribute of reference_toilets (text columns, stripped; '' becomes NULL)
TEXT_COLUMNS = {
    "구분": "category", "소재지도로명주소": "road_address", "소재지지번주소": "lot_address",
    "관리기관명": "manager", "전화번호": "phone", "개방시간": "opening", "개방시간상세": "opening_hours",
    "화장실소유구분": "ownership",
}
DISABLED_STALL_COLUMNS = ("남성용-장애인용대변기수", "여성용-장애인용대변기수")
_PLACEHOLDERS = {"", "-", "없음"}  # opening hours '-' means none given

Progress = Callable[[str, int, int], None]  # (phase, done, total)

_STAGING_COLUMNS = ("line", "management_no", "category", "name", "road_address", "lot_address", "manager", "phone",
                    "opening", "opening_hours", "ownership", "disabled_stalls", "given_lon", "given_lat",
                    "coords_ok", "address_district_code", "flags", "raw")


@dataclass
class ImportResult:
    file: str
    encoding: str
    key_column: str
    rows: int = 0
    skipped_without_key: list[int] = field(default_factory=list)  # line numbers
    duplicate_keys: int = 0  # a management number repeated in the file: the last row counts
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_columns: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    without_point: int = 0  # kept for matching by address
    matches: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8 with a BOM, UTF-8, else CP949 (a superset of EUC-KR,
    which the portal's downloads use). Anything else is refused, never guessed into mojibake."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949"), "cp949"
    except UnicodeDecodeError as exc:
        raise fail("reference_file_unreadable", field_error(
            "file", f"UTF-8도 EUC-KR/CP949도 아닙니다 ({exc.start}번째 바이트)",
            f"neither UTF-8 nor EUC-KR/CP949 (byte {exc.start})")) from exc


def read_file(path: Path) -> bytes:
    """The file's bytes (a `.gz` file is decompressed: the demo ships its subset compressed)."""
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if path.suffix == ".gz" else data
    except (OSError, EOFError) as exc:
        raise fail("reference_file_unreadable", field_error("file", f"{path}: {exc}", f"{path}: {exc}")) from exc


def _nfc(value: str | None) -> str:
    """A cell as kept: core.text's cleaning (NFC, invisible characters stripped), with what it
    would refuse from a person (control characters, direction overrides) dropped: a file has
    nobody to ask to retype."""
    return clean_text(value or "", multiline=True, drop_refused=True)


def _header(text_: str) -> tuple[list[str], str]:
    reader = csv.reader(io.StringIO(text_))
    header = [_nfc(h).strip().lstrip("\ufeff") for h in next(reader, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    key = next((k for k in KEY_COLUMNS if k in header), None)
    if key is None:
        missing.insert(0, "관리번호")
    if missing:
        raise fail("reference_file_invalid", missing=", ".join(missing))
    return header, key


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _count(value: str) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number >= 0 and number == int(number) else None


def _coordinates(lon_text: str, lat_text: str) -> tuple[float | None, float | None, str | None]:
    """(lon, lat, flag): the flag is no_coordinates, bad_coordinates (not numbers, out of range, 0) or None."""
    if not lon_text or not lat_text:
        return None, None, "no_coordinates"
    lon, lat = _number(lon_text), _number(lat_text)
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90) or lon == 0 or lat == 0:
        return lon, lat, "bad_coordinates"
    return lon, lat, None


def parse_row(header: list[str], key: str, cells: list[str], line: int) -> tuple | None:
    """One row as the staging table's columns, or None when it has no management number."""
    raw = {name: _nfc(cells[i]) if i < len(cells) else "" for i, name in enumerate(header) if name}
    value = {name: v.strip() for name, v in raw.items()}
    if not value.get(key):
        return None
    texts = {attr: (value.get(col) or None) for col, attr in TEXT_COLUMNS.items()}
    if texts["opening_hours"] in _PLACEHOLDERS:
        texts["opening_hours"] = None
    stalls = [_count(value.get(c, "")) for c in DISABLED_STALL_COLUMNS]
    disabled = None if all(s is None for s in stalls) else sum(s or 0 for s in stalls)
    lon, lat, coord_flag = _coordinates(value["WGS84경도"], value["WGS84위도"])
    address_district = district_in_address(texts["road_address"]) or district_in_address(texts["lot_address"])
    flags = [f for f in (coord_flag, None if address_district else "address_without_district") if f]
    return (line, value[key], texts["category"], value.get("화장실명", ""), texts["road_address"],
            texts["lot_address"], texts["manager"], texts["phone"], texts["opening"], texts["opening_hours"],
            texts["ownership"], disabled, lon, lat, coord_flag is None, address_district, flags,
            json.dumps(raw, ensure_ascii=False))


def _rows(text_: str, header: list[str], key: str, result: ImportResult) -> Iterator[tuple]:
    reader = csv.reader(io.StringIO(text_))
    next(reader, None)
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue  # a blank line
        result.rows += 1
        row = parse_row(header, key, cells, reader.line_num)
        if row is None:
            result.skipped_without_key.append(reader.line_num)
            continue
        yield row


_CREATE_STAGING = """
    CREATE TEMP TABLE reference_staging (
        line int, management_no text, category text, name text, road_address text, lot_address text,
        manager text, phone text, opening text, opening_hours text, ownership text, disabled_stalls int,
        given_lon float8, given_lat float8, coords_ok bool, address_district_code text, flags text[], raw jsonb,
        point_district_code text
    ) ON COMMIT DROP"""


def _stage(db: Session, text_: str, header: list[str], key: str, result: ImportResult,
           progress: Progress) -> None:
    """Every row into a temporary table with one COPY (psycopg), the progress bar counting lines."""
    db.execute(text("DROP TABLE IF EXISTS reference_staging"))
    db.execute(text(_CREATE_STAGING))
    total = max(text_.count("\n"), 1)
    cursor = db.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY reference_staging ({', '.join(_STAGING_COLUMNS)}) FROM STDIN") as copy:
        for row in _rows(text_, header, key, result):
            copy.write_row(row)
            if result.rows % 1000 == 0:
                progress("read", result.rows, total)
    progress("read", result.rows, result.rows)
    db.execute(text("ANALYZE reference_staging"))  # a temporary table has no statistics until asked
    result.duplicate_keys = db.execute(text("""
        DELETE FROM reference_staging s USING reference_staging later
         WHERE later.management_no = s.management_no AND later.line > s.line""")).rowcount


def _locate(db: Session, settings: Settings) -> None:
    point = "ST_SetSRID(ST_MakePoint(s.given_lon, s.given_lat), 4326)"
    db.execute(text(f"UPDATE reference_staging s SET point_district_code = {district_of_point_sql(point)} "
                    "WHERE s.coords_ok"),
               {"tol": settings.seoul_border_tolerance_m, "deg": tolerance_deg(settings.seoul_border_tolerance_m)})


# A point is usable when it is in Seoul and in the district the address names (if it names one).
_POINT_OK = ("s.point_district_code IS NOT NULL AND (s.address_district_code IS NULL "
             "OR s.address_district_code = s.point_district_code)")
_UPSERT = f"""
    WITH up AS (
      INSERT INTO reference_toilets AS r (management_no, category, name, road_address, lot_address, manager, phone,
             opening, opening_hours, ownership, disabled_stalls, given_lon, given_lat, location, district_code,
             address_district_code, flags, raw)
      SELECT s.management_no, s.category, s.name, s.road_address, s.lot_address, s.manager, s.phone, s.opening,
             s.opening_hours, s.ownership, s.disabled_stalls, s.given_lon, s.given_lat,
             CASE WHEN {_POINT_OK} THEN ST_SetSRID(ST_MakePoint(s.given_lon, s.given_lat), 4326) END,
             CASE WHEN {_POINT_OK} THEN s.point_district_code ELSE s.address_district_code END,
             s.address_district_code,
             s.flags
               || CASE WHEN s.coords_ok AND s.point_district_code IS NULL THEN ARRAY['outside_seoul'] ELSE '{{}}' END
               || CASE WHEN s.point_district_code <> s.address_district_code THEN ARRAY['district_mismatch']
                       ELSE '{{}}' END,
             s.raw
        FROM reference_staging s
      ON CONFLICT (management_no) DO UPDATE SET
             category = EXCLUDED.category, name = EXCLUDED.name, road_address = EXCLUDED.road_address,
             lot_address = EXCLUDED.lot_address, manager = EXCLUDED.manager, phone = EXCLUDED.phone,
             opening = EXCLUDED.opening, opening_hours = EXCLUDED.opening_hours, ownership = EXCLUDED.ownership,
             disabled_stalls = EXCLUDED.disabled_stalls, given_lon = EXCLUDED.given_lon,
             given_lat = EXCLUDED.given_lat, location = EXCLUDED.location, district_code = EXCLUDED.district_code,
             address_district_code = EXCLUDED.address_district_code, flags = EXCLUDED.flags, raw = EXCLUDED.raw,
             updated_at = now()
       WHERE r.raw IS DISTINCT FROM EXCLUDED.raw
      RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up"""

_CHANGED_COLUMNS = """
    SELECT k, count(*) FROM reference_staging s JOIN reference_toilets r ON r.management_no = s.management_no
           CROSS JOIN LATERAL jsonb_object_keys(s.raw || r.raw) k
     WHERE s.raw -> k IS DISTINCT FROM r.raw -> k
     GROUP BY k ORDER BY count(*) DESC, k"""

_SUMMARY = """
    SELECT f, count(*) FROM reference_toilets r JOIN reference_staging s ON s.management_no = r.management_no,
           unnest(r.flags) f GROUP BY f ORDER BY f"""

IMPORTED = "r.management_no IN (SELECT management_no FROM reference_staging)"


def import_reference(db: Session, data: bytes, *, settings: Settings, file_name: str,
                     on_progress: Progress | None = None, match: bool = True,
                     actor_id: int | None = None) -> ImportResult:
    """Import (or re-import) a standard-data file's bytes; flushes only (the caller commits)."""
    progress = on_progress or (lambda phase, done, total: None)
    text_, encoding = decode(data)
    header, key = _header(text_)
    result = ImportResult(file=file_name, encoding=encoding, key_column=key)
    _stage(db, text_, header, key, result, progress)
    progress("locate", 0, 1)
    _locate(db, settings)
    result.changed_columns = dict(db.execute(text(_CHANGED_COLUMNS)).all())
    progress("upsert", 0, 1)
    result.inserted, result.updated = db.execute(text(_UPSERT)).one()
    staged = db.execute(text("SELECT count(*) FROM reference_staging")).scalar_one()
    result.unchanged = staged - result.inserted - result.updated
    result.flags = dict(db.execute(text(_SUMMARY)).all())
    result.without_point = db.execute(text(
        f"SELECT count(*) FROM reference_toilets r WHERE {IMPORTED} AND r.location IS NULL")).scalar_one()
    if match:
        progress("match", 0, 1)
        result.matches = match_references(db, settings=settings, scope=IMPORTED)
    db.execute(text("DROP TABLE reference_staging"))
    record_audit(db, actor_id=actor_id, action="reference.import", object_type="reference",
                 object_id=file_name[-64:],
                 detail={k: v for k, v in result.as_dict().items() if k != "skipped_without_key"}
                 | {"skipped_without_key": len(result.skipped_without_key)})
    progress("done", 1, 1)
    return result


def import_reference_file(db: Session, path: Path, *, settings: Settings, on_progress: Progress | None = None,
                          match: bool = True) -> ImportResult:
    return import_reference(db, read_file(path), settings=settings, file_name=path.name,
                            on_progress=on_progress, match=match)
