"""A person's match of a reference record to a published toilet

Revision ID: 0016
Revises: 0015

Issue 12 item 4: a moderator publishing a report (approve or merge) that checks a listed record
(a mission's, or the one accepted in the console) matches the record to the published toilet:
`reference_toilets.match_method = 'person'`, `matched_by_id` who decided (`matched_at` when), and
`reviews.reference_toilet_id` the record the decision ties (kept for a second review's confirm).
Automatic re-matching leaves a person's match alone while its toilet is active.
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CK = "ck_reference_toilets_match_method_known"


def upgrade() -> None:
    op.drop_constraint(op.f(CK), "reference_toilets", type_="check")
    op.create_check_constraint(op.f(CK), "reference_toilets",
                               "match_method IS NULL OR match_method IN ('distance', 'address', 'person')")
    op.add_column("reference_toilets", sa.Column("matched_by_id", sa.Integer(), nullable=True))
    op.create_foreign_key(op.f("fk_reference_toilets_matched_by_id_accounts"), "reference_toilets", "accounts",
                          ["matched_by_id"], ["id"])
    op.add_column("reviews", sa.Column("reference_toilet_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f("fk_reviews_reference_toilet_id_reference_toilets"), "reviews", "reference_toilets",
                          ["reference_toilet_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    op.drop_constraint(op.f("fk_reviews_reference_toilet_id_reference_toilets"), "reviews", type_="foreignkey")
    op.drop_column("reviews", "reference_toilet_id")
    op.drop_constraint(op.f("fk_reference_toilets_matched_by_id_accounts"), "reference_toilets", type_="foreignkey")
    op.drop_column("reference_toilets", "matched_by_id")
    op.execute("UPDATE reference_toilets SET match_method = NULL, match_status = 'none', candidate_toilet_id = NULL "
               "WHERE match_method = 'person'")
    op.drop_constraint(op.f(CK), "reference_toilets", type_="check")
    op.create_check_constraint(op.f(CK), "reference_toilets", "match_method IS NULL OR match_method IN ('distance', 'address')")
