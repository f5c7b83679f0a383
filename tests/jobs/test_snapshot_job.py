"""A snapshot asked for over the API is made by a real worker process: 202 with the job, the job
followed to `succeeded`, its result the snapshot, whose file is the one the manifest names."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.exports.helpers import publish
from tests.factories import login, make_account
from tests.workers import wait_until_finished


def test_a_snapshot_is_made_by_a_worker_and_followed_at_its_job_url(committed_app, committed_engine, job_worker):
    with Session(committed_engine) as db:
        publish(db)
        exporter_name = make_account(db, "exporter")
        db.commit()
    with TestClient(committed_app) as client:
        headers = login(client, exporter_name, "correct horse")
        r = client.post("/api/v1/exports/snapshots", json={"format": "geojson", "profile": "geojson"},
                        headers=headers)
        assert r.status_code == 202, r.text
        assert r.headers["Location"] == r.json()["url"] and r.json()["status"] == "queued"
        assert wait_until_finished(committed_engine, r.json()["id"]) == "succeeded", job_worker.log()
        job = client.get(r.headers["Location"], headers=headers).json()
        assert job["attempts"] == 1 and job["progress"]["phase"] == "done" and "Retry-After" not in job
        snap = client.get(job["result_url"], headers=headers).json()
        assert snap["id"] == job["result"]["snapshot_id"] and snap["feature_count"] == 1
        data = client.get(snap["links"]["file"], headers=headers).content
        assert hashlib.sha256(data).hexdigest() == snap["sha256"] == job["result"]["sha256"]
        assert b'"FeatureCollection"' in data
