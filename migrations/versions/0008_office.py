"""organisations.participant_target, reviews.partner_id, campaigns; moderators-only partners

Revision ID: 0008
Revises: 0007

Issue 12 items 1 and 2: an organisation has a participant target; a decision records the partner
its moderator belonged to (filled for decisions already taken from the moderator's partner now);
only moderators belong to a partner; the one campaign the office runs.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("participant_target", sa.Integer(), nullable=True))
    op.create_check_constraint(op.f("ck_organisations_participant_target_range"), "organisations",
                               "participant_target IS NULL OR participant_target BETWEEN 0 AND 1000000")
    op.execute("UPDATE accounts SET partner_id = NULL WHERE role <> 'moderator' AND partner_id IS NOT NULL")
    op.create_check_constraint(op.f("ck_accounts_partner_only_for_moderators"), "accounts", "partner_id IS NULL OR role = 'moderator'")
    op.create_index(op.f("ix_accounts_partner_id"), "accounts", ["partner_id"])
    op.add_column("reviews", sa.Column("partner_id", sa.Integer(), nullable=True))
    op.create_foreign_key(op.f("fk_reviews_partner_id_partners"), "reviews", "partners", ["partner_id"], ["id"])
    op.create_index(op.f("ix_reviews_partner_id"), "reviews", ["partner_id"])
    op.execute("UPDATE reviews r SET partner_id = a.partner_id FROM accounts a "
               "WHERE a.id = r.moderator_id AND a.partner_id IS NOT NULL")
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("participant_target", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_campaigns_single")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_campaigns_dates_in_order")),
        sa.CheckConstraint("participant_target BETWEEN 1 AND 10000000", name=op.f("ck_campaigns_participant_target_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )


def downgrade() -> None:
    op.drop_table("campaigns")
    op.drop_index(op.f("ix_reviews_partner_id"), table_name="reviews")
    op.drop_constraint(op.f("fk_reviews_partner_id_partners"), "reviews", type_="foreignkey")
    op.drop_column("reviews", "partner_id")
    op.drop_index(op.f("ix_accounts_partner_id"), table_name="accounts")
    op.drop_constraint(op.f("ck_accounts_partner_only_for_moderators"), "accounts", type_="check")
    op.drop_constraint(op.f("ck_organisations_participant_target_range"), "organisations", type_="check")
    op.drop_column("organisations", "participant_target")
