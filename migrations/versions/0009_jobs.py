"""background jobs: procrastinate's queue schema, and the jobs people follow

Revision ID: 0009
Revises: 0008

Issue 14 item 3 (jobs/). procrastinate's tables, types and functions are its own: they are
installed here from the pinned package's schema (procrastinate.schema.SchemaManager.get_schema),
and `alembic check` leaves its tables out (migrations/env.py). A later procrastinate version brings
its upgrade scripts (procrastinate/sql/migrations): apply them in a migration of their own.
`jobs` is what the owner of a job follows; `job_uploads` holds the bytes a job works on.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


PROCRASTINATE_VERSION = "3.10.0"


def _procrastinate_schema() -> str:
    import procrastinate
    from procrastinate.schema import SchemaManager

    if procrastinate.__version__ != PROCRASTINATE_VERSION:
        raise RuntimeError(f"migration 0009 installs procrastinate {PROCRASTINATE_VERSION}'s schema, "
                           f"but {procrastinate.__version__} is installed: pin {PROCRASTINATE_VERSION} "
                           "(pyproject.toml) or write the migration that upgrades it")
    return SchemaManager.get_schema()


def upgrade() -> None:
    # On the driver's connection (same transaction): no bind-parameter parsing of the SQL text.
    op.get_bind().connection.driver_connection.execute(_procrastinate_schema())
    op.create_table('jobs',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='queued', nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('params', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('progress_phase', sa.String(length=32), nullable=True),
    sa.Column('progress_done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=True),
    sa.Column('result', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('result_url', sa.String(length=300), nullable=True),
    sa.Column('error', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('error_status', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('queue_job_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('photo', 'snapshot', 'reference_import')", name=op.f('ck_jobs_kind')),
    sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name=op.f('ck_jobs_status')),
    sa.ForeignKeyConstraint(['owner_id'], ['accounts.id'], name=op.f('fk_jobs_owner_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_jobs_idempotency_key'))
    )
    op.create_index(op.f('ix_jobs_owner_id'), 'jobs', ['owner_id'], unique=False)
    op.create_index('ix_jobs_subject_open', 'jobs', ['subject'], unique=False, postgresql_where="status IN ('queued', 'running')")
    op.create_table('job_uploads',
    sa.Column('job_id', sa.UUID(), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('byte_size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_uploads_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job_uploads'))
    )


def downgrade() -> None:
    op.drop_table('job_uploads')
    op.drop_index('ix_jobs_subject_open', table_name='jobs', postgresql_where="status IN ('queued', 'running')")
    op.drop_index(op.f('ix_jobs_owner_id'), table_name='jobs')
    op.drop_table('jobs')
    op.execute("DROP TABLE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, "
               "procrastinate_workers CASCADE")
    op.execute("""
        DO $$
        DECLARE f regprocedure;
        BEGIN
          FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
            EXECUTE 'DROP FUNCTION ' || f || ' CASCADE';
          END LOOP;
        END $$""")
    op.execute("DROP TYPE procrastinate_job_to_defer_v1, procrastinate_job_status, procrastinate_job_event_type")
