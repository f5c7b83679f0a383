"""jobs: an idempotency key holds only while its job is open

Revision ID: 0011
Revises: 0010

Issue 14.3 (photos as jobs). A photo sent again while its job is queued or running finds that job;
sent again after the job is done it makes a new job (which finds the stored photo by its bytes and
puts back its files if a crash lost them), so the key is unique among open jobs only.
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f('uq_jobs_idempotency_key'), 'jobs', type_='unique')
    op.create_index('uq_jobs_open_idempotency_key', 'jobs', ['idempotency_key'], unique=True,
                    postgresql_where="status IN ('queued', 'running')")


def downgrade() -> None:
    op.drop_index('uq_jobs_open_idempotency_key', table_name='jobs')
    op.create_unique_constraint(op.f('uq_jobs_idempotency_key'), 'jobs', ['idempotency_key'])
