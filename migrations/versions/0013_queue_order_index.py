"""The moderation queue's order in an index: reports.likely_duplicate, ix_reports_queue

Revision ID: 0013
Revises: 0012

Issue 14 item 2. The claim ranked every claimable report by priority (a sequential scan and a
sort of the whole queue, per claim). Priority = age in hours + gap bonus of the district +
duplicate bonus, and ordering by it equals ordering by
    gap bonus(district) + duplicate bonus − epoch(submitted_at) / 3600,
so within one (district, flagged as a likely duplicate or not) group the order is simply
submitted_at, id. This index holds that order for the claimable rows; the claim reads the top
of each of the 25 × 2 groups and merges them (moderation.queue). Nothing settings-dependent
is stored: the weights and each district's published count are read at claim time.

`reports.likely_duplicate` mirrors "a stored candidate of this report is likely"
(report_duplicate_candidates.likely). Triggers on that table keep it, whoever writes the
candidates (submission, revision, claim), in the same statement. Backfilled here.
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_FUNCTION = """
CREATE FUNCTION reports_mark_likely_duplicate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- the reports whose candidates changed in this statement: is one of them likely now?
    -- (= ANY(ARRAY(...)): an index lookup per report, whatever the planner guesses of `changed`)
    UPDATE reports r SET likely_duplicate = NOT r.likely_duplicate
     WHERE r.id = ANY (ARRAY(SELECT DISTINCT report_id FROM changed))
       AND r.likely_duplicate <> EXISTS (SELECT 1 FROM report_duplicate_candidates d
                                          WHERE d.report_id = r.id AND d.likely);
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.add_column("reports", sa.Column("likely_duplicate", sa.Boolean(), server_default="false", nullable=False))
    op.execute("""UPDATE reports r SET likely_duplicate = true
                   WHERE EXISTS (SELECT 1 FROM report_duplicate_candidates d WHERE d.report_id = r.id AND d.likely)""")
    op.create_index("ix_reports_queue", "reports", ["district_code", "likely_duplicate", "submitted_at", "id"],
                    postgresql_where=sa.text("status IN ('queued', 'in_review')"))
    op.execute(_FUNCTION)
    for event, table in (("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE", "NEW")):
        op.execute(f"""CREATE TRIGGER report_candidates_{event.lower()}_mark_likely
                       AFTER {event} ON report_duplicate_candidates REFERENCING {table} TABLE AS changed
                       FOR EACH STATEMENT EXECUTE FUNCTION reports_mark_likely_duplicate()""")


def downgrade() -> None:
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER report_candidates_{event}_mark_likely ON report_duplicate_candidates")
    op.execute("DROP FUNCTION reports_mark_likely_duplicate()")
    op.drop_index("ix_reports_queue", table_name="reports")
    op.drop_column("reports", "likely_duplicate")
