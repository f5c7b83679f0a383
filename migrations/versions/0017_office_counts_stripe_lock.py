"""Office counts: one lock per stripe, so two writers of a stripe never deadlock

Revision ID: 0017
Revises: 0016

Migration 0015's triggers upsert count rows keyed by day, district, organisation and age band, and
a `stripe` (the backend's pid mod 8). Within one statement the keys are taken in order, but one
transaction writes counts in several statements with unrelated keys: a decision's review (the
report's submission day and district, then the volunteer's group), then its toilet (today, the
toilet's district). Two moderators whose backends share a stripe could so lock the same rows in
opposite orders, and PostgreSQL ended one with "deadlock detected" (bench/moderation, 1 decision
of 4,000, answered 503). Every count write now first takes a transaction-scoped advisory lock on
its stripe (pg_advisory_xact_lock(727004, stripe); 727001-727003 are the change log's, the
snapshots' and the jobs'): a backend only ever writes its own stripe, so it holds at most one such
lock, and the rows of a stripe are written by one transaction at a time. Writers of different
stripes, most of them, do not wait for each other, as before.

The lock is taken by wrappers under the old names (office_apply, office_apply_toilets; the row
functions are renamed *_rows) and, for the accounts trigger, by a BEFORE trigger.
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE FUNCTION office_lock_stripe() RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(727004, pg_backend_pid() % 8)
$$;

ALTER FUNCTION office_apply(office_delta[]) RENAME TO office_apply_rows;
CREATE FUNCTION office_apply(deltas office_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM office_lock_stripe();
    PERFORM office_apply_rows(deltas);
END $$;

ALTER FUNCTION office_apply_toilets(varchar[], varchar[], integer[]) RENAME TO office_apply_toilets_rows;
CREATE FUNCTION office_apply_toilets(district_codes varchar[], verdicts varchar[], n integer[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM office_lock_stripe();
    PERFORM office_apply_toilets_rows(district_codes, verdicts, n);
END $$;

CREATE FUNCTION office_accounts_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM office_lock_stripe();
    RETURN NEW;
END $$;
CREATE TRIGGER office_accounts_lock BEFORE UPDATE OF organisation_id, age_band, role ON accounts
    FOR EACH ROW WHEN ((OLD.organisation_id, OLD.age_band, OLD.role) IS DISTINCT FROM
                       (NEW.organisation_id, NEW.age_band, NEW.role))
    EXECUTE FUNCTION office_accounts_lock();
"""

DOWNGRADE = """
DROP TRIGGER office_accounts_lock ON accounts;
DROP FUNCTION office_accounts_lock();
DROP FUNCTION office_apply_toilets(varchar[], varchar[], integer[]);
ALTER FUNCTION office_apply_toilets_rows(varchar[], varchar[], integer[]) RENAME TO office_apply_toilets;
DROP FUNCTION office_apply(office_delta[]);
ALTER FUNCTION office_apply_rows(office_delta[]) RENAME TO office_apply;
DROP FUNCTION office_lock_stripe();
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
