"""exports: API keys for the map team, snapshot records

Revision ID: 0003
Revises: 0001 (re-chained after 0002 at merge time; depends on no moderation table)
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("char_length(key_hash) = 64", name=op.f("ck_api_keys_hash_length")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_api_keys_account_id_accounts")),
        sa.ForeignKeyConstraint(["created_by"], ["accounts.id"], name=op.f("fk_api_keys_created_by_accounts")),
        sa.ForeignKeyConstraint(["revoked_by"], ["accounts.id"], name=op.f("fk_api_keys_revoked_by_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    op.create_index(op.f("ix_api_keys_account_id"), "api_keys", ["account_id"], unique=False)
    op.create_table(
        "export_snapshots",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("layer", sa.String(length=16), nullable=False),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("directory", sa.Text(), nullable=False),
        sa.Column("data_file", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("feature_count", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("manifest", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint("layer IN ('toilets', 'routes')", name=op.f("ck_export_snapshots_layer_known")),
        sa.CheckConstraint("format IN ('geojson', 'csv', 'json')", name=op.f("ck_export_snapshots_format_known")),
        sa.ForeignKeyConstraint(["created_by"], ["accounts.id"],
                                name=op.f("fk_export_snapshots_created_by_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("export_snapshots")
    op.drop_index(op.f("ix_api_keys_account_id"), table_name="api_keys")
    op.drop_table("api_keys")
