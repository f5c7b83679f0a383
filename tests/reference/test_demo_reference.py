"""The demo loads the Seoul reference subset shipped in the package (not ../shared at run time)."""

from __future__ import annotations

from sqlalchemy import text

from demo.loader import load_demo
from tests.factories import login


def test_demo_loads_the_shipped_seoul_subset_and_matches_its_published_toilets(db, settings):
    message = load_demo(db, settings=settings, report_count=12)
    total, with_point, stalls = db.execute(text(
        "SELECT count(*), count(location), count(*) FILTER (WHERE disabled_stalls > 0) FROM reference_toilets")).one()
    assert (total, with_point) == (5226, 1566) and stalls > 2000
    published = db.execute(text("SELECT count(*) FROM toilets")).scalar_one()
    # each demo toilet is a place of the subset: a record's match, or one of a record's candidates
    # where the matcher left it to a person
    found = db.execute(text("""
        SELECT count(*) FROM toilets t WHERE EXISTS (
            SELECT 1 FROM reference_toilets r
             WHERE (r.match_status = 'matched' AND r.candidate_toilet_id = t.id)
                OR (r.match_status = 'ambiguous' AND r.match_candidates @> jsonb_build_array(
                        jsonb_build_object('toilet_id', t.id::text))))""")).scalar_one()
    assert published >= 3 and found == published
    assert "5226 Seoul public toilet records" in message


def test_a_demo_database_from_before_gets_the_reference_layer(db, settings):
    load_demo(db, settings=settings, report_count=2)
    db.execute(text("DELETE FROM reference_toilets"))
    again = load_demo(db, settings=settings)
    assert "reference data added: 5226" in again
    assert db.execute(text("SELECT count(*) FROM reference_toilets")).scalar_one() == 5226
    assert "already loaded" in load_demo(db, settings=settings)


def test_the_demo_leaves_a_building_with_two_accessible_floors_to_the_office(client, db, settings):
    """The demo's twin: one building's toilet on two floors, both published under its name, so its
    reference record is ambiguous and the office's gap list offers both (the "To confirm" panel)."""
    load_demo(db, settings=settings, report_count=12)
    twins = db.execute(text("""
        SELECT id::text, name, floor, district_code FROM toilets
         WHERE (name, district_code) IN (SELECT name, district_code FROM toilets GROUP BY 1, 2 HAVING count(*) = 2)
         ORDER BY floor""")).all()
    assert len(twins) == 2 and twins[0].floor != twins[1].floor
    admin = login(client, "admin", "admin-demo-pass")
    page = client.get("/api/v1/office/gaps", params={"district": twins[0].district_code, "page_size": 1000},
                      headers=admin).json()
    record = next(i for i in page["items"] if i["name"] == twins[0].name)
    assert record["match_status"] == "ambiguous"
    assert {c["toilet_id"] for c in record["candidates"]} == {t.id for t in twins}
