"""The export endpoints over HTTP: who may pull, ETag/304, streaming headers, API keys, snapshots."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

from sqlalchemy import select

from accounts.models import Account
from core.audit import AuditEntry
from exports.models import ApiKey
from tests.factories import login, make_account
from tests.workers import snapshot_via_api
from tests.exports.helpers import publish, report_with_photos
from toilets.service import create_toilet

URL = "/api/v1/exports/toilets.geojson"


def _error_shape(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "message_ko", "message_en", "fields"} and body["message_ko"] and body["message_en"]
    if code:
        assert body["code"] == code
    return body


def _admin(client, db):
    return login(client, make_account(db, "admin"), "correct horse")


def _account_id(db, username: str) -> int:
    return db.scalar(select(Account.id).where(Account.username == username))


def test_only_exporters_and_admins_may_pull(client, db):
    publish(db)
    _error_shape(client.get(URL), 401)
    for role in ("volunteer", "moderator"):
        headers = login(client, make_account(db, role), "correct horse")
        _error_shape(client.get(URL, headers=headers), 403, "forbidden_role")
    for role in ("exporter", "admin"):
        r = client.get(URL, headers=login(client, make_account(db, role), "correct horse"))
        assert r.status_code == 200 and len(r.json()["features"]) == 1
    _error_shape(client.get(URL, headers={"X-API-Key": "rk_nothere_secret"}), 401, "invalid_api_key")


def test_api_keys_created_hashed_audited_and_revoked(client, db):
    publish(db)
    admin = _admin(client, db)
    exporter = make_account(db, "exporter")
    volunteer = make_account(db, "volunteer")
    r = client.post("/api/v1/admin/api-keys", json={"account_id": _account_id(db, volunteer), "label": "x"},
                    headers=admin)
    _error_shape(r, 422, "not_an_exporter")
    r = client.post("/api/v1/admin/api-keys", json={"account_id": _account_id(db, exporter), "label": "map team"},
                    headers=login(client, exporter, "correct horse"))
    _error_shape(r, 403)
    r = client.post("/api/v1/admin/api-keys", json={"account_id": _account_id(db, exporter), "label": "map team"},
                    headers=admin)
    assert r.status_code == 201, r.text
    key, key_id = r.json()["key"], r.json()["id"]
    row = db.get(ApiKey, key_id)
    assert key not in (row.key_hash, row.prefix) and row.key_hash == hashlib.sha256(key.split("_", 2)[2].encode()).hexdigest()
    listed = client.get("/api/v1/admin/api-keys", headers=admin).json()
    assert "key" not in listed[0] and listed[0]["prefix"] == row.prefix
    pulled = client.get(URL, headers={"X-API-Key": key})
    assert pulled.status_code == 200 and len(pulled.json()["features"]) == 1
    _error_shape(client.get(URL, headers={"X-API-Key": key[:-2] + "zz"}), 401)
    assert client.delete(f"/api/v1/admin/api-keys/{key_id}", headers=admin).json()["revoked_at"]
    _error_shape(client.get(URL, headers={"X-API-Key": key}), 401, "invalid_api_key")
    _error_shape(client.delete(f"/api/v1/admin/api-keys/{key_id}", headers=admin), 409)
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "api_key",
                                                         AuditEntry.object_id == str(key_id))).all()
    assert sorted(actions) == ["api_key.create", "api_key.revoke"]


def test_etag_304_and_last_modified(client, db):
    publish(db)
    headers = login(client, make_account(db, "exporter"), "correct horse")
    first = client.get(URL, headers=headers)
    etag = first.headers["etag"]
    assert first.headers["last-modified"].endswith("GMT") and first.headers["x-reachable-seq"]
    assert first.headers["content-type"].startswith("application/geo+json")
    again = client.get(URL, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = client.get(URL + "?profile=geojson", headers={**headers, "If-None-Match": etag})
    assert other.status_code == 200  # another representation, another tag
    publish(db, lon=127.0473, lat=37.5172)
    changed = client.get(URL, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag and len(changed.json()["features"]) == 2


def test_csv_endpoint_streams_without_bom_and_with_bom_on_request(client, db):
    publish(db)
    headers = login(client, make_account(db, "exporter"), "correct horse")
    r = client.get("/api/v1/exports/toilets.csv", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert not r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"), newline="")))
    assert len(rows) == 1 and rows[0]["cot_gu_name"] == "중구"
    assert client.get("/api/v1/exports/toilets.csv?bom=true", headers=headers).content.startswith(b"\xef\xbb\xbf")
    since = client.get("/api/v1/exports/routes.csv?profile=geojson&since=0", headers=headers)
    assert list(csv.DictReader(io.StringIO(since.text)))[0]["x_change"] == "upsert"
    body = _error_shape(client.get("/api/v1/exports/toilets.csv?district=Busan", headers=headers), 422)
    assert body["fields"][0]["path"] == "district"
    _error_shape(client.get("/api/v1/exports/toilets.kml", headers=headers), 422)
    wrapper = client.get("/api/v1/exports/toilets.json", headers=headers).json()
    assert wrapper["header"]["TOTAL_COUNT"] == "1"


def test_snapshot_via_api_lists_downloads_and_bundles_photos(client, db, connection, settings):
    report, body, photos = report_with_photos(db, settings, kinds=("entrance",))
    create_toilet(db, payload=body, report_id=report.id, review_id=None)
    publish(db, lon=127.0473, lat=37.5172, main_photo=False, **{"place.lot_address": None})  # no photo, no lot address
    db.flush()
    headers = login(client, make_account(db, "exporter"), "correct horse")
    _error_shape(client.post("/api/v1/exports/snapshots", json={"layer": "toilets"}), 401)
    job, snap = snapshot_via_api(client, headers, {"layer": "toilets", "profile": "smart-seoul-map", "format": "csv"},
                                 connection=connection, settings=settings)
    assert job["status"] == "succeeded" and job["result"]["snapshot_id"] == snap["id"], job
    manifest = snap["manifest"]
    # only the complete toilet is in the file; the other is listed as left out, with why
    assert manifest["feature_count"] == 1 and manifest["seq"] >= 1 and manifest["profile"] == "smart-seoul-map"
    assert manifest["photos"]["files"] == [f"{photos[0].id}.png"]
    check = manifest["consumer_check"]
    assert check["ok"] and check["rows_imported"] == 1 and check["dropped"] == []
    assert {r["code"] for r in manifest["excluded"]["items"][0]["reasons"]} == {"blank_image", "blank_lot_address"}
    assert [s["id"] for s in client.get("/api/v1/exports/snapshots", headers=headers).json()] == [snap["id"]]
    data = client.get(snap["links"]["file"], headers=headers).content
    assert hashlib.sha256(data).hexdigest() == manifest["sha256"] == snap["sha256"]
    photo = client.get(f"/api/v1/exports/snapshots/{snap['id']}/files/photos/{photos[0].id}.png", headers=headers)
    assert photo.status_code == 200 and photo.content[:4] == b"\x89PNG"
    _error_shape(client.get(f"/api/v1/exports/snapshots/{snap['id']}/files/../../etc/passwd", headers=headers), 404)
    bundle = client.get(snap["links"]["bundle"], headers=headers)
    zf = zipfile.ZipFile(io.BytesIO(bundle.content))
    assert sorted(zf.namelist()) == sorted([manifest["file"], "manifest.json", f"photos/{photos[0].id}.png"])
    assert hashlib.sha256(zf.read(manifest["file"])).hexdigest() == manifest["sha256"]
    assert json.loads(zf.read("manifest.json"))["sha256"] == manifest["sha256"]
