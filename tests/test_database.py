"""The project's own database: cluster bootstrap, migrations in step with the models, reference data."""

import subprocess

from sqlalchemy import text

from core.config import Settings
from core.localdb import LocalCluster
from core.migrate import alembic_config


def test_local_cluster_start_is_idempotent():
    cluster = LocalCluster(Settings())
    cluster.ensure_running()  # already running: must be a no-op
    cluster.ensure_running()
    assert cluster.is_running()
    assert cluster.create_database() is False  # exists already


def test_models_and_migrations_agree(database_url):
    from alembic import command

    command.check(alembic_config(database_url))  # raises if autogenerate would emit anything


def test_reference_geometry(db):
    assert db.execute(text("SELECT count(*) FROM districts")).scalar_one() == 25
    area_km2 = db.execute(text("SELECT ST_Area(geom::geography) / 1e6 FROM city_boundary")).scalar_one()
    assert 590 < area_km2 < 620  # Seoul is 605 km²
    code = db.execute(text("SELECT code FROM districts WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint("
                           "127.0589, 37.5126), 4326))")).scalar_one()
    assert code == "11680"  # COEX is in 강남구


def test_constraints_live_in_the_schema(db):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.begin_nested():
            db.execute(text("INSERT INTO accounts (username, password_hash, role) VALUES ('xx', 'h', 'king')"))


def test_reachable_cli_reports_the_database():
    from core.config import PROJECT_ROOT

    out = subprocess.run([str(PROJECT_ROOT / ".venv/bin/reachable"), "db", "status"], capture_output=True, text=True,
                         check=True)
    assert out.stdout.startswith("running:")
