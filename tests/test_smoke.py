def test_database_has_seoul_districts(db):
    from tests.conftest import count_rows

    assert count_rows(db, "districts") == 25
