"""accounts: token_version, password_changed_at, deactivated_at; rate_limit_counters

Revision ID: 0005
Revises: 0004

Account lifecycle (issue 11 item 8): a token names the account's token_version; changing or
resetting the password, or deactivating the account, bumps it and so ends every earlier token.
Abuse limits (item 6): the counters every API process shares, UNLOGGED (no WAL: a crash may
forget a minute of counts, which only lets a few more requests through).
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("token_version", sa.Integer(), server_default="0", nullable=False))
    op.add_column("accounts", sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("accounts", sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_limit_counters"),
        prefixes=["UNLOGGED"],
    )


def downgrade() -> None:
    op.drop_table("rate_limit_counters")
    op.drop_column("accounts", "deactivated_at")
    op.drop_column("accounts", "password_changed_at")
    op.drop_column("accounts", "token_version")
