"""Issue 12 item 6: a toilet nobody re-verifies ages visibly in the exports, marked with its date
(the API's verified_age and the finder have their own tests: tests/api/test_finder_query.py,
tests/finder/test_finder_page.py)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import text

from tests.exports.helpers import export_bytes, export_json, publish


def test_the_geojson_and_csv_exports_say_when_each_toilet_is_due_for_re_verification(db, settings):
    old, fresh = publish(db), publish(db, lon=126.99, lat=37.57)
    db.execute(text("UPDATE toilets SET last_verified_at = '2024-05-01T10:00:00+09:00' WHERE id = :id"), {"id": old.id})
    features = export_json(db, settings, layer="toilets", fmt="geojson", profile="geojson")["features"]
    due = {f["properties"]["id"]: f["properties"]["reverify_due_on"] for f in features}
    assert due[str(old.id)] == "2025-05-01"  # 12 months (REVERIFY_AFTER_MONTHS) after, in Seoul time
    assert date.fromisoformat(due[str(fresh.id)]) > date.today() + timedelta(days=300)
    rows = list(csv.DictReader(io.StringIO(export_bytes(db, settings, layer="toilets", fmt="csv",
                                                        profile="geojson").decode("utf-8"))))
    assert {r["id"]: r["reverify_due_on"] for r in rows} == due
    short = settings.model_copy(update={"reverify_after_months": 3})
    features = export_json(db, short, layer="toilets", fmt="geojson", profile="geojson")["features"]
    assert {f["properties"]["id"]: f["properties"]["reverify_due_on"] for f in features}[str(old.id)] == "2024-08-01"
