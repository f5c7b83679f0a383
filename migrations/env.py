"""Alembic environment: the URL comes from the caller (core.migrate) or the settings."""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, pool

from core.config import get_settings
from core.db import resolve_database_url
from all_models import metadata

config = context.config


def include_object(obj, name, type_, reflected, compare_to):
    # PostGIS's own tables and the tiger/topology schemas are not ours.
    if type_ == "table" and name in {"spatial_ref_sys"}:
        return False
    # procrastinate's queue tables: its schema is its own (installed by migration 0009), not our models'.
    if type_ == "table" and name.startswith("procrastinate_"):
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def run_migrations_online() -> None:
    url = config.attributes.get("url") or resolve_database_url(get_settings())
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
