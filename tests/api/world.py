"""A small world of real objects, one of each kind a route can name, and a caller per role.

Shared by the authorisation matrix and the OpenAPI fuzz run, so both reach past the
authorisation check with ids that exist: a report its volunteer owns, one a moderator has
claimed, one sent back for changes, a published toilet with a photo, a decision waiting for a
second review, a snapshot, an exporter's API key.
"""

from __future__ import annotations

import io
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from tests.factories import join_and_login, login, make_account, report_body
from tests.workers import run_queued_jobs

# Each report a little apart (about 60 m), so none is another's duplicate.
_SPOTS = [(126.97790, 37.56630), (126.97850, 37.56680), (126.97700, 37.56560), (126.97900, 37.56560),
          (126.97650, 37.56700)]


def jpeg(size=(48, 32)) -> bytes:
    """A small JPEG, a new one each call (an upload of the same bytes is a retry: 200, not 201)."""
    buf = io.BytesIO()
    Image.new("RGB", size, tuple(random.randrange(256) for _ in range(3))).save(buf, "JPEG")
    return buf.getvalue()


def _report_at(spot: tuple[float, float], **extra: Any) -> dict[str, Any]:
    lon, lat = spot
    return report_body(**{"location.lon": lon, "location.lat": lat, "access_route.path": None,
                          "access_route.obstacles": [], "place.name": f"화장실 {uuid.uuid4().hex[:6]}", **extra})


@dataclass
class World:
    headers: dict[str, dict[str, str]]  # role → request headers
    ids: dict[str, str] = field(default_factory=dict)  # what a path parameter can name
    usernames: dict[str, str] = field(default_factory=dict)


ROLES = ("anonymous", "volunteer", "other_volunteer", "moderator", "moderator_no_claim", "exporter", "api_key",
         "admin")


def raise_rate_limits(settings):
    """Settings whose abuse limits (rate_limit_*) are far above anything a test sends."""
    high = {name: "1000000/minute" for name in type(settings).model_fields if name.startswith("rate_limit_")
            and name not in ("rate_limit_strategy", "rate_limit_pool_size")}
    return settings.model_copy(update=high)


def build_world(client: TestClient, db) -> World:
    def ok(r, status=200):
        assert r.status_code == status, r.text
        return r.json()

    vol, other = join_and_login(client), join_and_login(client)
    names = {role: make_account(db, role.split("_")[0]) for role in ("moderator", "moderator_no_claim",
                                                                     "exporter", "admin")}
    mod, mod2, exp, admin = (login(client, names[r], "correct horse") for r in
                             ("moderator", "moderator_no_claim", "exporter", "admin"))
    exporter_id = ok(client.get("/api/v1/me", headers=exp))["id"]
    key = ok(client.post("/api/v1/admin/api-keys", json={"account_id": exporter_id, "label": "matrix"},
                         headers=admin), 201)

    def submit(spot):
        return ok(client.post("/api/v1/reports", json=_report_at(spot), headers=vol), 201)["id"]

    def claim(report_id):
        items = ok(client.post("/api/v1/moderation/claims", json={"count": 1}, headers=mod))["items"]
        assert [i["id"] for i in items] == [report_id]

    def upload(report_id):
        queued = ok(client.post(f"/api/v1/reports/{report_id}/photos", data={"kind": "door"},
                                files={"file": ("p.jpg", jpeg(), "image/jpeg")}, headers=vol), 202)
        run_queued_jobs(db.connection(), client.app.state.settings)  # the photo's job, in-process
        return ok(client.get(queued["url"], headers=vol))["result"]

    published = submit(_SPOTS[0])
    upload(published)
    claim(published)
    toilet = ok(client.post(f"/api/v1/moderation/reports/{published}/decision", json={"action": "approve"},
                            headers=mod))["toilet_id"]
    merged = submit(_SPOTS[1])
    claim(merged)
    review = ok(client.post(f"/api/v1/moderation/reports/{merged}/decision",
                            json={"action": "merge", "merge_into": toilet}, headers=mod))["review"]["id"]
    sent_back = submit(_SPOTS[2])
    claim(sent_back)
    ok(client.post(f"/api/v1/moderation/reports/{sent_back}/decision",
                   json={"action": "request_changes", "message": "사진을 더 찍어 주세요."}, headers=mod))
    claimed = submit(_SPOTS[3])
    claim(claimed)
    owned = submit(_SPOTS[4])
    photo = upload(owned)["id"]
    queued = ok(client.post("/api/v1/exports/snapshots", json={}, headers=exp), 202)
    run_queued_jobs(db.connection(), client.app.state.settings)  # the snapshot's job, in-process
    snapshot = ok(client.get(ok(client.get(queued["url"], headers=exp))["result_url"], headers=exp))
    organisation = ok(client.post("/api/v1/organisations", json={"code": "WORLD-ORG", "name": "세계 단체",
                                                              "participant_target": 10}, headers=admin), 201)
    partner = ok(client.post("/api/v1/partners", json={"name": "세계 협력 기관"}, headers=admin), 201)
    partner_moderator = ok(client.get("/api/v1/me", headers=mod2))["id"]
    ok(client.put(f"/api/v1/partners/{partner['id']}/moderators/{partner_moderator}", headers=admin))
    main_photo = ok(client.get(f"/api/v1/toilets/{toilet}"))["properties"]
    feature_photo = client.get("/api/v1/exports/toilets.geojson?profile=geojson", headers=exp).json()
    photo_name = feature_photo["features"][0]["properties"]["main_photo_url"].rsplit("/", 1)[1]
    assert main_photo["id"] == toilet
    job = _volunteers_job(db, ok(client.get("/api/v1/me", headers=vol))["id"])
    mission = _open_mission(db)
    return World(
        headers={"anonymous": {}, "volunteer": vol, "other_volunteer": other, "moderator": mod,
                 "moderator_no_claim": mod2, "exporter": exp, "api_key": {"X-API-Key": key["key"]}, "admin": admin},
        ids={"owned_report": str(owned), "claimed_report": str(claimed), "sent_back_report": str(sent_back),
             "published_report": str(published), "photo": photo, "toilet": toilet, "review": str(review),
             "snapshot": snapshot["id"], "snapshot_file": snapshot["links"]["file"].rsplit("/", 1)[1],
             "job": job, "api_key": str(key["id"]), "exporter_account": str(exporter_id), "preview_photo": photo_name,
             "volunteer_name": ok(client.get("/api/v1/me", headers=vol))["username"],
             "other_volunteer_account": str(ok(client.get("/api/v1/me", headers=other))["id"]),
             "organisation": str(organisation["id"]), "partner": str(partner["id"]),
             "partner_moderator": str(partner_moderator), "mission": str(mission)},
        usernames=names,
    )


def _open_mission(db) -> int:
    """An open gap mission: a listed toilet at City Hall with a disabled-use stall."""
    from sqlalchemy import text

    record = db.execute(text(
        "INSERT INTO reference_toilets (management_no, name, raw, district_code, disabled_stalls, location) "
        "VALUES ('WORLD-1', '세계 공중화장실', '{}', '11140', 1, ST_SetSRID(ST_MakePoint(126.978, 37.5665), 4326)) "
        "RETURNING id")).scalar_one()
    return db.execute(text("INSERT INTO missions (kind, reference_toilet_id, district_code) "
                           "VALUES ('gap', :r, '11140') RETURNING id"), {"r": record}).scalar_one()


def _volunteers_job(db, volunteer_id: int) -> str:
    """A job the volunteer owns (not queued: the matrix is about who may read it)."""
    from jobs.service import create_job

    job, _ = create_job(db, kind="photo", owner_id=volunteer_id, params={}, enqueue=False)
    db.flush()
    return str(job.id)
