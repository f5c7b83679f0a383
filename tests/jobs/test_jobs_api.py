"""`GET /api/v1/jobs/{id}`: the job's owner and staff see it, with one typed shape; others get a
bilingual 403, an unknown or malformed id a bilingual 404."""

from __future__ import annotations

import uuid

from core.errors import fail
from jobs import service as jobs
from tests.factories import join_and_login, login, make_account


def _me(client, headers) -> int:
    return client.get("/api/v1/me", headers=headers).json()["id"]


def test_owner_and_staff_see_a_job_others_do_not(client, db):
    owner, stranger = join_and_login(client), join_and_login(client)
    moderator = login(client, make_account(db, "moderator"), "correct horse")
    exporter = login(client, make_account(db, "exporter"), "correct horse")
    job, created = jobs.create_job(db, kind="photo", owner_id=_me(client, owner), params={"report_id": 1},
                                   subject="report:1", idempotency_key="k1")
    db.flush()
    assert created and job.queue_job_id is not None  # queued in the same transaction

    r = client.get(f"/api/v1/jobs/{job.id}", headers=owner)
    assert r.status_code == 200 and r.headers["Retry-After"] == "1"
    body = r.json()
    assert body["status"] == "queued" and body["kind"] == "photo" and body["url"] == f"/api/v1/jobs/{job.id}"
    assert body["progress"] == {"phase": None, "done": 0, "total": None}
    assert body["result"] is None and body["error"] is None
    assert client.get(f"/api/v1/jobs/{job.id}", headers=moderator).status_code == 200

    for headers in (stranger, exporter):
        refused = client.get(f"/api/v1/jobs/{job.id}", headers=headers)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "job_not_yours"
        assert refused.json()["message_ko"] and refused.json()["message_en"]
    missing = client.get(f"/api/v1/jobs/{uuid.uuid4()}", headers=owner)
    assert missing.status_code == 404 and missing.json()["code"] == "job_not_found"
    assert "작업" in missing.json()["message_ko"] and "Job" in missing.json()["message_en"]
    bad = client.get("/api/v1/jobs/not-a-uuid", headers=owner)
    assert bad.status_code == 404 and bad.json()["code"] == "not_found"  # as every malformed id in a path
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 401


def test_the_same_idempotency_key_finds_the_job_still_open(client, db):
    owner = _me(client, join_and_login(client))
    first, created = jobs.create_job(db, kind="photo", owner_id=owner, params={}, idempotency_key="same")
    again, created_again = jobs.create_job(db, kind="photo", owner_id=owner, params={}, idempotency_key="same")
    assert (created, created_again) == (True, False) and first.id == again.id
    jobs.record_failure(db, first.id, fail("unsupported_image"))  # done: the key is free again
    later, created_later = jobs.create_job(db, kind="photo", owner_id=owner, params={}, idempotency_key="same")
    assert created_later and later.id != first.id
