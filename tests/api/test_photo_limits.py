"""Photos with a bounded cost: reduced decoding, pixel caps read from the header before the 202,
no decoding in the request (a worker's job does it, with no transaction open meanwhile), and files
that match their rows (reports/images.py, reports/photos.py, jobs/tasks.py)."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.app import create_app
from reports.images import decode_reduced
from reports.photos import recover_photo_files, stage_photo
from tests.api.test_photos import encoded, upload, uploaded
from tests.factories import count_rows, join_and_login, report_body
from tests.workers import follow, run_queued_jobs


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def owned_report(client):
    headers = join_and_login(client)
    report = client.post("/api/v1/reports", headers=headers, json=report_body()).json()
    return headers, report["id"]


def wait_until(predicate, what: str, limit_s: float = 20.0) -> None:
    deadline = time.monotonic() + limit_s
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.01)


def test_jpeg_is_decoded_at_a_fraction_of_its_size(settings):
    raw = encoded("JPEG", size=(6000, 4000))
    with decode_reduced(raw, "JPEG", settings.photo_max_side_px) as img:
        assert img.size == (3000, 2000)  # DCT scaling 1/2: still ≥ 2048 on the fitting side
    with decode_reduced(encoded("PNG", size=(3000, 2000)), "PNG", settings.photo_max_side_px) as img:
        assert img.size == (3000, 2000)  # PNG cannot: hence its lower cap


def test_the_issues_png_bomb_is_refused_before_decoding(client, db, settings, owned_report):
    headers, report_id = owned_report
    bomb = encoded("PNG", size=(6324, 6324), mode="1")  # single colour, 40 M pixels
    assert len(bomb) < 200_000
    r = upload(client, headers, report_id, bomb, content_type="image/png")
    assert r.status_code == 413 and r.json()["code"] == "photo_too_many_pixels"
    assert r.json()["fields"][0]["path"] == "file"
    assert count_rows(db, "report_photos") == 0 and files_under(Path(settings.photo_dir)) == []


def test_formats_decoded_in_full_have_the_lower_cap(settings, database_url, connection, tmp_path):
    from sqlalchemy.orm import sessionmaker

    settings.photo_max_pixels, settings.photo_max_pixels_full_decode = 4_000_000, 1_000_000
    app = create_app(settings, database_url=database_url)
    app.state.session_factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                             expire_on_commit=False)
    with TestClient(app) as client:
        headers = join_and_login(client)
        report_id = client.post("/api/v1/reports", headers=headers, json=report_body()).json()["id"]
        png = upload(client, headers, report_id, encoded("PNG", size=(1500, 1000)), content_type="image/png")
        assert png.status_code == 413 and "1,000,000" in png.json()["fields"][0]["message_en"]
        jpeg = upload(client, headers, report_id, encoded("JPEG", size=(1500, 1000)))
        assert jpeg.status_code == 202, jpeg.text
        too_big = upload(client, headers, report_id, encoded("JPEG", size=(2500, 2000)))
        assert too_big.status_code == 413 and "4,000,000" in too_big.json()["fields"][0]["message_en"]
    app.state.engine.dispose()


def test_a_retried_upload_returns_the_photo_already_stored(client, db, connection, settings, owned_report):
    headers, report_id = owned_report
    raw = encoded("JPEG", size=(300, 200))
    first = upload(client, headers, report_id, raw)
    again = upload(client, headers, report_id, raw)  # the phone never heard the 202
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"] and count_rows(db, "jobs") == 1  # the same job
    photo = follow(client, first, headers=headers, connection=connection, settings=settings)["result"]
    later = follow(client, upload(client, headers, report_id, raw), headers=headers, connection=connection,
                   settings=settings)  # sent once more after it was done: a new job, the same photo
    assert later["status"] == "succeeded" and later["result"]["id"] == photo["id"]
    assert count_rows(db, "report_photos") == 1
    assert len(files_under(Path(settings.photo_dir))) == 2  # the photo and its thumbnail, once
    other_kind = uploaded(client, headers, report_id, raw, kind="interior", connection=connection, settings=settings)
    assert other_kind["id"] != photo["id"]


def test_the_request_decodes_nothing(client, db, settings, owned_report, monkeypatch):
    """The API reads the header only; pixels are decoded by a worker's job, never in a request."""
    import reports.images

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded in the request")

    monkeypatch.setattr(reports.images, "decode_reduced", no_decoding)
    headers, report_id = owned_report
    r = upload(client, headers, report_id, encoded("JPEG", size=(3000, 2000)))
    assert r.status_code == 202 and r.json()["status"] == "queued", r.text
    assert count_rows(db, "job_uploads") == 1 and files_under(Path(settings.photo_dir)) == []


def test_a_report_locked_before_its_photo_is_processed_leaves_no_file(client, db, connection, settings,
                                                                      owned_report):
    """A moderator claims the report while the photo waits in the queue: the job fails with
    report_locked after decoding, its staged files are gone, the original is kept."""
    headers, report_id = owned_report
    r = upload(client, headers, report_id, encoded("JPEG", size=(800, 600)))
    assert r.status_code == 202
    db.execute(text("UPDATE reports SET status = 'in_review' WHERE id = :i"), {"i": report_id})
    assert run_queued_jobs(connection, settings) == 1
    job = client.get(r.headers["Location"], headers=headers).json()
    assert job["status"] == "failed" and job["error"]["code"] == "report_locked" and job["error_status"] == 409
    assert count_rows(db, "report_photos") == 0 and count_rows(db, "job_uploads") == 1
    assert files_under(Path(settings.photo_dir)) == []


def test_recovery_renames_committed_photos_and_removes_orphans(client, db: Session, settings, owned_report):
    headers, report_id = owned_report
    root = Path(settings.photo_dir)
    # A crash between commit and rename: the row exists, the files are still .part.
    committed = stage_photo(encoded("JPEG", size=(120, 90)), report_id=report_id, settings=settings)
    db.execute(text("INSERT INTO report_photos (id, report_id, kind, content_type, width_px, height_px, byte_size, "
                    "sha256, storage_key, thumb_key) VALUES (:id, :r, 'door', 'image/jpeg', 120, 90, 1, :sha, "
                    ":key, :thumb)"),
               {"id": committed.photo_id, "r": report_id, "sha": committed.sha256, "key": committed.storage_key,
                "thumb": committed.thumb_key})
    db.commit()
    # A crash before the commit: files, no row; one old enough to be an orphan, one not yet.
    old = stage_photo(encoded("PNG", size=(50, 50)), report_id=report_id, settings=settings)
    fresh = stage_photo(encoded("WEBP", size=(50, 50)), report_id=report_id, settings=settings)
    for part in root.glob(f"{report_id}/.{old.photo_id}*.part"):
        stamp = time.time() - 7200
        os.utime(part, (stamp, stamp))
    assert all(name.rsplit("/", 1)[1].startswith(".") for name in files_under(root))

    done = recover_photo_files(db, settings, grace_s=3600)
    assert sorted(done.finalized) == sorted([committed.storage_key, committed.thumb_key])
    assert sorted(done.removed) == sorted(f"{report_id}/.{k.rsplit('/', 1)[1]}.part"
                                          for k in (old.storage_key, old.thumb_key))
    remaining = files_under(root)
    assert committed.storage_key in remaining and committed.thumb_key in remaining
    assert sum(str(fresh.photo_id) in name for name in remaining) == 2  # too young to judge
    r = client.get(f"/api/v1/reports/{report_id}/photos/{committed.photo_id}", headers=headers)
    assert r.status_code == 200 and Image.open(io.BytesIO(r.content)).size == (120, 90)


def test_a_photo_whose_rename_was_interrupted_is_still_served(client, db: Session, connection, settings,
                                                              owned_report):
    headers, report_id = owned_report
    photo = uploaded(client, headers, report_id, encoded("JPEG", size=(64, 48)), connection=connection,
                     settings=settings)
    full = next(Path(settings.photo_dir, str(report_id)).glob(f"{photo['id']}.jpg"))
    full.rename(full.with_name(f".{full.name}.part"))  # as if killed between commit and rename
    r = client.get(photo["url"], headers=headers)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert full.exists()


def test_a_retry_puts_back_the_files_of_the_photo_it_repeats(client, db: Session, connection, settings,
                                                             owned_report):
    headers, report_id = owned_report
    raw = encoded("JPEG", size=(64, 48))
    photo = uploaded(client, headers, report_id, raw, connection=connection, settings=settings)
    folder = Path(settings.photo_dir, str(report_id))
    full, thumb = folder / f"{photo['id']}.jpg", folder / f"{photo['id']}.thumb.jpg"
    full.rename(folder / f".{full.name}.part")  # killed between commit and rename
    thumb.unlink()  # or lost altogether
    again = follow(client, upload(client, headers, report_id, raw), headers=headers, connection=connection,
                   settings=settings)
    assert again["status"] == "succeeded" and again["result"]["id"] == photo["id"]
    assert files_under(Path(settings.photo_dir)) == sorted(str(p.relative_to(settings.photo_dir))
                                                           for p in (full, thumb))
    assert client.get(photo["thumb_url"], headers=headers).status_code == 200
