"""toilets.public_layer_only, reviews.public_layer_only, request-changes reason codes

Revision ID: 0010
Revises: 0009

Issue 15 item 4: a moderator may publish a toilet to the public layer only (not to Smart Seoul
Map, whose consumer drops a row without a main photo or either address); the decision carries
the choice (reviews.public_layer_only, NULL: unchanged) and the toilet keeps it. A changes
request may name what to add (reviews.reason_code: the reject reasons or the change requests of
moderation.models.CHANGE_REQUESTS).
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

REJECT = ("duplicate", "not_a_toilet", "wrong_location", "insufficient_evidence", "photo_problem", "spam_or_abuse",
          "outside_scope", "other")
CHANGES = ("add_entrance_photo", "add_addresses", "shorten_name")


def _codes(codes: tuple[str, ...]) -> str:
    return "reason_code IS NULL OR reason_code IN (" + ", ".join(f"'{c}'" for c in codes) + ")"


def upgrade() -> None:
    op.add_column("toilets", sa.Column("public_layer_only", sa.Boolean(), server_default=sa.text("false"),
                                       nullable=False))
    op.add_column("reviews", sa.Column("public_layer_only", sa.Boolean(), nullable=True))
    op.drop_constraint(op.f("ck_reviews_reason_known"), "reviews", type_="check")
    op.create_check_constraint(op.f("ck_reviews_reason_known"), "reviews", _codes(REJECT + CHANGES))


def downgrade() -> None:
    op.execute("UPDATE reviews SET reason_code = NULL WHERE reason_code IN ("
               + ", ".join(f"'{c}'" for c in CHANGES) + ")")
    op.drop_constraint(op.f("ck_reviews_reason_known"), "reviews", type_="check")
    op.create_check_constraint(op.f("ck_reviews_reason_known"), "reviews", _codes(REJECT))
    op.drop_column("reviews", "public_layer_only")
    op.drop_column("toilets", "public_layer_only")
