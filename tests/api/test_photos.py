"""Photo intake: content-type by content, limits, EXIF really gone, orientation applied, access.
The header checks answer at once; the rest runs as the photo's job (in-process here, exactly as a
worker runs it; tests/jobs/test_photo_job.py goes through a real worker process)."""

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

from tests.factories import count_rows, join_and_login, login, make_account, report_body
from tests.workers import follow


def jpeg_with_gps_and_rotation(width=400, height=200) -> bytes:
    img = Image.new("RGB", (width, height), (200, 30, 30))
    img.paste((30, 30, 200), (0, 0, width // 2, height))  # left half blue: tells orientation apart
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° CW to display
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (37.0, 33.0, 58.0), 3: "E", 4: (126.0, 58.0, 40.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def encoded(fmt: str, size=(64, 48), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, fmt)
    return out.getvalue()


@pytest.fixture
def owned_report(client):
    headers = join_and_login(client)
    report = client.post("/api/v1/reports", headers=headers, json=report_body()).json()
    return headers, report["id"]


def upload(client, headers, report_id, data: bytes, kind="door", filename="p.jpg", content_type="image/jpeg"):
    return client.post(f"/api/v1/reports/{report_id}/photos", headers=headers,
                       files={"file": (filename, data, content_type)}, data={"kind": kind})


def uploaded(client, headers, report_id, data: bytes, *, connection, settings, **kwargs) -> dict:
    """Upload (202), run the photo's job in-process, and return the photo (the job's result)."""
    r = upload(client, headers, report_id, data, **kwargs)
    assert r.status_code == 202, r.text
    job = follow(client, r, headers=headers, connection=connection, settings=settings)
    assert job["status"] == "succeeded", job
    return job["result"]


def test_exif_is_stripped_and_orientation_applied(client, db, connection, settings, owned_report):
    headers, report_id = owned_report
    raw = jpeg_with_gps_and_rotation()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the upload really carries GPS
    r = upload(client, headers, report_id, raw)
    assert r.status_code == 202 and r.json()["status"] == "queued", r.text
    assert count_rows(db, "job_uploads") == 1  # the original is kept before the answer
    job = follow(client, r, headers=headers, connection=connection, settings=settings)
    assert job["status"] == "succeeded" and job["result_url"] == job["result"]["url"]
    assert count_rows(db, "job_uploads") == 0  # and let go with the photo's commit (it carries GPS)
    photo = job["result"]
    assert photo["kind"] == "door" and photo["content_type"] == "image/jpeg"
    stored_files = sorted(Path(settings.photo_dir, str(report_id)).iterdir())
    assert len(stored_files) == 2  # the photo and its thumbnail
    for path in stored_files:
        data = path.read_bytes()
        assert b"Exif" not in data and b"PhoneMaker" not in data
        img = Image.open(path)
        assert len(img.getexif()) == 0 and "exif" not in img.info
    full = Image.open(next(p for p in stored_files if ".thumb." not in p.name))
    assert full.size == (200, 400)  # rotated upright
    top_left, bottom_left = full.getpixel((10, 10)), full.getpixel((10, 390))
    assert top_left[2] > 150 and bottom_left[0] > 150  # blue half moved to the top after rotating CW
    fetched = client.get(photo["url"], headers=headers)
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in fetched.content
    thumb = Image.open(io.BytesIO(client.get(photo["thumb_url"], headers=headers).content))
    assert max(thumb.size) <= settings.photo_thumb_side_px


@pytest.mark.parametrize("fmt, content_type", [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_accepted_by_content(client, connection, settings, owned_report, fmt, content_type):
    headers, report_id = owned_report
    # The declared type lies on purpose: the content decides.
    photo = uploaded(client, headers, report_id, encoded(fmt), filename="x.jpg", content_type="image/jpeg",
                     connection=connection, settings=settings)
    assert photo["content_type"] == content_type


def test_large_photos_are_resized(client, connection, settings, owned_report):
    headers, report_id = owned_report
    photo = uploaded(client, headers, report_id, encoded("JPEG", size=(4000, 3000)), connection=connection,
                     settings=settings)
    assert max(photo["width_px"], photo["height_px"]) == settings.photo_max_side_px


@pytest.mark.parametrize("data, status, code", [
    (b"just text, not an image", 415, "unsupported_image"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 200, 415, "unsupported_image"),  # a JPEG header and nothing else
    (encoded("GIF"), 415, "unsupported_image"),
    (encoded("BMP"), 415, "unsupported_image"),
    (b"", 422, "empty_file"),
])
def test_non_images_are_rejected_by_content(client, db, owned_report, data, status, code):
    headers, report_id = owned_report
    r = upload(client, headers, report_id, data, content_type="image/jpeg")
    assert r.status_code == status, r.text
    assert r.json()["code"] == code and r.json()["message_ko"]
    assert count_rows(db, "report_photos") == 0 and count_rows(db, "jobs") == 0


def test_decompression_bomb_is_refused(client, db, owned_report):
    headers, report_id = owned_report
    bomb = encoded("PNG", size=(12_000, 12_000), mode="1")  # tiny file, 144 M pixels
    assert len(bomb) < 1_000_000
    r = upload(client, headers, report_id, bomb, content_type="image/png")
    assert r.status_code == 413 and r.json()["code"] == "photo_too_many_pixels"
    assert count_rows(db, "report_photos") == 0


def test_oversized_upload_is_413(client, db, settings, owned_report):
    headers, report_id = owned_report
    r = upload(client, headers, report_id, b"\xff" * (settings.photo_max_bytes + 10))
    assert r.status_code == 413
    assert count_rows(db, "report_photos") == 0


def test_kind_must_be_known(client, db, owned_report):
    headers, report_id = owned_report
    r = upload(client, headers, report_id, encoded("JPEG"), kind="selfie")
    assert r.status_code == 422 and r.json()["fields"][0]["path"] == "kind"
    assert count_rows(db, "report_photos") == 0


def test_a_file_whose_header_passes_but_whose_pixels_do_not_fails_its_job(client, db, connection, settings,
                                                                          owned_report):
    """What only decoding finds is the job's error (the same code and words), and the original is kept."""
    headers, report_id = owned_report
    whole = encoded("JPEG", size=(300, 300))
    truncated = whole[: len(whole) // 2]  # a whole header, half the pixels gone
    r = upload(client, headers, report_id, truncated)
    assert r.status_code == 202, r.text
    job = follow(client, r, headers=headers, connection=connection, settings=settings)
    assert job["status"] == "failed" and job["error_status"] == 415, job
    assert job["error"]["code"] == "unsupported_image" and job["error"]["message_ko"] and job["error"]["message_en"]
    assert count_rows(db, "report_photos") == 0 and count_rows(db, "job_uploads") == 1
    assert not any(Path(settings.photo_dir).rglob("*.*"))  # its staged files are gone


def test_who_may_upload_and_see_photos(client, db, connection, settings, owned_report):
    headers, report_id = owned_report
    photo = uploaded(client, headers, report_id, encoded("JPEG"), connection=connection, settings=settings)
    stranger = join_and_login(client)
    assert upload(client, stranger, report_id, encoded("JPEG")).status_code == 404
    assert client.get(photo["url"], headers=stranger).status_code == 404
    moderator = login(client, make_account(db, "moderator"), "correct horse")
    exporter = login(client, make_account(db, "exporter"), "correct horse")
    assert client.get(photo["url"], headers=moderator).status_code == 200
    assert upload(client, moderator, report_id, encoded("JPEG")).status_code == 403
    assert client.get(photo["url"], headers=exporter).status_code in (403, 404)
    assert client.get(photo["url"]).status_code == 401
    listed = client.get(f"/api/v1/reports/{report_id}/photos", headers=headers).json()
    assert [p["id"] for p in listed] == [photo["id"]]
    assert count_rows(db, "report_photos") == 1


def test_no_photos_once_review_started(client, db, owned_report):
    headers, report_id = owned_report
    db.execute(text("UPDATE reports SET status = 'in_review' WHERE id = :i"), {"i": report_id})
    r = upload(client, headers, report_id, encoded("JPEG"))
    assert r.status_code == 409 and r.json()["code"] == "report_locked"
