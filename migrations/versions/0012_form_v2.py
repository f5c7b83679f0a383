"""Form v2: merge sources and choices, duplicate evidence

Revision ID: 0012
Revises: 0011

toilets.field_sources / confirmed, toilet_versions.field_sources / confirmed, reviews.field_choices,
report_duplicate_candidates.likely / evidence.

Issue 15 item 2, merges never lose knowledge: each published field remembers the version and
date it came from (a merge keeps a value the new report left unknown, with its source), the
criteria moderators confirmed are kept on the toilet (and survive merges), and a merge review
stores the moderator's choice field by field.

Issue 15 item 3, duplicates a moderator can trust: each stored candidate says whether it is a
likely duplicate and on what evidence (reports.duplicate_evidence). Stored candidates start as
"nearby" (not flagged): they are recomputed when their report is next claimed or revised.

Backfill: until now every version replaced all of a toilet's data, so each known field of a
version came from that version (a retirement republishes the version before it); a toilet's
confirmations are those of the review behind its latest published (not retiring) version.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _sources_sql(data: str, version: str, at: str) -> str:
    """{"group.field": {"version", "at"}} for every known field of `data` (bounds go with their field)."""
    return f"""coalesce((SELECT jsonb_object_agg(g.key || '.' || f.key,
                                 jsonb_build_object('version', {version}, 'at', to_jsonb({at})))
                          FROM jsonb_each({data}) g, jsonb_each(g.value) f
                         WHERE jsonb_typeof(g.value) = 'object' AND f.value <> 'null'::jsonb
                           AND g.key IN ('place', 'toilet', 'access_route') AND f.key NOT LIKE '%\\_bound'), '{{}}')"""


def upgrade() -> None:
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    for table in ("toilets", "toilet_versions"):
        op.add_column(table, sa.Column("field_sources", jsonb, server_default="{}", nullable=False))
        op.add_column(table, sa.Column("confirmed", jsonb, server_default="[]", nullable=False))
    op.add_column("reviews", sa.Column("field_choices", jsonb, server_default="{}", nullable=False))
    op.add_column("report_duplicate_candidates", sa.Column("likely", sa.Boolean(), server_default="false",
                                                           nullable=False))
    op.add_column("report_duplicate_candidates", sa.Column("evidence", jsonb, server_default="[]", nullable=False))
    bind = op.get_bind()
    # versions: a retirement's sources are those of the version before it
    bind.execute(sa.text(f"""
        UPDATE toilet_versions v SET field_sources = {_sources_sql("v.data", "v.version", "v.created_at")}
         WHERE v.status = 'active'"""))
    bind.execute(sa.text("""
        UPDATE toilet_versions v SET field_sources = p.field_sources
          FROM toilet_versions p WHERE v.status = 'retired' AND p.toilet_id = v.toilet_id AND p.version = v.version - 1"""))
    bind.execute(sa.text("""
        UPDATE toilet_versions v SET confirmed = coalesce((
            SELECT r.confirmed FROM toilet_versions w JOIN reviews r ON r.id = w.review_id
             WHERE w.toilet_id = v.toilet_id AND w.version <= v.version AND r.action <> 'retire'
             ORDER BY w.version DESC LIMIT 1), '[]')"""))
    bind.execute(sa.text("""
        UPDATE toilets t SET field_sources = v.field_sources, confirmed = v.confirmed
          FROM toilet_versions v WHERE v.toilet_id = t.id AND v.version = t.version"""))
    bind.execute(sa.text(f"""
        UPDATE toilets t SET field_sources = {_sources_sql("t.data", "t.version", "t.last_verified_at")}
         WHERE NOT EXISTS (SELECT 1 FROM toilet_versions v WHERE v.toilet_id = t.id AND v.version = t.version)"""))


def downgrade() -> None:
    op.drop_column("report_duplicate_candidates", "evidence")
    op.drop_column("report_duplicate_candidates", "likely")
    op.drop_column("reviews", "field_choices")
    for table in ("toilet_versions", "toilets"):
        op.drop_column(table, "confirmed")
        op.drop_column(table, "field_sources")
