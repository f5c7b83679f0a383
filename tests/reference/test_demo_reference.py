"""The demo loads the Seoul reference subset shipped in the package (not ../shared at run time)."""

from __future__ import annotations

from sqlalchemy import text

from demo.loader import load_demo


def test_demo_loads_the_shipped_seoul_subset_and_matches_its_published_toilets(db, settings):
    message = load_demo(db, settings=settings, report_count=12)
    total, with_point, stalls = db.execute(text(
        "SELECT count(*), count(location), count(*) FILTER (WHERE disabled_stalls > 0) FROM reference_toilets")).one()
    assert (total, with_point) == (5226, 1566) and stalls > 2000
    published = db.execute(text("SELECT count(*) FROM toilets")).scalar_one()
    matched = db.execute(text("""SELECT count(*) FROM reference_toilets r JOIN toilets t ON t.id = r.candidate_toilet_id
                                  WHERE r.match_status = 'matched'""")).scalar_one()
    assert published >= 3 and matched >= published  # each demo toilet is a place of the subset
    assert "5226 Seoul public toilet records" in message


def test_a_demo_database_from_before_gets_the_reference_layer(db, settings):
    load_demo(db, settings=settings, report_count=2)
    db.execute(text("DELETE FROM reference_toilets"))
    again = load_demo(db, settings=settings)
    assert "reference data added: 5226" in again
    assert db.execute(text("SELECT count(*) FROM reference_toilets")).scalar_one() == 5226
    assert "already loaded" in load_demo(db, settings=settings)
