"""toilets.verdict_reasons, toilet_versions.verdict_reasons: why each verdict is what it is

Revision ID: 0007
Revises: 0006

Issue 13 item 1: every published version stores, with its verdict, one reason per criterion
(toilets.verdict.assess). Existing versions are filled from their own data and the criteria
their review confirmed (a retirement keeps the version before it, as publishing does); a toilet
takes the reasons of its current version (or of its data, if it has no version row). Where the
reasons would not add up to the verdict stored (a row written by hand, or by a rule that has
since changed) the list stays empty: no reasons rather than reasons for another verdict.
"""
import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 1000


def _reasons(data, confirmed, verdict):
    from toilets.verdict import assess  # the one verdict function, as it is when this runs

    a = assess(data or {}, frozenset(confirmed or ()))
    return a.reasons_json() if a.verdict == verdict else []


def _page(bind, after):
    """The versions of the next BATCH toilets after `after` (by id), oldest version first."""
    return bind.execute(sa.text("""
        SELECT v.toilet_id, v.version, v.data, v.verdict, r.action, r.confirmed
          FROM toilet_versions v LEFT JOIN reviews r ON r.id = v.review_id
         WHERE v.toilet_id IN (SELECT DISTINCT toilet_id FROM toilet_versions
                                WHERE CAST(:after AS uuid) IS NULL OR toilet_id > CAST(:after AS uuid)
                                ORDER BY toilet_id LIMIT :n)
         ORDER BY v.toilet_id, v.version"""), {"after": after, "n": BATCH}).fetchall()


def _fill_versions(bind) -> None:
    after = None
    while rows := _page(bind, after):
        updates, confirmed = [], []
        for i, (toilet_id, version, data, verdict, action, given) in enumerate(rows):
            if i == 0 or rows[i - 1][0] != toilet_id:
                confirmed = []
            if action != "retire":  # a retirement republishes the version before it unchanged
                confirmed = given or []
            updates.append({"t": toilet_id, "v": version, "r": json.dumps(_reasons(data, confirmed, verdict))})
        bind.execute(sa.text("UPDATE toilet_versions SET verdict_reasons = CAST(:r AS jsonb) "
                             "WHERE toilet_id = :t AND version = :v"), updates)
        after = str(rows[-1][0])


def upgrade() -> None:
    for table in ("toilets", "toilet_versions"):
        op.add_column(table, sa.Column("verdict_reasons", postgresql.JSONB(astext_type=sa.Text()),
                                       server_default="[]", nullable=False))
    bind = op.get_bind()
    _fill_versions(bind)
    bind.execute(sa.text("""
        UPDATE toilets t SET verdict_reasons = v.verdict_reasons
          FROM toilet_versions v WHERE v.toilet_id = t.id AND v.version = t.version"""))
    orphans = bind.execute(sa.text("""
        SELECT t.id, t.data, t.verdict FROM toilets t
         WHERE NOT EXISTS (SELECT 1 FROM toilet_versions v WHERE v.toilet_id = t.id AND v.version = t.version)
    """)).fetchall()
    for tid, data, verdict in orphans:
        bind.execute(sa.text("UPDATE toilets SET verdict_reasons = CAST(:r AS jsonb) WHERE id = :t"),
                     {"t": tid, "r": json.dumps(_reasons(data, (), verdict))})


def downgrade() -> None:
    op.drop_column("toilet_versions", "verdict_reasons")
    op.drop_column("toilets", "verdict_reasons")
