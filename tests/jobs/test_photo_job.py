"""Photos through real worker processes: the upload answers 202 once the original bytes are in the
database; a worker makes the photo; a worker killed mid-photo loses nothing and doubles nothing."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.test_photos import encoded, jpeg_with_gps_and_rotation, upload
from tests.factories import join_and_login, report_body
from tests.workers import job_status, wait_for, wait_until_finished


def _count(engine, sql: str, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_an_upload_is_processed_by_a_worker_and_followed_at_its_job_url(committed_app, committed_engine,
                                                                       job_worker, settings):
    with TestClient(committed_app) as client:
        headers = join_and_login(client)
        report_id = client.post("/api/v1/reports", headers=headers, json=report_body()).json()["id"]
        r = upload(client, headers, report_id, jpeg_with_gps_and_rotation())
        assert r.status_code == 202 and r.headers["Location"] == r.json()["url"], r.text
        assert wait_until_finished(committed_engine, r.json()["id"]) == "succeeded", job_worker.log()
        job = client.get(r.headers["Location"], headers=headers).json()
        photo = client.get(job["result_url"], headers=headers)
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
        assert b"Exif" not in photo.content  # the worker stripped it
        listed = client.get(f"/api/v1/reports/{report_id}/photos", headers=headers).json()
        assert [p["id"] for p in listed] == [job["result"]["id"]]
    assert _count(committed_engine, "SELECT count(*) FROM job_uploads") == 0


def test_a_worker_killed_mid_photo_loses_nothing_and_doubles_nothing(committed_app, committed_engine,
                                                                    start_worker, settings):
    with TestClient(committed_app) as client:
        headers = join_and_login(client)
        report_id = client.post("/api/v1/reports", headers=headers, json=report_body()).json()["id"]
        r = upload(client, headers, report_id, encoded("JPEG", size=(640, 480)))
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        assert _count(committed_engine, "SELECT count(*) FROM job_uploads WHERE job_id = :j", j=job_id) == 1
        # Hold the report row: the worker decodes and stages the photo, then waits to record it.
        holder = committed_engine.connect()
        holder.execute(text("SELECT id FROM reports WHERE id = :id FOR UPDATE"), {"id": report_id})
        try:
            first = start_worker(name="first")
            wait_for(lambda: _count(committed_engine, "SELECT count(*) FROM pg_stat_activity WHERE "
                                    "wait_event_type = 'Lock' AND datname = current_database()"),
                     what="the worker waiting to record the photo")
            assert job_status(committed_engine, job_id) == "running"
            first.kill()
        finally:
            holder.rollback()
            holder.close()
        # The original survived the crash; no photo was recorded.
        assert _count(committed_engine, "SELECT count(*) FROM job_uploads WHERE job_id = :j", j=job_id) == 1
        assert _count(committed_engine, "SELECT count(*) FROM report_photos") == 0

        second = start_worker(name="second")
        assert wait_until_finished(committed_engine, job_id) == "succeeded", second.log()
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        assert job["attempts"] == 2
        assert client.get(job["result_url"], headers=headers).status_code == 200
    assert _count(committed_engine, "SELECT count(*) FROM report_photos") == 1
    assert _count(committed_engine, "SELECT count(*) FROM job_uploads") == 0
    folder = Path(settings.photo_dir, str(report_id))
    named = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert len(named) == 2  # the photo and its thumbnail, once; the killed run's staged files are .part
