"""`reference.importer`: encodings, flags (kept, no geometry), idempotent re-import, the key column."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import text

from core.errors import DomainError
from reference.importer import decode, import_reference
from tests.reference.helpers import HEADER, csv_bytes, row


def _import(db, settings, rows, **kwargs):
    return import_reference(db, csv_bytes(rows, **kwargs), settings=settings, file_name="test.csv")


def _stored(db, number: str) -> dict:
    return dict(db.execute(text("""
        SELECT management_no, name, road_address, lot_address, opening_hours, disabled_stalls, given_lon, given_lat,
               ST_AsText(location) AS location, district_code, address_district_code, flags, raw, match_status
          FROM reference_toilets WHERE management_no = :n"""), {"n": number}).mappings().one())


# The name has 똠, which CP949 codes directly and KS X 1001 (EUC-KR) lacks, for the CP949 case.
@pytest.mark.parametrize(("encoding", "name", "detected"), [
    ("utf-8", "강동구의회 화장실 똠", "utf-8"),
    ("utf-8-sig", "강동구의회 화장실 똠", "utf-8-sig"),
    ("euc-kr", "강동구의회 화장실", "cp949"),
    ("cp949", "강동구의회 화장실 똠", "cp949"),
])
def test_each_encoding_gives_the_same_records(db, settings, encoding, name, detected):
    rows = [row(1, 화장실명=name), row(2, 소재지도로명주소="서울특별시 강동구 천호대로 1017", WGS84위도="", WGS84경도="")]
    data = csv_bytes(rows, encoding=encoding)
    if encoding == "cp949":
        assert name.encode("cp949") != name.encode("euc-kr")  # 똠: a CP949 extension code, not EUC-KR
    result = import_reference(db, data, settings=settings, file_name="f.csv")
    assert (result.encoding, result.inserted, result.key_column) == (detected, 2, "번호")
    first = _stored(db, "1")
    assert first["name"] == name and first["road_address"] == "서울특별시 강동구 성내로 55"
    assert sorted(first["raw"]) == sorted(HEADER)  # the BOM is not part of the first column's name
    assert first["raw"]["화장실명"] == name and first["district_code"] == "11740"
    assert _stored(db, "2")["road_address"] == "서울특별시 강동구 천호대로 1017"


def test_a_file_in_no_known_encoding_is_refused(db, settings):
    with pytest.raises(DomainError) as caught:
        import_reference(db, "번호,화장실명\n1,".encode("utf-16-le") + b"\x80\x80", settings=settings, file_name="x")
    assert caught.value.code in {"reference_file_unreadable", "reference_file_invalid"}
    assert decode(b"\xef\xbb\xbfabc") == ("abc", "utf-8-sig")
    with pytest.raises(DomainError) as caught:
        decode(b"\x80\x80\x80")
    assert caught.value.code == "reference_file_unreadable" and caught.value.message_ko


def test_a_file_without_the_standard_columns_is_refused(db, settings):
    with pytest.raises(DomainError) as caught:
        import_reference(db, "번호,이름\n1,x\n".encode(), settings=settings, file_name="x.csv")
    assert caught.value.code == "reference_file_invalid"
    assert "화장실명" in caught.value.message_en and "WGS84위도" in caught.value.message_ko
    assert db.execute(text("SELECT count(*) FROM reference_toilets")).scalar_one() == 0


def test_rows_without_usable_coordinates_are_flagged_and_kept_without_geometry(db, settings):
    rows = [
        row(1),                                                   # fine: 강동구 point, 강동구 address
        row(2, WGS84위도="", WGS84경도=""),                         # no coordinates
        row(3, WGS84위도="35.18848", WGS84경도="128.9904"),         # Busan
        row(4, WGS84위도="37.5663", WGS84경도="126.9779"),          # City Hall (중구), address says 강동구
        row(5, 소재지도로명주소="성내로 55", 소재지지번주소=""),          # the address names no district
        row(6, WGS84위도="37.49426", WGS84경도="217.005028"),       # not a longitude
    ]
    result = _import(db, settings, rows)
    assert result.inserted == 6 and result.without_point == 4
    assert result.flags == {"no_coordinates": 1, "outside_seoul": 1, "district_mismatch": 1,
                            "address_without_district": 1, "bad_coordinates": 1}
    good = _stored(db, "1")
    assert good["location"] == "POINT(127.1264 37.5286)" and good["flags"] == [] and good["district_code"] == "11740"
    assert _stored(db, "2")["flags"] == ["no_coordinates"] and _stored(db, "2")["location"] is None
    busan = _stored(db, "3")
    assert busan["flags"] == ["outside_seoul"] and busan["location"] is None
    assert (busan["given_lat"], busan["given_lon"]) == (35.18848, 128.9904)  # as given, for the office
    assert busan["district_code"] == "11740"  # the address's district, for matching by address
    mismatch = _stored(db, "4")
    assert mismatch["flags"] == ["district_mismatch"] and mismatch["location"] is None
    assert (mismatch["district_code"], mismatch["address_district_code"]) == ("11740", "11740")
    no_district = _stored(db, "5")
    assert no_district["flags"] == ["address_without_district"]
    assert no_district["location"] is not None and no_district["district_code"] == "11740"  # from the point
    assert _stored(db, "6")["flags"] == ["bad_coordinates"]


def test_reimport_is_idempotent_and_reports_what_changed(db, settings):
    rows = [row(n, 화장실명=f"화장실 {n}") for n in range(1, 6)]
    first = _import(db, settings, rows)
    assert (first.inserted, first.updated, first.unchanged) == (5, 0, 0)
    again = _import(db, settings, rows)
    assert (again.inserted, again.updated, again.unchanged, again.changed_columns) == (0, 0, 5, {})
    before = db.execute(text("SELECT updated_at FROM reference_toilets WHERE management_no = '2'")).scalar_one()
    rows[1]["개방시간상세"] = "00:00~24:00"
    rows[2]["WGS84위도"], rows[2]["WGS84경도"] = "", ""
    changed = _import(db, settings, [*rows, row(6, 화장실명="새 화장실")])
    assert (changed.inserted, changed.updated, changed.unchanged) == (1, 2, 3)
    assert changed.changed_columns == {"WGS84경도": 1, "WGS84위도": 1, "개방시간상세": 1}
    assert _stored(db, "2")["opening_hours"] == "00:00~24:00"
    assert _stored(db, "3")["location"] is None and _stored(db, "3")["flags"] == ["no_coordinates"]
    assert db.execute(text("SELECT count(*) FROM reference_toilets")).scalar_one() == 6
    after = db.execute(text("SELECT updated_at FROM reference_toilets WHERE management_no = '2'")).scalar_one()
    assert after >= before
    audit = db.execute(text("SELECT detail FROM audit_log WHERE action = 'reference.import' ORDER BY id")).scalars().all()
    assert [(a["inserted"], a["updated"], a["unchanged"]) for a in audit] == [(5, 0, 0), (0, 0, 5), (1, 2, 3)]


def test_rows_without_a_key_are_skipped_and_a_repeated_key_keeps_the_last_row(db, settings):
    result = _import(db, settings, [row(1, 화장실명="처음"), row("", 화장실명="번호 없음"), row(1, 화장실명="나중")])
    assert result.rows == 3 and result.skipped_without_key == [3] and result.duplicate_keys == 1
    assert result.inserted == 1 and _stored(db, "1")["name"] == "나중"


def test_the_management_number_column_is_the_key_when_the_file_has_it(db, settings):
    header = ["관리번호", *HEADER]
    rows = [row(1, 관리번호="3000000-101-2020-00001"), row(1, 관리번호="3000000-101-2020-00002")]
    result = import_reference(db, csv_bytes(rows, header=header), settings=settings, file_name="national.csv")
    assert result.key_column == "관리번호" and result.inserted == 2 and result.duplicate_keys == 0
    assert _stored(db, "3000000-101-2020-00002")["raw"]["번호"] == "1"


def test_text_is_stored_as_sent_after_nfc(db, settings):
    hostile = "<img src=x onerror=alert(1)> 화장실 \"=HYPERLINK()\""
    nfd = unicodedata.normalize("NFD", hostile)
    assert nfd != hostile
    _import(db, settings, [row(1, 화장실명=f" {nfd} ", 개방시간상세="-")])
    stored = _stored(db, "1")
    assert stored["name"] == hostile  # NFC, stripped, nothing escaped or removed
    assert stored["raw"]["화장실명"] == f" {hostile} "  # the cell as sent, NFC
    assert stored["opening_hours"] is None and stored["raw"]["개방시간상세"] == "-"
    assert stored["disabled_stalls"] == 2


def test_text_is_cleaned_by_core_text_and_what_it_refuses_is_dropped(db, settings):
    """The file's cells go through core.text.clean_text (as crowd text does); a control
    character or a direction override, which a person would be asked to remove, is dropped."""
    sneaky = "화장\u202e실\u200b 1\x07층"  # an RTL override, a zero-width space, a BEL
    _import(db, settings, [row(1, 화장실명=sneaky, 개방시간상세="09:00~\n18:00")])
    stored = _stored(db, "1")
    assert stored["name"] == "화장실 1층" and stored["raw"]["화장실명"] == "화장실 1층"
    assert stored["raw"]["개방시간상세"] == "09:00~\n18:00"  # a newline in a cell stays
