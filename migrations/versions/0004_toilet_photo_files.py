"""toilets.photo_files: the photos a toilet shows, stored when it is published

Revision ID: 0004
Revises: 0003

Exports used to find each toilet's photos with a join over every version and photo on every
pull; now the publishing transaction stores them. Existing toilets are filled from the same
rule: the photos of the report behind the latest version that had one, entrance → door →
interior → route → other, then by upload time.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("toilets", sa.Column("photo_files", postgresql.ARRAY(sa.Text()), server_default="{}",
                                       nullable=False))
    op.execute("""
        UPDATE toilets t SET photo_files = ph.files
          FROM (SELECT lv.toilet_id,
                       array_agg(p.id::text || '.' || substring(p.storage_key FROM '[.]([A-Za-z0-9]+)$')
                                 ORDER BY CASE p.kind WHEN 'entrance' THEN 0 WHEN 'door' THEN 1
                                          WHEN 'interior' THEN 2 WHEN 'route' THEN 3 ELSE 4 END,
                                          p.uploaded_at, p.id) AS files
                  FROM (SELECT DISTINCT ON (v.toilet_id) v.toilet_id, v.report_id FROM toilet_versions v
                         WHERE v.report_id IS NOT NULL ORDER BY v.toilet_id, v.version DESC) lv
                  JOIN report_photos p ON p.report_id = lv.report_id
                 GROUP BY lv.toilet_id) ph
         WHERE ph.toilet_id = t.id""")


def downgrade() -> None:
    op.drop_column("toilets", "photo_files")
