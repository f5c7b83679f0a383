"""Issue 11 item 10: who may do what, for every route of the app, in one table.

The rows are checked against the app's own route table (`app.routes`, mounts included): a
route without a row fails, and so does a row without a route. Every request names real objects
of the test world (tests/api/world.py) and sends a valid body, so it gets past validation to
the authorisation check and the status says what the role may do. Each cell runs in a
savepoint rolled back afterwards: one role's 201 never changes what the next role meets.

Roles: anon (no credentials), vol (the volunteer who owns the reports), other (another
volunteer), mod (the moderator holding the claim and who made the pending decision), mod2 (a
moderator without the claim), exp (an exporter logged in), key (the exporter's API key), admin.
"""

from __future__ import annotations

import uuid

import fastapi.routing
import pytest
from starlette.routing import Mount

from tests.api.world import ROLES, build_world, raise_rate_limits

COLUMNS = ("anon", "vol", "other", "mod", "mod2", "exp", "key", "admin")
assert len(COLUMNS) == len(ROLES)

MATRIX = """
method path                                                   anon vol other mod mod2 exp key admin
GET    /openapi.json                                           200 200  200  200  200 200 200  200
POST   /api/v1/volunteers                                      201 201  201  201  201 201 201  201
POST   /api/v1/auth/token                                      200 200  200  200  200 200 200  200
GET    /api/v1/me                                              401 200  200  200  200 200 401  200
POST   /api/v1/me/password                                     401 200  200  200  200 200 401  200
POST   /api/v1/accounts                                        401 403  403  403  403 403 401  201
GET    /api/v1/accounts                                        401 403  403  403  403 403 401  200
POST   /api/v1/accounts/{account_id}/deactivate                401 403  403  403  403 403 401  200
POST   /api/v1/accounts/{account_id}/reactivate                401 403  403  403  403 403 401  200
POST   /api/v1/accounts/{account_id}/password                  401 403  403  403  403 403 401  200
POST   /api/v1/organisations                                   401 403  403  403  403 403 401  201
GET    /api/v1/organisations                                   401 403  403  403  403 403 401  200
PATCH  /api/v1/organisations/{organisation_id}                 401 403  403  403  403 403 401  200
GET    /api/v1/partners                                        401 403  403  403  403 403 401  200
GET    /api/v1/office/campaign                                 401 403  403  403  403 403 401  200
PUT    /api/v1/office/campaign                                 401 403  403  403  403 403 401  200
GET    /api/v1/office/dashboard                                401 403  403  403  403 403 401  200
GET    /api/v1/office/tables/{table}.csv                       401 403  403  403  403 403 401  200
GET    /api/v1/office/report                                   401 403  403  403  403 403 401  200
GET    /api/v1/office/report.csv                               401 403  403  403  403 403 401  200
GET    /api/v1/office/audit                                    401 403  403  403  403 403 401  200
GET    /api/v1/office/gaps                                     401 403  403  403  403 403 401  200
GET    /api/v1/office/gaps.csv                                 401 403  403  403  403 403 401  200
POST   /api/v1/office/reference/{management_no}/match          401 403  403  403  403 403 401  200
GET    /api/v1/office/audit.csv                                401 403  403  403  403 403 401  200
GET    /office                                                 200 200  200  200  200 200 200  200
GET    /api/v1/missions/nearby                                 401 200  200  403  403 403 401  403
GET    /api/v1/missions/{mission_id}                           401 200  200  403  403 403 401  403
POST   /api/v1/missions/{mission_id}/take                      401 200  200  403  403 403 401  403
POST   /api/v1/missions/{mission_id}/report                    401 200  404  403  403 403 401  403
POST   /api/v1/partners                                        401 403  403  403  403 403 401  201
PATCH  /api/v1/partners/{partner_id}                           401 403  403  403  403 403 401  200
PUT    /api/v1/partners/{partner_id}/moderators/{account_id}   401 403  403  403  403 403 401  200
DELETE /api/v1/partners/{partner_id}/moderators/{account_id}   401 403  403  403  403 403 401  200
GET    /api/v1/mobile-schema                                   200 200  200  200  200 200 200  200
GET    /api/v1/mobile-schema/{version}                         200 200  200  200  200 200 200  200
POST   /api/v1/reports                                         401 201  201  403  403 403 401  403
GET    /api/v1/reports                                         401 200  200  403  403 403 401  403
GET    /api/v1/reports/{report_id}                             401 200  404  200  200 404 401  200
POST   /api/v1/reports/{report_id}/photos                      401 202  404  403  403 403 401  403
GET    /api/v1/reports/{report_id}/photos                      401 200  404  200  200 404 401  200
GET    /api/v1/reports/{report_id}/photos/{photo_id}           401 200  404  200  200 404 401  200
POST   /api/v1/reports/{report_id}/revisions                   401 201  404  403  403 403 401  403
GET    /api/v1/reports/{report_id}/history                     401 200  404  200  200 404 401  200
GET    /api/v1/toilets                                         200 200  200  200  200 200 200  200
GET    /api/v1/toilets/nearby                                  200 200  200  200  200 200 200  200
GET    /api/v1/toilets/{toilet_id}                             200 200  200  200  200 200 200  200
GET    /api/v1/toilets/{toilet_id}/history                     200 200  200  200  200 200 200  200
GET    /tiles/toilets/{z}/{x}/{y}.mvt                          200 200  200  200  200 200 200  200
GET    /api/v1/toilets/{toilet_id}/photos/{name}               200 200  200  200  200 200 200  200
GET    /api/v1/districts                                       200 200  200  200  200 200 200  200
GET    /toilets/{toilet_id}                                    200 200  200  200  200 200 200  200
POST   /api/v1/moderation/claims                               401 403  403  200  200 403 401  200
GET    /api/v1/moderation/claims                               401 403  403  200  200 403 401  200
POST   /api/v1/moderation/reports/{report_id}/release          401 403  403  200  403 403 401  403
GET    /api/v1/moderation/reports/{report_id}                  401 403  403  200  200 403 401  200
GET    /api/v1/moderation/reports/{report_id}/map              401 403  403  200  200 403 401  200
GET    /api/v1/moderation/reports/{report_id}/merge-preview    401 403  403  200  200 403 401  200
POST   /api/v1/moderation/reports/{report_id}/map-ticket       401 403  403  200  200 403 401  200
POST   /api/v1/moderation/reports/{report_id}/decision         401 403  403  200  403 403 401  403
GET    /api/v1/moderation/queue                                401 403  403  200  200 403 401  200
GET    /api/v1/moderation/reason-codes                         200 200  200  200  200 200 200  200
GET    /api/v1/moderation/vocabulary                           200 200  200  200  200 200 200  200
GET    /api/v1/moderation/reviews                              401 403  403  200  200 403 401  200
POST   /api/v1/moderation/reviews/{review_id}/second-review    401 403  403  403  200 403 401  200
POST   /api/v1/moderation/toilets/{toilet_id}/retire           401 403  403  200  200 403 401  200
POST   /api/v1/admin/api-keys                                  401 403  403  403  403 403 401  201
GET    /api/v1/admin/api-keys                                  401 403  403  403  403 403 401  200
DELETE /api/v1/admin/api-keys/{key_id}                         401 403  403  403  403 403 401  200
POST   /api/v1/exports/snapshots                               401 403  403  403  403 202 202  202
GET    /api/v1/exports/snapshots                               401 403  403  403  403 200 200  200
GET    /api/v1/exports/snapshots/{snapshot_id}                 401 403  403  403  403 200 200  200
GET    /api/v1/exports/snapshots/{snapshot_id}/bundle.zip      401 403  403  403  403 200 200  200
GET    /api/v1/exports/snapshots/{snapshot_id}/files/{name:path} 401 403 403 403  403 200 200  200
GET    /api/v1/exports/{layer}.{fmt}                           401 403  403  403  403 200 200  200
GET    /api/v1/jobs/{job_id}                                   401 200  403  200  200 403 403  200
GET    /maps/preview                                           200 200  200  200  200 200 200  200
GET    /maps/photos/{name}                                     200 200  200  200  200 200 200  200
GET    /moderate                                               200 200  200  200  200 200 200  200
GET    /app                                                    307 307  307  307  307 307 307  307
GET    /app/config.json                                        200 200  200  200  200 200 200  200
GET    /app/*                                                  200 200  200  200  200 200 200  200
GET    /static/*                                               200 200  200  200  200 200 200  200
GET    /static/vendor/leaflet/*                                200 200  200  200  200 200 200  200
GET    /static/vendor/leaflet.markercluster/*                  200 200  200  200  200 200 200  200
GET    /static/vendor/jquery/*                                 200 200  200  200  200 200 200  200
GET    /static/vendor/bootstrap/*                              200 200  200  200  200 200 200  200
GET    /static/vendor/fontawesome/*                            200 200  200  200  200 200 200  200
GET    /static/vendor/swagger-ui/*                             200 200  200  200  200 200 200  200
GET    /static/vendor/chartjs/*                                200 200  200  200  200 200 200  200
GET    /static/vendor/maplibre-gl/*                            200 200  200  200  200 200 200  200
GET    /                                                       200 200  200  200  200 200 200  200
GET    /docs                                                   200 200  200  200  200 200 200  200
GET    /favicon.ico                                            200 200  200  200  200 200 200  200
GET    /healthz                                                200 200  200  200  200 200 200  200
"""

# A file inside each mount (a mount is a route too: its row is "GET <mount>/*").
MOUNT_SAMPLES = {
    "/app": "index.html", "/static": "favicon.svg", "/static/vendor/leaflet": "leaflet.js",
    "/static/vendor/leaflet.markercluster": "leaflet.markercluster.js", "/static/vendor/jquery": "jquery.min.js",
    "/static/vendor/bootstrap": "css/bootstrap.min.css", "/static/vendor/fontawesome": "css/all.min.css",
    "/static/vendor/swagger-ui": "swagger-ui.css", "/static/vendor/chartjs": "chart.umd.js",
    "/static/vendor/maplibre-gl": "maplibre-gl.css",
}


def parse_matrix() -> dict[tuple[str, str], dict[str, int]]:
    lines = [ln.split() for ln in MATRIX.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header[2:]) == COLUMNS
    table = {}
    for row in rows:
        assert len(row) == 2 + len(COLUMNS), row
        key = (row[0], row[1])
        assert key not in table, f"two rows for {key}"
        table[key] = dict(zip(COLUMNS, map(int, row[2:]), strict=True))
    return table


def app_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, mounts as "<mount>/*"."""
    out = set()
    for ctx in fastapi.routing.iter_route_contexts(app.routes):
        route = ctx.route
        path = getattr(ctx, "path", None) or route.path
        if isinstance(route, Mount):
            out.add(("GET", f"{path}/*"))
        else:
            out |= {(m, path) for m in route.methods - {"HEAD"}}
    return out


def request_for(method: str, path: str, w) -> tuple[str, dict]:
    """The URL (real ids) and a valid body for one route."""
    ids = w.ids
    if path.endswith("/*"):
        return path[:-1] + MOUNT_SAMPLES[path[:-2]], {}
    report = ids["claimed_report"] if "/moderation/reports/" in path else \
        ids["sent_back_report"] if path.endswith("/revisions") else ids["owned_report"]
    url = path.replace("{name:path}", ids["snapshot_file"]).format(
        version=1, report_id=report, photo_id=ids["photo"], toilet_id=ids["toilet"], review_id=ids["review"],
        key_id=ids["api_key"], snapshot_id=ids["snapshot"], job_id=ids["job"], organisation_id=ids["organisation"], partner_id=ids["partner"], mission_id=ids["mission"],
        account_id=ids["partner_moderator"] if "/partners/" in path else ids["other_volunteer_account"], layer="toilets", fmt="csv", table="districts", name=ids["preview_photo"],
        management_no="WORLD-1", z=15, x=27941, y=12689)  # the tile of the world's toilets (City Hall)
    unique = uuid.uuid4().hex[:8]
    bodies = {
        ("POST", "/api/v1/volunteers"): {"json": {"nickname": f"m{unique}", "password": "correct horse",
                                                  "age_band": "20s"}},
        ("POST", "/api/v1/auth/token"): {"data": {"username": ids["volunteer_name"], "password": "correct horse"}},
        ("POST", "/api/v1/accounts"): {"json": {"username": f"a{unique}", "password": "correct horse",
                                                "role": "moderator"}},
        ("POST", "/api/v1/me/password"): {"json": {"current_password": "correct horse",
                                                   "new_password": "another correct horse"}},
        ("POST", "/api/v1/accounts/{account_id}/deactivate"): {"json": {"reason": "행렬 시험"}},
        ("POST", "/api/v1/accounts/{account_id}/password"): {"json": {"new_password": "another correct horse"}},
        ("POST", "/api/v1/organisations"): {"json": {"code": f"ORG-{unique}", "name": "행렬 단체"}},
        ("PATCH", "/api/v1/organisations/{organisation_id}"): {"json": {"participant_target": 25}},
        ("POST", "/api/v1/partners"): {"json": {"name": f"행렬 기관 {unique}"}},
        ("PUT", "/api/v1/office/campaign"): {"json": {"name": "행렬 캠페인", "starts_on": "2023-09-01",
                                                      "ends_on": "2023-12-09", "participant_target": 3000}},
        ("PATCH", "/api/v1/partners/{partner_id}"): {"json": {"name": f"새 이름 {unique}"}},
        ("POST", "/api/v1/reports"): {"json": _fresh_report()},
        ("POST", "/api/v1/reports/{report_id}/photos"): {
            "data": {"kind": "door"}, "files": {"file": ("p.jpg", _jpeg(), "image/jpeg")}},
        ("POST", "/api/v1/reports/{report_id}/revisions"): {"json": _fresh_report()},
        ("POST", "/api/v1/moderation/claims"): {"json": {"count": 1}},
        ("POST", "/api/v1/moderation/reports/{report_id}/decision"): {
            "json": {"action": "reject", "reason_code": "duplicate"}},
        ("POST", "/api/v1/moderation/reviews/{review_id}/second-review"): {"json": {"outcome": "confirm"}},
        ("POST", "/api/v1/moderation/toilets/{toilet_id}/retire"): {"json": {"reason": "폐쇄 closed"}},
        ("POST", "/api/v1/admin/api-keys"): {"json": {"account_id": int(ids["exporter_account"]), "label": "m"}},
        ("POST", "/api/v1/exports/snapshots"): {"json": {}},
        ("POST", "/api/v1/missions/{mission_id}/report"): {"json": {"report_id": int(ids["owned_report"])}},
        ("POST", "/api/v1/office/reference/{management_no}/match"): {"json": {"toilet_id": ids["toilet"]}},
    }
    if path == "/api/v1/missions/nearby":
        url += "?lon=126.978&lat=37.5665"
    if path == "/api/v1/toilets/nearby":
        url += "?lon=126.9779&lat=37.5663"
    if path.endswith("/merge-preview"):
        url += f"?toilet_id={ids['toilet']}"
    return url, bodies.get((method, path), {})


def _fresh_report():
    from tests.api.world import _report_at

    return _report_at((126.97600, 37.56620))


def _jpeg():
    from tests.api.world import jpeg

    return jpeg()


@pytest.fixture
def settings(settings):
    """The suite's settings with the abuse limits far above what one test sends: the limits stay
    in every route's path, but this test's hundreds of requests from one client never meet them."""
    return raise_rate_limits(settings)


def test_every_route_has_a_row_and_no_row_is_stale(app):
    table, served = parse_matrix(), app_routes(app)
    missing = sorted(served - set(table))
    stale = sorted(set(table) - served)
    assert not missing, f"routes without a row in MATRIX (add who may call them): {missing}"
    assert not stale, f"rows in MATRIX for routes the app does not serve: {stale}"


def test_authorisation_matrix(app, client, db, connection):
    world = build_world(client, db)
    table = parse_matrix()
    assert set(table) == app_routes(app)
    wrong = []
    for (method, path), expected in sorted(table.items()):
        for column, role in zip(COLUMNS, ROLES, strict=True):
            url, body = request_for(method, path, world)
            savepoint = connection.begin_nested()
            try:
                r = client.request(method, url, headers=world.headers[role], follow_redirects=False, **body)
            finally:
                savepoint.rollback()
            if r.status_code != expected[column]:
                wrong.append(f"{method} {path} as {column}: expected {expected[column]}, got {r.status_code} "
                             f"{r.text[:160]}")
            elif r.status_code >= 400:  # every refusal in the one error shape
                assert set(r.json()) == {"code", "message_ko", "message_en", "fields"}, (method, path, column)
    assert not wrong, "\n".join(wrong)


def test_a_new_route_without_a_row_is_caught(app):
    @app.get("/api/v1/brand-new")
    def brand_new() -> dict:
        return {}

    assert ("GET", "/api/v1/brand-new") in app_routes(app) - set(parse_matrix())
