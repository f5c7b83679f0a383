"""The moderator's report view carries the nearest reference record (addresses, opening hours);
the volunteer's view does not."""

from __future__ import annotations

from reference.importer import import_reference
from tests.moderation.helpers import claim_one, moderator, submit
from tests.reference.helpers import csv_bytes, row


def test_the_moderator_sees_the_reference_record_at_the_report(client, db, settings):
    near = row(7, 화장실명="서울시청 <b>장애인</b> 화장실", 소재지도로명주소="서울특별시 중구 세종대로 110",
               소재지지번주소="서울특별시 중구 태평로1가 31", 개방시간="상시", 개방시간상세="00:00~24:00",
               WGS84위도="37.56635", WGS84경도="126.97795")
    far = row(8, 화장실명="덕수궁", 소재지도로명주소="서울특별시 중구 세종대로 99", WGS84위도="37.5658", WGS84경도="126.9751")
    import_reference(db, csv_bytes([near, far]), settings=settings, file_name="t.csv")
    report_id, volunteer = submit(client)  # at City Hall
    mod = moderator(db, client)
    item = claim_one(client, mod, report_id)
    ref = item["reference"]
    assert ref["management_no"] == "7" and ref["name"] == "서울시청 <b>장애인</b> 화장실"  # as stored: text, not HTML
    assert (ref["road_address"], ref["lot_address"]) == ("서울특별시 중구 세종대로 110", "서울특별시 중구 태평로1가 31")
    assert (ref["opening"], ref["opening_hours"]) == ("상시", "00:00~24:00")
    assert 0 < ref["distance_m"] < 20 and ref["match_status"] == "none" and "공중화장실정보" in ref["source"]
    got = client.get(f"/api/v1/moderation/reports/{report_id}", headers=mod).json()
    assert got["reference"] == ref
    own = client.get(f"/api/v1/reports/{report_id}", headers=volunteer).json()
    assert "reference" not in own


def test_no_reference_record_within_the_radius_gives_null(client, db, settings):
    import_reference(db, csv_bytes([row(1)]), settings=settings, file_name="t.csv")  # 강동구, far away
    report_id, _ = submit(client)
    item = claim_one(client, moderator(db, client), report_id)
    assert item["reference"] is None
