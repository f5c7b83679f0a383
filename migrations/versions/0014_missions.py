"""Missions: places the office sends volunteers to check (issue 12 item 6)

Revision ID: 0014
Revises: 0013

missions (gap: a listed public toilet with a disabled-use stall and no verified toilet matched;
reverify: a published toilet whose last verification is older than REVERIFY_AFTER_MONTHS), at
most one unfinished per place; reports.reference_record_id, the listed record a report checks.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UNFINISHED = "status IN ('open', 'taken', 'reported')"


def upgrade() -> None:
    op.create_table(
        "missions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        sa.Column("reference_toilet_id", sa.BigInteger(), nullable=True),
        sa.Column("toilet_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("district_code", sa.String(length=5), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report_id", sa.BigInteger(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('gap', 'reverify')", name=op.f("ck_missions_kind_known")),
        sa.CheckConstraint("status IN ('open', 'taken', 'reported', 'done', 'closed')",
                           name=op.f("ck_missions_status_known")),
        sa.CheckConstraint("(kind = 'gap') = (reference_toilet_id IS NOT NULL)", name=op.f("ck_missions_gap_has_reference")),
        sa.CheckConstraint("kind = 'gap' OR toilet_id IS NOT NULL", name=op.f("ck_missions_reverify_has_toilet")),
        sa.CheckConstraint("status IN ('open', 'closed') OR taken_by_id IS NOT NULL",
                           name=op.f("ck_missions_taken_has_volunteer")),
        sa.ForeignKeyConstraint(["reference_toilet_id"], ["reference_toilets.id"], ondelete="CASCADE",
                                name=op.f("fk_missions_reference_toilet_id_reference_toilets")),
        sa.ForeignKeyConstraint(["toilet_id"], ["toilets.id"], name=op.f("fk_missions_toilet_id_toilets")),
        sa.ForeignKeyConstraint(["district_code"], ["districts.code"], name=op.f("fk_missions_district_code_districts")),
        sa.ForeignKeyConstraint(["taken_by_id"], ["accounts.id"], name=op.f("fk_missions_taken_by_id_accounts")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_missions_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missions")),
    )
    op.create_index("uq_missions_unfinished_reference", "missions", ["reference_toilet_id"], unique=True,
                    postgresql_where=sa.text(f"kind = 'gap' AND {UNFINISHED}"))
    op.create_index("uq_missions_unfinished_toilet", "missions", ["toilet_id"], unique=True,
                    postgresql_where=sa.text(f"kind = 'reverify' AND {UNFINISHED}"))
    op.create_index("ix_missions_status_district", "missions", ["status", "district_code"])
    op.create_index(op.f("ix_missions_toilet_id"), "missions", ["toilet_id"])
    op.create_index(op.f("ix_missions_taken_by_id"), "missions", ["taken_by_id"])
    op.create_index(op.f("ix_missions_report_id"), "missions", ["report_id"])
    op.add_column("reports", sa.Column("reference_record_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f("fk_reports_reference_record_id_reference_toilets"), "reports", "reference_toilets",
                          ["reference_record_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    op.drop_constraint(op.f("fk_reports_reference_record_id_reference_toilets"), "reports", type_="foreignkey")
    op.drop_column("reports", "reference_record_id")
    op.drop_table("missions")
