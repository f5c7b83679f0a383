"""Issue 15 item 4, the moderation side: approval shows what the Smart Seoul Map layer needs and
the report lacks (read with the known consumer's own rules), the moderator can ask for it
(request changes with a named request), fill the addresses from the reference record, or
publish to the public layer only."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import text

from reference.importer import import_reference
from tests.exports.helpers import export_json
from tests.moderation.helpers import assert_error_shape, claim_one, decide, moderator, submit
from tests.reference.helpers import csv_bytes, row
from tests.workers import follow


def _photo(client, headers, report_id: int, kind: str = "entrance", *, connection, settings) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(buf, "JPEG")
    r = client.post(f"/api/v1/reports/{report_id}/photos", headers=headers, data={"kind": kind},
                    files={"file": ("p.jpg", buf.getvalue(), "image/jpeg")})
    job = follow(client, r, headers=headers, connection=connection, settings=settings)  # 202: a job (14.3)
    assert job["status"] == "succeeded", job


def _codes(block):
    return {f["code"]: f for f in block["findings"]}


def test_a_report_without_photo_or_lot_address_shows_what_the_layer_lacks(client, db, settings):
    report_id, _ = submit(client, **{"place.lot_address": None, "place.name": "가" * 70})
    item = claim_one(client, moderator(db, client), report_id)
    ssm = item["smart_seoul_map"]
    assert ssm["complete"] is False
    found = _codes(ssm)
    assert set(found) == {"blank_image", "blank_lot_address", "name_too_long"}
    assert found["blank_image"] == {"code": "blank_image", "field": "photos", "severity": "dropped",
                                    "severity_ko": "빠짐", "severity_en": "Left out",
                                    "message_ko": "사진 경로가 비어 있어 이 행은 조용히 빠집니다.",
                                    "message_en": "The photo path is blank: the row is silently dropped.",
                                    "change_request": "add_entrance_photo"}
    assert (found["blank_lot_address"]["field"], found["blank_lot_address"]["change_request"]) == (
        "place.lot_address", "add_addresses")
    assert found["name_too_long"]["severity"] == "clipped"
    assert ssm["fill"] == {}  # no reference record near


def test_a_complete_report_says_so_and_an_unknown_verdict_is_a_misread(client, db, connection, settings):
    report_id, volunteer = submit(client)
    _photo(client, volunteer, report_id, connection=connection, settings=settings)
    other_id, volunteer2 = submit(client, **{"toilet.door_clear_width_cm": None})
    _photo(client, volunteer2, other_id, connection=connection, settings=settings)
    mod = moderator(db, client)
    assert client.post("/api/v1/moderation/claims", json={"count": 2}, headers=mod).status_code == 200
    got = client.get(f"/api/v1/moderation/reports/{report_id}", headers=mod).json()["smart_seoul_map"]
    assert got == {"complete": True, "findings": [], "fill": {}}
    unknown = client.get(f"/api/v1/moderation/reports/{other_id}", headers=mod).json()["smart_seoul_map"]
    assert unknown["complete"] is True  # kept, but its 사용가능여부 would be blank
    assert [(f["code"], f["severity"], f["field"]) for f in unknown["findings"]] == [
        ("usability_unrecognised", "misread", "verdict")]


def test_the_reference_record_fills_the_missing_addresses(client, db, connection, settings):
    near = row(7, 소재지도로명주소="서울특별시 중구 세종대로 110", 소재지지번주소="서울특별시 중구 태평로1가 31",
               WGS84위도="37.56635", WGS84경도="126.97795")
    import_reference(db, csv_bytes([near]), settings=settings, file_name="t.csv")
    report_id, volunteer = submit(client, **{"place.lot_address": None, "place.road_address": "  "})
    _photo(client, volunteer, report_id, connection=connection, settings=settings)
    mod = moderator(db, client)
    ssm = claim_one(client, mod, report_id)["smart_seoul_map"]
    assert set(_codes(ssm)) == {"blank_road_address", "blank_lot_address"}
    assert ssm["fill"] == {"place.road_address": "서울특별시 중구 세종대로 110",
                           "place.lot_address": "서울특별시 중구 태평로1가 31"}
    # the console sends them as edits; the toilet is then complete and in the layer
    r = decide(client, mod, report_id, action="approve", edits=ssm["fill"])
    assert r.status_code == 200, r.text
    ssm_export = export_json(db, settings, layer="toilets", fmt="geojson")
    assert [f["id"] for f in ssm_export["features"]] == [r.json()["toilet_id"]]
    assert ssm_export["features"][0]["properties"]["COT_ADDR_FULL_OLD"] == "서울특별시 중구 태평로1가 31"


def test_request_changes_with_a_named_request(client, db, settings):
    report_id, volunteer = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="request_changes", reason_code="add_entrance_photo")
    assert r.status_code == 200, r.text
    review = r.json()["review"]
    assert review["message"] == "입구 사진을 추가해 주세요 / Please add a photo of the entrance"
    assert review["reason_code"] == "add_entrance_photo"
    assert review["reason_label"] == ["입구 사진을 추가해 주세요", "Please add a photo of the entrance"]
    mine = client.get(f"/api/v1/reports/{report_id}", headers=volunteer).json()
    assert mine["status"] == "changes_requested"
    assert mine["moderator_message"] == "입구 사진을 추가해 주세요 / Please add a photo of the entrance"
    vocabulary = client.get("/api/v1/moderation/vocabulary", headers=mod).json()
    assert vocabulary["change_requests"][0] == {"code": "add_entrance_photo", "label_ko": "입구 사진을 추가해 주세요",
                                                "label_en": "Please add a photo of the entrance"}


def test_a_named_request_with_the_moderators_own_words_and_bad_codes(client, db, settings):
    report_id, _ = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    before = db.execute(text("SELECT count(*) FROM reviews")).scalar_one()
    body = assert_error_shape(decide(client, mod, report_id, action="request_changes", reason_code="duplicate"), 422)
    assert body["fields"][0]["path"] == "reason_code"
    assert_error_shape(decide(client, mod, report_id, action="request_changes"), 422)  # neither code nor message
    assert db.execute(text("SELECT count(*) FROM reviews")).scalar_one() == before
    r = decide(client, mod, report_id, action="request_changes", reason_code="add_addresses",
               message="지번주소(태평로1가 31)도 적어 주세요")
    assert r.status_code == 200, r.text
    assert r.json()["review"]["message"] == "지번주소(태평로1가 31)도 적어 주세요"


def test_public_layer_only_is_kept_out_of_smart_seoul_map_and_a_merge_keeps_it(client, db, connection, settings):
    report_id, volunteer = submit(client)
    _photo(client, volunteer, report_id, connection=connection, settings=settings)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    r = decide(client, mod, report_id, action="approve", public_layer_only=True)
    assert r.status_code == 200, r.text
    toilet_id = r.json()["toilet_id"]
    assert r.json()["review"]["public_layer_only"] is True
    assert db.execute(text("SELECT public_layer_only FROM toilets WHERE id = :i"), {"i": toilet_id}).scalar_one()
    assert export_json(db, settings, layer="toilets", fmt="geojson")["features"] == []
    assert [f["id"] for f in export_json(db, settings, layer="toilets", fmt="geojson", profile="geojson")
            ["features"]] == [toilet_id]
    assert client.get(f"/api/v1/toilets/{toilet_id}").status_code == 200  # on the public layer
    # a later merge that says nothing keeps the choice; one that says False sends it to the layer
    second, volunteer2 = submit(client, **{"toilet.door_clear_width_cm": 110})
    _photo(client, volunteer2, second, connection=connection, settings=settings)
    claim_one(client, mod, second)
    settings.second_review_on_merge = False
    assert decide(client, mod, second, action="merge", merge_into=toilet_id).status_code == 200
    assert db.execute(text("SELECT public_layer_only FROM toilets WHERE id = :i"), {"i": toilet_id}).scalar_one()
    third, volunteer3 = submit(client, **{"toilet.door_clear_width_cm": 120})
    _photo(client, volunteer3, third, connection=connection, settings=settings)
    claim_one(client, mod, third)
    assert decide(client, mod, third, action="merge", merge_into=toilet_id, public_layer_only=False).status_code == 200
    assert [f["id"] for f in export_json(db, settings, layer="toilets", fmt="geojson")["features"]] == [toilet_id]


def test_public_layer_only_must_be_a_boolean(client, db, settings):
    report_id, _ = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    assert_error_shape(decide(client, mod, report_id, action="approve", public_layer_only="maybe"), 422)
    assert db.execute(text("SELECT count(*) FROM toilets")).scalar_one() == 0
