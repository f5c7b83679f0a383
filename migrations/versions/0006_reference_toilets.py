"""reference_toilets: the national public toilet standard data as a reference layer

Revision ID: 0006
Revises: 0005

Issue 12 item 4 (`reachable reference import FILE`, reference/). One row per management number;
`raw` keeps the row as sent (NFC), `location` only when the file's point is usable (flags say why
not), and the match to a published toilet (matched / ambiguous / none, the candidates).
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_geospatial_table('reference_toilets',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('management_no', sa.String(length=64), nullable=False),
    sa.Column('category', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('road_address', sa.Text(), nullable=True),
    sa.Column('lot_address', sa.Text(), nullable=True),
    sa.Column('manager', sa.Text(), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('opening', sa.Text(), nullable=True),
    sa.Column('opening_hours', sa.Text(), nullable=True),
    sa.Column('ownership', sa.Text(), nullable=True),
    sa.Column('disabled_stalls', sa.Integer(), nullable=True),
    sa.Column('given_lon', sa.Double(), nullable=True),
    sa.Column('given_lat', sa.Double(), nullable=True),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('district_code', sa.String(length=5), nullable=True),
    sa.Column('address_district_code', sa.String(length=5), nullable=True),
    sa.Column('flags', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('raw', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('match_status', sa.String(length=10), server_default='none', nullable=False),
    sa.Column('match_method', sa.String(length=10), nullable=True),
    sa.Column('candidate_toilet_id', sa.UUID(), nullable=True),
    sa.Column('match_distance_m', sa.Double(), nullable=True),
    sa.Column('match_similarity', sa.Double(), nullable=True),
    sa.Column('match_candidates', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('matched_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("match_method IS NULL OR match_method IN ('distance', 'address')", name=op.f('ck_reference_toilets_match_method_known')),
    sa.CheckConstraint("match_status IN ('matched', 'ambiguous', 'none')", name=op.f('ck_reference_toilets_match_status_known')),
    sa.ForeignKeyConstraint(['address_district_code'], ['districts.code'], name=op.f('fk_reference_toilets_address_district_code_districts')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_reference_toilets_district_code_districts')),
    sa.ForeignKeyConstraint(['candidate_toilet_id'], ['toilets.id'], name=op.f('fk_reference_toilets_candidate_toilet_id_toilets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_toilets')),
    sa.UniqueConstraint('management_no', name=op.f('uq_reference_toilets_management_no'))
    )
    op.create_geospatial_index('idx_reference_toilets_location', 'reference_toilets', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_reference_toilets_district_code'), 'reference_toilets', ['district_code'], unique=False)
    op.create_index(op.f('ix_reference_toilets_match_status'), 'reference_toilets', ['match_status'], unique=False)
    op.create_index(op.f('ix_reference_toilets_candidate_toilet_id'), 'reference_toilets', ['candidate_toilet_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_reference_toilets_candidate_toilet_id'), table_name='reference_toilets')
    op.drop_index(op.f('ix_reference_toilets_match_status'), table_name='reference_toilets')
    op.drop_index(op.f('ix_reference_toilets_district_code'), table_name='reference_toilets')
    op.drop_geospatial_index('idx_reference_toilets_location', table_name='reference_toilets', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('reference_toilets')
