"""Issue 12 item 4: a moderator publishing a report that checks a record of the city's public
toilet list ties the record to the toilet at once (match_method 'person', who and when); the
gap list follows without the matcher; re-matching and re-importing keep the person's match while
its toilet is active, and a retired toilet releases it."""

from __future__ import annotations

from sqlalchemy import text

from missions.service import sweep_missions
from office.gaps import gaps_by_district, list_gaps
from reference.importer import import_reference
from reference.service import rematch_all
from tests.factories import join_and_login
from tests.moderation.helpers import assert_error_shape, claim_one, decide, moderator, submit
from tests.reference.helpers import csv_bytes, row
from toilets.models import Toilet
from toilets.service import retire_toilet

# A record 3 m from the report's point (City Hall) under another name: the matcher alone would
# leave it ambiguous once the toilet is published, never matched.
ON_THE_SPOT = dict(화장실명="덕수궁 돌담길 공중화장실", 소재지도로명주소="서울특별시 중구 세종대로 110",
                   소재지지번주소="서울특별시 중구 태평로1가 31", 개방시간="정시", 개방시간상세="09:00~18:00",
                   WGS84위도="37.56632", WGS84경도="126.97792")


def _import(db, settings, rows, name="t.csv"):
    return import_reference(db, csv_bytes(rows), settings=settings, file_name=name)


def _record(db, number: str) -> dict:
    return dict(db.execute(text("""
        SELECT id, match_status, match_method, candidate_toilet_id::text AS toilet_id, matched_by_id, matched_at,
               match_distance_m FROM reference_toilets WHERE management_no = :n"""), {"n": number}).mappings().one())


def _me(client, headers) -> int:
    return client.get("/api/v1/me", headers=headers).json()["id"]


def _gap_numbers(db) -> list[str]:
    return [g["management_no"] for g in list_gaps(db, districts=(), offset=0, limit=100)[1]]


def _audit(db, action: str) -> list[dict]:
    return [dict(r) for r in db.execute(text(
        "SELECT actor_id, object_type, object_id, detail FROM audit_log WHERE action = :a ORDER BY id"),
        {"a": action}).mappings()]


def test_approving_with_the_accepted_record_matches_it_to_the_new_toilet_by_the_moderator(client, db, settings):
    _import(db, settings, [row(7, **ON_THE_SPOT)])
    assert _gap_numbers(db) == ["7"]
    report_id, _ = submit(client)
    mod = moderator(db, client)
    item = claim_one(client, mod, report_id)
    assert item["reference"]["management_no"] == "7" and item["reference"]["via_mission"] is False
    r = decide(client, mod, report_id, action="approve", reference_management_no="7")
    assert r.status_code == 200, r.text
    toilet_id = r.json()["toilet_id"]
    rec = _record(db, "7")
    assert (rec["match_status"], rec["match_method"], rec["toilet_id"]) == ("matched", "person", toilet_id)
    assert rec["matched_by_id"] == _me(client, mod) and rec["matched_at"] is not None
    assert 0 < rec["match_distance_m"] < 10
    [audit] = _audit(db, "reference.match")
    assert (audit["object_type"], audit["object_id"], audit["actor_id"]) == ("reference", "7", _me(client, mod))
    assert audit["detail"]["toilet_id"] == toilet_id and audit["detail"]["review_id"] == r.json()["review"]["id"]
    assert audit["detail"]["before"] == {"status": "none", "method": None, "toilet_id": None}
    # the gap list and the per-district counts follow at once, without `reachable reference match`
    assert _gap_numbers(db) == []
    assert next(d for d in gaps_by_district(db) if d["code"] == "11140")["gaps"] == 0
    seen = client.get(f"/api/v1/moderation/reports/{report_id}", headers=mod).json()["reference"]
    assert (seen["match_status"], seen["match_method"], seen["candidate_toilet_id"]) == ("matched", "person", toilet_id)


def test_an_unknown_record_or_a_record_with_another_action_is_a_bilingual_422_and_changes_nothing(client, db, settings):
    _import(db, settings, [row(7, **ON_THE_SPOT)])
    report_id, _ = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    before = _record(db, "7")
    counts = [db.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in ("toilets", "reviews", "audit_log")]
    for body in ({"action": "approve", "reference_management_no": "NO-SUCH"},
                 {"action": "merge", "reference_management_no": "NO-SUCH",
                  "merge_into": "00000000-0000-0000-0000-000000000000"},
                 {"action": "reject", "reason_code": "duplicate", "reference_management_no": "7"}):
        err = assert_error_shape(decide(client, mod, report_id, **body), 422, "invalid_decision")
        [field] = err["fields"]
        assert field["path"] == "reference_management_no" and field["message_ko"] and field["message_en"]
    assert _record(db, "7") == before
    assert [db.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("toilets", "reviews", "audit_log")] == counts
    assert client.get(f"/api/v1/moderation/reports/{report_id}", headers=mod).json()["status"] == "in_review"


def test_a_missions_report_approved_takes_its_gap_off_the_list_without_the_matcher(client, db, settings):
    _import(db, settings, [row(7, **ON_THE_SPOT)])
    sweep_missions(db, settings=settings)
    volunteer = join_and_login(client)
    [mission] = client.get("/api/v1/missions/nearby", params={"lon": 126.9779, "lat": 37.5663},
                           headers=volunteer).json()["items"]
    assert client.post(f"/api/v1/missions/{mission['id']}/take", headers=volunteer).status_code == 200
    report_id, _ = submit(client, volunteer)
    linked = client.post(f"/api/v1/missions/{mission['id']}/report", json={"report_id": report_id}, headers=volunteer)
    assert linked.status_code == 200, linked.text
    mod = moderator(db, client)
    assert claim_one(client, mod, report_id)["reference"]["via_mission"] is True
    # the mission's record is the only one this report may be tied to
    _import(db, settings, [row(7, **ON_THE_SPOT), row(8)], name="t2.csv")
    err = assert_error_shape(decide(client, mod, report_id, action="approve", reference_management_no="8"), 422)
    assert err["fields"][0]["path"] == "reference_management_no"
    r = decide(client, mod, report_id, action="approve")  # no number needed: the mission names the record
    assert r.status_code == 200, r.text
    rec = _record(db, "7")
    assert (rec["match_status"], rec["match_method"], rec["toilet_id"]) == ("matched", "person", r.json()["toilet_id"])
    assert "7" not in _gap_numbers(db)
    assert db.execute(text("SELECT status FROM missions WHERE id = :id"), {"id": mission["id"]}).scalar_one() == "done"
    swept = sweep_missions(db, settings=settings)
    assert swept["opened_gaps"] == 1  # only record 8 (a gap in 강동구), not 7 again
    assert db.execute(text("SELECT count(*) FROM missions m JOIN reference_toilets r ON r.id = m.reference_toilet_id "
                           "WHERE r.management_no = '7'")).scalar_one() == 1


def test_re_matching_and_re_importing_keep_the_persons_match_and_a_retired_toilet_releases_it(client, db, settings):
    _import(db, settings, [row(7, **ON_THE_SPOT)])
    report_id, _ = submit(client)
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    toilet_id = decide(client, mod, report_id, action="approve", reference_management_no="7").json()["toilet_id"]
    assert _record(db, "7")["match_method"] == "person"
    # the matcher alone says ambiguous (another name on the spot): it leaves the person's match alone
    assert rematch_all(db, settings=settings) == {"matched": 1, "ambiguous": 0, "none": 0}
    kept = _record(db, "7")
    assert (kept["match_status"], kept["match_method"], kept["toilet_id"]) == ("matched", "person", toilet_id)
    assert kept["matched_by_id"] == _me(client, mod)
    again = _import(db, settings, [row(7, **{**ON_THE_SPOT, "개방시간상세": "06:00~22:00"})], name="t2.csv")
    assert again.updated == 1 and again.matches["matched"] == 1
    assert _record(db, "7")["match_method"] == "person" and _record(db, "7")["toilet_id"] == toilet_id
    # the toilet retired: the record is a gap again at once, and the next match is automatic
    retire_toilet(db, toilet=db.get(Toilet, toilet_id), reason="closed", report_id=None, review_id=None)
    assert _gap_numbers(db) == ["7"]
    assert rematch_all(db, settings=settings) == {"matched": 0, "ambiguous": 0, "none": 1}
    released = _record(db, "7")
    assert (released["match_status"], released["match_method"], released["matched_by_id"]) == ("none", None, None)


def test_a_merge_waiting_for_second_review_ties_the_record_when_confirmed(client, db, settings):
    report_id, _ = submit(client)
    a, b = moderator(db, client), moderator(db, client)
    claim_one(client, a, report_id)
    toilet_id = decide(client, a, report_id, action="approve").json()["toilet_id"]
    _import(db, settings, [row(7, **ON_THE_SPOT)])
    assert _record(db, "7")["match_status"] == "ambiguous"  # the toilet on the spot under another name
    second_id, _ = submit(client, **{"place.floor": "1"})
    claim_one(client, a, second_id)
    out = decide(client, a, second_id, action="merge", merge_into=toilet_id, reference_management_no="7").json()
    assert out["report_status"] == "pending_second_review"
    assert _record(db, "7")["match_method"] != "person"  # not before the decision is final
    r = client.post(f"/api/v1/moderation/reviews/{out['review']['id']}/second-review", json={"outcome": "confirm"},
                    headers=b)
    assert r.status_code == 200, r.text
    rec = _record(db, "7")
    assert (rec["match_status"], rec["match_method"], rec["toilet_id"]) == ("matched", "person", toilet_id)
    assert rec["matched_by_id"] == _me(client, a)  # who decided; the confirming moderator is the audit's actor
    [audit] = _audit(db, "reference.match")
    assert audit["actor_id"] == _me(client, b)
    assert audit["detail"]["before"] == {"status": "ambiguous", "method": "distance", "toilet_id": toilet_id}
