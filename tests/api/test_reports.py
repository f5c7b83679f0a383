"""Submitting reports: schema, geometry, idempotency, duplicates, ownership, bad input."""

import json
import threading
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.factories import DELETE, count_rows, join_and_login, login, make_account, report_body
from toilets.service import create_toilet


@pytest.fixture
def volunteer(client):
    return join_and_login(client)


def post(client, headers, body):
    return client.post("/api/v1/reports", headers=headers, json=body)


def assert_error(r, status, code=None, path=None):
    assert r.status_code == status, r.text
    err = r.json()
    assert set(err) == {"code", "message_ko", "message_en", "fields"}
    assert err["message_ko"] and err["message_en"]
    if code:
        assert err["code"] == code
    if path is not None:
        paths = [f["path"] for f in err["fields"]]
        assert path in paths, paths
        for f in err["fields"]:
            assert f["message_ko"] and f["message_en"]
    return err


def test_a_valid_report_is_stored_queued_with_raw_payload_and_derived_columns(client, db, volunteer):
    body = report_body()
    r = post(client, volunteer, body)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "queued" and out["district"]["code"] == "11140" and out["revision"] == 1
    row = db.execute(text(
        "SELECT raw_payload, status, name, floor, district_code, ST_X(location) x, ST_Y(location) y, "
        "ST_NPoints(route_path) n, location_source FROM reports WHERE id = :i"), {"i": out["id"]}).one()
    assert row.raw_payload == body
    assert (row.status, row.name, row.floor, row.district_code) == ("queued", body["place"]["name"], "1", "11140")
    assert (row.x, row.y) == pytest.approx(tuple(body["location"][k] for k in ("lon", "lat")))
    assert row.n == 3 and row.location_source == "gps"


def test_unknown_everywhere_is_a_valid_answer_and_stays_null(client, db, volunteer):
    body = report_body()
    for group in ("toilet", "access_route"):
        body[group] = {k: None for k in body[group]}
    body["toilet"]["arrangement"] = "none"  # "there is no accessible toilet here" is an answer
    r = post(client, volunteer, body)
    assert r.status_code == 201, r.text
    stored = db.execute(text("SELECT payload FROM reports WHERE id = :i"), {"i": r.json()["id"]}).scalar_one()
    assert stored["toilet"]["door_clear_width_cm"] is None and stored["access_route"]["step_free"] is None
    assert stored["toilet"]["arrangement"] == "none"


def test_retry_returns_the_same_report_and_another_body_is_409(client, db, volunteer):
    body = report_body()
    first = post(client, volunteer, body)
    again = post(client, volunteer, body)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    changed = json.loads(json.dumps(body))
    changed["notes"] = "a different body"
    assert_error(post(client, volunteer, changed), 409, "submission_id_reused", "client_submission_id")
    assert count_rows(db, "reports") == 1


def test_the_same_client_id_from_another_volunteer_is_another_report(client, db, volunteer):
    body = report_body()
    assert post(client, volunteer, body).status_code == 201
    assert post(client, join_and_login(client), body).status_code == 201
    assert count_rows(db, "reports") == 2


def test_concurrent_identical_submissions_store_exactly_one_report(committed_app, committed_engine):
    with TestClient(committed_app) as c:
        headers = join_and_login(c)
        body = report_body()
        results: list = []

        def send():
            with TestClient(committed_app) as own:
                results.append(own.post("/api/v1/reports", headers=headers, json=body))

        threads = [threading.Thread(target=send) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 1 and codes.count(200) == 11, codes
    assert len({r.json()["id"] for r in results}) == 1
    with committed_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reports")).scalar_one() == 1


def test_malformed_json_is_400_and_changes_nothing(client, db, volunteer):
    for raw in (b"{not json", b'{"schema_version": NaN}', b"\xff\xfe"):
        r = client.post("/api/v1/reports", headers=volunteer | {"content-type": "application/json"}, content=raw)
        assert_error(r, 400, "malformed_json")
    assert count_rows(db, "reports") == 0


@pytest.mark.parametrize("overrides, path", [
    ({"location.lon": "126.97"}, "location.lon"),
    ({"toilet.door_clear_width_cm": "wide"}, "toilet.door_clear_width_cm"),
    ({"toilet.grab_bars": "many"}, "toilet.grab_bars"),
    ({"place.name": ""}, "place.name"),
    ({"place.name": DELETE}, "place.name"),
    ({"place.floor": "basement"}, "place.floor"),
    ({"client_submission_id": "not-a-uuid"}, "client_submission_id"),
    ({"observed_at": "yesterday"}, "observed_at"),
    ({"toilet.door_clear_width_cm": 5000}, "toilet.door_clear_width_cm"),
    ({"location.lat": 95}, "location.lat"),
    ({"toilet.favourite_colour": "blue"}, "toilet.favourite_colour"),
    ({"access_route.obstacles": [{"kind": "dragon"}]}, "access_route.obstacles.0.kind"),
    ({"schema_version": 99}, "schema_version"),
])
def test_schema_violations_name_the_field(client, db, volunteer, overrides, path):
    assert_error(post(client, volunteer, report_body(**overrides)), 422, path=path)
    assert count_rows(db, "reports") == 0


def test_unknown_top_level_field_and_non_object_body(client, db, volunteer):
    body = report_body()
    body["secret_extra"] = 1
    assert_error(post(client, volunteer, body), 422, "invalid_report", "secret_extra")
    assert_error(post(client, volunteer, [1, 2]), 422, path="")
    assert count_rows(db, "reports") == 0


def test_oversized_body_is_413(client, db, volunteer):
    body = report_body(notes="가" * 100)
    body["padding"] = "x" * 400_000
    assert_error(post(client, volunteer, body), 413, "body_too_large")
    assert count_rows(db, "reports") == 0


@pytest.mark.parametrize("lon, lat, path", [
    (129.0756, 35.1796, "location"),  # Busan
    (127.3, 37.5, "location"),  # Hanam, just east
    (37.5663, 126.9779, "location.lat"),  # swapped: latitude out of range
])
def test_points_outside_seoul_are_rejected(client, db, volunteer, lon, lat, path):
    body = report_body(**{"location.lon": lon, "location.lat": lat, "access_route.path": None,
                          "access_route.obstacles": None})
    assert_error(post(client, volunteer, body), 422, path=path)
    assert count_rows(db, "reports") == 0


def _point_at_distance_from_border(db, metres: float) -> tuple[float, float]:
    """A point `metres` outside (positive) or inside (negative) Seoul's boundary, made with PostGIS."""
    row = db.execute(text("""
        WITH b AS (SELECT (ST_Dump(ST_Buffer(geom::geography, :m)::geometry)).geom g FROM city_boundary),
             big AS (SELECT g FROM b ORDER BY ST_Area(g) DESC LIMIT 1)
        SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointN(ST_ExteriorRing(g), 7) p FROM big) q"""),
        {"m": metres}).one()
    return float(row[0]), float(row[1])


@pytest.mark.parametrize("metres, accepted", [(-20, True), (30, True), (120, False), (400, False)])
def test_border_tolerance_just_inside_accepted_just_outside_rejected(client, db, volunteer, metres, accepted):
    lon, lat = _point_at_distance_from_border(db, metres)
    body = report_body(**{"location.lon": lon, "location.lat": lat, "access_route.path": None,
                          "access_route.obstacles": None, "place.district": None,
                          "place.road_address": None, "place.lot_address": None})
    r = post(client, volunteer, body)
    if accepted:
        assert r.status_code == 201, (metres, r.text)
    else:
        assert_error(r, 422, path="location")


def test_district_is_derived_and_a_mismatching_address_is_flagged(client, db, volunteer):
    body = report_body(**{"place.district": None, "place.road_address": "서울특별시 강남구 테헤란로 1"})
    r = post(client, volunteer, body)
    assert r.status_code == 201
    out = r.json()
    assert out["district"]["code"] == "11140" and out["district_mismatch"] is True
    assert any(w["path"] == "place.road_address" and "강남구" in w["message_ko"] for w in out["warnings"])
    assert_error(post(client, volunteer, report_body(**{"place.district": "판교구"})), 422, path="place.district")


SELF_CROSSING = [[126.9770, 37.5655], [126.9780, 37.5662], [126.9780, 37.5655], [126.9770, 37.5662],
                 [126.97790, 37.56630]]


@pytest.mark.parametrize("coords, path_fragment", [
    (SELF_CROSSING, "access_route.path"),
    ([[126.9779, 37.5663], [126.9779, 37.5663]], "access_route.path"),  # no length
    ([[126.9600, 37.5500], [126.9700, 37.5600], [126.97790, 37.56630]], "access_route.path"),  # 2 km jumps
    ([[126.97745, 37.56605], [126.9760, 37.5640]], "access_route.path.coordinates.1"),  # ends far from the toilet
    ([[126.97789, 37.56629], [126.97745, 37.56605]], "access_route.path"),  # reversed
    ([[200.0, 37.5], [126.97790, 37.56630]], "access_route.path.coordinates.0"),
])
def test_bad_routes_are_rejected_with_their_reason(client, db, volunteer, coords, path_fragment):
    body = report_body(**{"access_route.path": {"type": "LineString", "coordinates": coords},
                          "access_route.obstacles": None})
    err = assert_error(post(client, volunteer, body), 422)
    assert any(f["path"].startswith(path_fragment) for f in err["fields"]), err["fields"]
    assert count_rows(db, "reports") == 0


def test_self_crossing_route_message_says_so(client, volunteer):
    body = report_body(**{"access_route.path": {"type": "LineString", "coordinates": SELF_CROSSING},
                          "access_route.obstacles": None})
    err = post(client, volunteer, body).json()
    assert any("crosses itself" in f["message_en"] and "교차" in f["message_ko"] for f in err["fields"])


def test_obstacle_far_from_the_route_is_rejected(client, db, volunteer):
    body = report_body(**{"access_route.obstacles": [{"kind": "step", "location": {"lon": 126.9800, "lat": 37.5700},
                                                      "height_cm": 10}]})
    assert_error(post(client, volunteer, body), 422, path="access_route.obstacles.0.location")


def test_nearby_published_toilets_and_pending_reports_are_duplicate_candidates(client, db, volunteer):
    toilet = create_toilet(db, payload=report_body(), report_id=None, review_id=None)
    other = join_and_login(client)
    pending = post(client, other, report_body(**{"location.lon": 126.97792})).json()
    far = post(client, other, report_body(**{"location.lon": 126.9830, "location.lat": 37.5700,
                                              "access_route.path": None, "access_route.obstacles": None})).json()
    upstairs = post(client, other, report_body(**{"place.floor": "3"})).json()
    r = post(client, volunteer, report_body(**{"location.lon": 126.97795}))
    assert r.status_code == 201
    found = {(c["type"], c["id"]) for c in r.json()["duplicate_candidates"]}
    likely = {(c["type"], c["id"]) for c in r.json()["duplicate_candidates"] if c["likely_duplicate"]}
    assert ("toilet", str(toilet.id)) in likely and ("report", str(pending["id"])) in likely
    assert ("report", str(far["id"])) not in found
    # the third floor is shown as nearby, not flagged as a duplicate (issue 15 item 3)
    assert ("report", str(upstairs["id"])) in found and ("report", str(upstairs["id"])) not in likely
    top = r.json()["duplicate_candidates"][0]
    assert top["distance_m"] < 30 and top["name_similarity"] > 0.9
    stored = db.execute(text("SELECT count(*) FROM report_duplicate_candidates WHERE report_id = :i"),
                        {"i": r.json()["id"]}).scalar_one()
    assert stored == len(found)
    # one shape and one order wherever the candidates are returned: fresh, retried, read again
    again = client.get(f"/api/v1/reports/{r.json()['id']}", headers=volunteer).json()
    retry = client.post("/api/v1/reports", json=json.loads(r.request.content), headers=volunteer)
    assert retry.status_code == 200
    assert again["duplicate_candidates"] == r.json()["duplicate_candidates"] == retry.json()["duplicate_candidates"]
    distances = [c["distance_m"] for c in again["duplicate_candidates"]]
    assert distances == sorted(distances)


def test_volunteers_see_only_their_own_reports(client, db, volunteer):
    mine = [post(client, volunteer, report_body()).json()["id"] for _ in range(3)]
    other = join_and_login(client)
    theirs = post(client, other, report_body()).json()["id"]
    page = client.get("/api/v1/reports?page=1&page_size=2", headers=volunteer).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    page2 = client.get("/api/v1/reports?page=2&page_size=2", headers=volunteer).json()
    assert sorted(i["id"] for i in page["items"] + page2["items"]) == sorted(mine)
    assert_error(client.get(f"/api/v1/reports/{theirs}", headers=volunteer), 404, "report_not_found")
    assert client.get(f"/api/v1/reports/{mine[0]}", headers=volunteer).status_code == 200
    assert_error(client.get("/api/v1/reports?page_size=1000", headers=volunteer), 422, path="page_size")


def test_roles_against_report_endpoints(client, db, volunteer):
    report_id = post(client, volunteer, report_body()).json()["id"]
    moderator = login(client, make_account(db, "moderator"), "correct horse")
    exporter = login(client, make_account(db, "exporter"), "correct horse")
    assert client.get(f"/api/v1/reports/{report_id}", headers=moderator).status_code == 200
    assert_error(client.get(f"/api/v1/reports/{report_id}", headers=exporter), 404)
    for headers in (moderator, exporter):
        assert_error(post(client, headers, report_body()), 403, "forbidden_role")
        assert_error(client.get("/api/v1/reports", headers=headers), 403)
    assert_error(post(client, {}, report_body()), 401, "unauthorised")
    assert_error(client.get(f"/api/v1/reports/{report_id}"), 401)
    assert count_rows(db, "reports") == 1


def test_revision_after_changes_requested_reenters_the_queue(client, db, volunteer):
    first = post(client, volunteer, report_body()).json()
    revised = report_body(**{"toilet.door_clear_width_cm": 92})
    assert_error(client.post(f"/api/v1/reports/{first['id']}/revisions", headers=volunteer, json=revised),
                 409, "report_not_awaiting_changes")
    db.execute(text("UPDATE reports SET status = 'changes_requested', moderator_message = '문 폭을 재 주세요' "
                    "WHERE id = :i"), {"i": first["id"]})
    r = client.post(f"/api/v1/reports/{first['id']}/revisions", headers=volunteer, json=revised)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "queued" and out["revision"] == 2
    assert out["payload"]["toilet"]["door_clear_width_cm"] == 92
    again = client.post(f"/api/v1/reports/{first['id']}/revisions", headers=volunteer, json=revised)
    assert again.status_code == 200 and again.json()["revision"] == 2
    raw = db.execute(text("SELECT raw_payload FROM reports WHERE id = :i"), {"i": first["id"]}).scalar_one()
    assert raw["toilet"]["door_clear_width_cm"] == 100  # the original as sent is never overwritten
    assert count_rows(db, "report_revisions") == 1
    other = join_and_login(client)
    assert_error(client.post(f"/api/v1/reports/{first['id']}/revisions", headers=other,
                             json=report_body()), 404)


def test_unknown_report_id_is_404_and_so_is_an_id_that_does_not_parse(client, volunteer):
    assert_error(client.get("/api/v1/reports/999999", headers=volunteer), 404)
    # a path that does not parse names nothing: 404 too (issue 11), never a DataError's 500
    for bad in ("abc", "99999999999999999999999", "-1", "0", "9223372036854775808"):
        assert_error(client.get(f"/api/v1/reports/{bad}", headers=volunteer), 404)


def test_a_fresh_uuid_per_report(client, volunteer):
    ids = {post(client, volunteer, report_body(client_submission_id=str(uuid.uuid4()))).json()["id"]
           for _ in range(2)}
    assert len(ids) == 2
