"""The volunteer's own events are audited (issue 12.3): a submission, a revision, a photo upload,
each one audit row naming who, what and which object, written in the transaction of the change."""

from __future__ import annotations

import copy

from sqlalchemy import text

from accounts.service import create_account
from mobile_schema.registry import default_registry
from reports import service
from tests.factories import count_rows, join_and_login, report_body
from tests.moderation.helpers import claim_one, decide, moderator


def _audit(db, action: str):
    return db.execute(text("SELECT a.actor_id, ac.username, a.object_type, a.object_id, a.detail FROM audit_log a "
                           "LEFT JOIN accounts ac ON ac.id = a.actor_id WHERE a.action = :a ORDER BY a.id"),
                      {"a": action}).all()


def test_a_submission_is_audited_once_under_its_volunteer(client, db):
    headers = join_and_login(client, "감사제보자")
    body = report_body()
    first = client.post("/api/v1/reports", json=body, headers=headers)
    assert first.status_code == 201
    assert client.post("/api/v1/reports", json=body, headers=headers).status_code == 200  # a retry
    invalid = report_body(**{"toilet.door_clear_width_cm": -5})
    assert client.post("/api/v1/reports", json=invalid, headers=headers).status_code == 422
    rows = _audit(db, "report.submit")
    assert len(rows) == 1  # the retry and the refused body wrote nothing
    _, who, object_type, object_id, detail = rows[0]
    assert (who, object_type, object_id) == ("감사제보자", "report", str(first.json()["id"]))
    assert detail["client_submission_id"] == body["client_submission_id"] and detail["schema_version"] == 1


def test_the_audit_row_goes_with_the_submission_when_its_transaction_rolls_back(db, settings):
    volunteer = create_account(db, username="되돌림봉사자", password="correct horse", role="volunteer",
                               age_band="30s")
    before = count_rows(db, "reports"), count_rows(db, "audit_log")
    nested = db.begin_nested()
    service.submit_report(db, volunteer=volunteer, body=copy.deepcopy(report_body()), registry=default_registry(),
                          settings=settings)
    assert count_rows(db, "audit_log") == before[1] + 1
    nested.rollback()
    assert (count_rows(db, "reports"), count_rows(db, "audit_log")) == before


def test_a_revision_is_audited_under_its_volunteer(client, db):
    headers = join_and_login(client, "감사수정자")
    report_id = client.post("/api/v1/reports", json=report_body(), headers=headers).json()["id"]
    mod = moderator(db, client)
    claim_one(client, mod, report_id)
    assert decide(client, mod, report_id, action="request_changes", message="문 폭을 다시 재 주세요").status_code == 200
    fixed = report_body(**{"toilet.door_clear_width_cm": 92})
    assert client.post(f"/api/v1/reports/{report_id}/revisions", json=fixed, headers=headers).status_code == 201
    assert client.post(f"/api/v1/reports/{report_id}/revisions", json=fixed, headers=headers).status_code == 200
    rows = _audit(db, "report.revise")
    assert [(r.username, r.object_type, r.object_id, r.detail["revision"]) for r in rows] == [
        ("감사수정자", "report", str(report_id), 2)]  # the original is revision 1


def test_a_photo_upload_is_audited_under_its_volunteer_once_the_worker_records_it(client, db, connection,
                                                                                 settings):
    """The upload answers 202 and a worker makes the photo (issue 14.3): the audit row is written with
    the photo, under the report's volunteer, and a retry of the same bytes writes none."""
    from tests.api.test_photos import encoded, upload
    from tests.workers import follow

    headers = join_and_login(client, "감사사진가")
    report_id = client.post("/api/v1/reports", json=report_body(), headers=headers).json()["id"]
    data = encoded("JPEG", size=(640, 480))
    r = upload(client, headers, report_id, data)
    assert r.status_code == 202
    assert _audit(db, "photo.upload") == []  # nothing recorded until the photo is made
    photo = follow(client, r, headers=headers, connection=connection, settings=settings)["result"]
    assert upload(client, headers, report_id, data).status_code in (200, 202)  # a retry of the same bytes
    follow(client, r, headers=headers, connection=connection, settings=settings)
    rows = _audit(db, "photo.upload")
    assert [(r.username, r.object_type, r.object_id) for r in rows] == [("감사사진가", "photo", photo["id"])]
    assert rows[0].detail["report_id"] == report_id and rows[0].detail["kind"] == "door"
    refused = upload(client, join_and_login(client, "남의사진가"), report_id, data)
    assert refused.status_code in (403, 404) and len(_audit(db, "photo.upload")) == 1
