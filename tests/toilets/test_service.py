from sqlalchemy import select

from tests.factories import report_body
from toilets.models import ChangeLogEntry, ToiletRoute
from toilets.service import create_toilet, retire_toilet, update_toilet, versions_of


def test_create_update_retire_writes_versions_and_change_log(db):
    body = report_body()
    toilet = create_toilet(db, payload=body, report_id=None, review_id=None)
    assert toilet.verdict == "accessible" and toilet.district_code == "11140"
    changed = report_body(**{"toilet.grab_bars": "one_side"})
    update_toilet(db, toilet=toilet, payload=changed, report_id=None, review_id=None)
    assert toilet.version == 2 and toilet.verdict == "partially_accessible"
    retire_toilet(db, toilet=toilet, reason="closed for works", report_id=None, review_id=None)
    assert toilet.status == "retired"
    assert [v.version for v in versions_of(db, toilet.id)] == [1, 2, 3]
    log = db.scalars(select(ChangeLogEntry).where(ChangeLogEntry.entity_id == toilet.id)
                     .order_by(ChangeLogEntry.seq)).all()
    assert [(e.entity, e.op) for e in log] == [
        ("toilet", "create"), ("route", "create"), ("route", "update"), ("toilet", "update"),
        ("route", "retire"), ("toilet", "retire")]
    assert all(a.seq < b.seq for a, b in zip(log, log[1:], strict=False))
    assert db.get(ToiletRoute, toilet.id).status == "retired"
    assert "path" not in toilet.data["access_route"]
