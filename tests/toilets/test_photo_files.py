"""A toilet shows the photos of the report behind its latest version that had one, stored when
that version is published (exports and the preview read `toilets.photo_files`)."""

from __future__ import annotations

from tests.exports.helpers import export_json, report_with_photos
from toilets.service import create_toilet, retire_toilet, update_toilet


def test_publishing_stores_the_reports_photos_in_display_order(db, settings):
    report, body, photos = report_with_photos(db, settings, kinds=("interior", "route", "entrance", "other", "door"))
    toilet = create_toilet(db, payload=body, report_id=report.id, review_id=None)
    db.flush()
    by_kind = {p.kind: f"{p.id}.png" for p in photos}
    assert toilet.photo_files == [by_kind[k] for k in ("entrance", "door", "interior", "route", "other")]


def test_photos_of_one_kind_keep_their_upload_order(db, settings):
    report, body, photos = report_with_photos(db, settings, kinds=("door", "door", "door"))
    toilet = create_toilet(db, payload=body, report_id=report.id, review_id=None)
    db.flush()
    assert toilet.photo_files == [f"{p.id}.png" for p in sorted(photos, key=lambda p: (p.uploaded_at, str(p.id)))]


def test_a_later_report_replaces_the_photos_and_a_change_without_one_keeps_them(db, settings):
    first, body, first_photos = report_with_photos(db, settings, kinds=("entrance",))
    toilet = create_toilet(db, payload=body, report_id=first.id, review_id=None)
    second, body2, second_photos = report_with_photos(db, settings, kinds=("door", "entrance"))
    update_toilet(db, toilet=toilet, payload=body2, report_id=second.id, review_id=None)
    db.flush()
    assert toilet.photo_files == [f"{second_photos[1].id}.png", f"{second_photos[0].id}.png"]

    update_toilet(db, toilet=toilet, payload=body2, report_id=None, review_id=None)  # an edit with no report
    retire_toilet(db, toilet=toilet, reason="철거", report_id=None, review_id=None)
    db.flush()
    db.refresh(toilet)
    assert toilet.photo_files == [f"{second_photos[1].id}.png", f"{second_photos[0].id}.png"]

    # the retired toilet stays in the smart-seoul-map file with the photos it had
    item = export_json(db, settings, layer="toilets", fmt="json", profile="smart-seoul-map")["body"][0]
    assert item["COT_IMG_MAIN_URL"] == f"/reachable/photos/{second_photos[1].id}.png"
    assert item["COT_VALUE_03"].startswith("사용불가")


def test_a_later_report_without_photos_leaves_the_toilet_without_photos(db, settings):
    first, body, _ = report_with_photos(db, settings, kinds=("entrance",))
    toilet = create_toilet(db, payload=body, report_id=first.id, review_id=None)
    bare, body2, _ = report_with_photos(db, settings, kinds=())
    update_toilet(db, toilet=toilet, payload=body2, report_id=bare.id, review_id=None)
    db.flush()
    db.refresh(toilet)
    # old photos may show what the new report says has changed: none rather than stale ones
    assert toilet.photo_files == []
