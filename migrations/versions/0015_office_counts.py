"""Office counts kept on write: the dashboard reads small tables, not every report and review

Revision ID: 0015
Revises: 0014

office_day_counts (KST day x district: reports submitted, reports verified, active toilets first
published), office_group_days (KST day x organisation x age band of volunteer accounts: reports,
verified), office_volunteer_days (account x KST day: reports submitted; who reported in a range)
and office_toilet_counts (district x verdict: active toilets), kept by triggers on reports,
reviews, toilets and accounts (statement-level with transition tables for INSERT and DELETE, so a bulk load is one
grouped upsert; row-level for the UPDATEs of the few columns that count), and backfilled from the
rows already there by office_counts_rebuild(). Each row also has a `stripe` (the backend's pid
mod 8): two transactions counting the same day and district at once then mostly update different
rows, so moderators deciding in one district do not wait for each other's commit. Readers sum
over the stripes. Indexes for the reference coverage and the gap list (office/gaps.py): a
covering one per district, a partial one in the list's order, a partial one of active toilets.
office_volunteer_days has none: only a report's own submission (or a change of
its day, district or volunteer) writes it, never a decision. docs/office.md "How the counts are kept".
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

KST = "(({0}) AT TIME ZONE 'Asia/Seoul')::date"
STRIPE = "(pg_backend_pid() % 8)::smallint"
# A review that makes its report verified: an approve or merge, final or confirmed by the second moderator.
APPROVING = "{0}.report_id IS NOT NULL AND {0}.action IN ('approve', 'merge') AND {0}.status IN ('final', 'confirmed')"

FUNCTIONS = f"""
CREATE TYPE office_delta AS (day date, district_code varchar(5), volunteer_id integer, reports integer,
                             verified integer, published integer);

-- Add deltas to the day x district, day x organisation x age band (volunteer accounts only) and
-- volunteer x day counts, in key order (no two writers lock the same rows in opposite orders).
-- plpgsql, not sql: a plpgsql function keeps its statements' plans for the session.
CREATE FUNCTION office_apply(deltas office_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO office_day_counts AS c (day, district_code, stripe, reports, verified, published)
    SELECT d.day, d.district_code, {STRIPE}, sum(d.reports), sum(d.verified), sum(d.published)
      FROM unnest(deltas) d GROUP BY d.day, d.district_code
    HAVING sum(d.reports) <> 0 OR sum(d.verified) <> 0 OR sum(d.published) <> 0
     ORDER BY d.day, d.district_code
    ON CONFLICT (day, district_code, stripe) DO UPDATE
       SET reports = c.reports + excluded.reports, verified = c.verified + excluded.verified,
           published = c.published + excluded.published;
    INSERT INTO office_group_days AS c (day, organisation_id, age_band, stripe, reports, verified)
    SELECT d.day, coalesce(a.organisation_id, 0), coalesce(a.age_band, 'unknown'), {STRIPE}, sum(d.reports),
           sum(d.verified)
      FROM unnest(deltas) d JOIN accounts a ON a.id = d.volunteer_id AND a.role = 'volunteer'
     GROUP BY 1, 2, 3 HAVING sum(d.reports) <> 0 OR sum(d.verified) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT (day, organisation_id, age_band, stripe) DO UPDATE
       SET reports = c.reports + excluded.reports, verified = c.verified + excluded.verified;
    INSERT INTO office_volunteer_days AS c (volunteer_id, day, reports)
    SELECT d.volunteer_id, d.day, sum(d.reports)
      FROM unnest(deltas) d WHERE d.volunteer_id IS NOT NULL GROUP BY 1, 2 HAVING sum(d.reports) <> 0
     ORDER BY 1, 2
    ON CONFLICT (volunteer_id, day) DO UPDATE SET reports = c.reports + excluded.reports;
END $$;

CREATE FUNCTION office_apply_toilets(district_codes varchar[], verdicts varchar[], n integer[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO office_toilet_counts AS c (district_code, verdict, stripe, active)
    SELECT t.district_code, t.verdict, {STRIPE}, sum(t.n)
      FROM unnest(district_codes, verdicts, n) t(district_code, verdict, n)
     GROUP BY t.district_code, t.verdict HAVING sum(t.n) <> 0 ORDER BY t.district_code, t.verdict
    ON CONFLICT (district_code, verdict, stripe) DO UPDATE SET active = c.active + excluded.active;
END $$;

-- reports: INSERT and DELETE (statement-level; `rows` is the transition table), UPDATE of the
-- day, district or volunteer (row-level).
CREATE FUNCTION office_reports_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE deltas office_delta[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(ROW({KST.format('r.submitted_at')}, r.district_code, r.volunteer_id, 1, 0, 0)::office_delta)
          INTO deltas FROM new_rows r;
    ELSE
        SELECT array_agg(d) INTO deltas FROM (
            SELECT ROW({KST.format('r.submitted_at')}, r.district_code, r.volunteer_id, -1, 0, 0)::office_delta AS d
              FROM old_rows r
            UNION ALL
            SELECT ROW({KST.format('rv.created_at')}, r.district_code, r.volunteer_id, 0, -1, 0)::office_delta
              FROM old_rows r JOIN reviews rv ON rv.report_id = r.id WHERE {APPROVING.format('rv')}) x;
    END IF;
    IF deltas IS NOT NULL THEN PERFORM office_apply(deltas); END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION office_reports_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE deltas office_delta[];
BEGIN
    SELECT array_agg(d) INTO deltas FROM (
        SELECT ROW({KST.format('OLD.submitted_at')}, OLD.district_code, OLD.volunteer_id, -1, 0, 0)::office_delta AS d
        UNION ALL
        SELECT ROW({KST.format('NEW.submitted_at')}, NEW.district_code, NEW.volunteer_id, 1, 0, 0)::office_delta
        UNION ALL
        SELECT ROW({KST.format('rv.created_at')}, OLD.district_code, OLD.volunteer_id, 0, -1, 0)::office_delta
          FROM reviews rv WHERE rv.report_id = OLD.id AND {APPROVING.format('rv')}
        UNION ALL
        SELECT ROW({KST.format('rv.created_at')}, NEW.district_code, NEW.volunteer_id, 0, 1, 0)::office_delta
          FROM reviews rv WHERE rv.report_id = NEW.id AND {APPROVING.format('rv')}) x;
    PERFORM office_apply(deltas);
    RETURN NULL;
END $$;

-- reviews: a report counts as verified on the day of its approving decision (that review's
-- created_at, also when a second moderator confirms it later).
CREATE FUNCTION office_reviews_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE deltas office_delta[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(ROW({KST.format('rv.created_at')}, r.district_code, r.volunteer_id, 0, 1, 0)::office_delta)
          INTO deltas FROM new_rows rv JOIN reports r ON r.id = rv.report_id WHERE {APPROVING.format('rv')};
    ELSE
        SELECT array_agg(ROW({KST.format('rv.created_at')}, r.district_code, r.volunteer_id, 0, -1, 0)::office_delta)
          INTO deltas FROM old_rows rv JOIN reports r ON r.id = rv.report_id WHERE {APPROVING.format('rv')};
    END IF;
    IF deltas IS NOT NULL THEN PERFORM office_apply(deltas); END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION office_reviews_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE deltas office_delta[];
BEGIN
    SELECT array_agg(d) INTO deltas FROM (
        SELECT ROW({KST.format('OLD.created_at')}, r.district_code, r.volunteer_id, 0, -1, 0)::office_delta AS d
          FROM reports r WHERE r.id = OLD.report_id AND {APPROVING.format('OLD')}
        UNION ALL
        SELECT ROW({KST.format('NEW.created_at')}, r.district_code, r.volunteer_id, 0, 1, 0)::office_delta
          FROM reports r WHERE r.id = NEW.report_id AND {APPROVING.format('NEW')}) x;
    IF deltas IS NOT NULL THEN PERFORM office_apply(deltas); END IF;
    RETURN NULL;
END $$;

-- toilets: active ones, first published on their created_at day, per district and verdict.
CREATE FUNCTION office_toilets_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE deltas office_delta[]; d varchar[]; v varchar[]; n integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(ROW({KST.format('t.created_at')}, t.district_code, NULL, 0, 0, 1)::office_delta),
               array_agg(t.district_code), array_agg(t.verdict), array_agg(1)
          INTO deltas, d, v, n FROM new_rows t WHERE t.status = 'active';
    ELSE
        SELECT array_agg(ROW({KST.format('t.created_at')}, t.district_code, NULL, 0, 0, -1)::office_delta),
               array_agg(t.district_code), array_agg(t.verdict), array_agg(-1)
          INTO deltas, d, v, n FROM old_rows t WHERE t.status = 'active';
    END IF;
    IF deltas IS NOT NULL THEN
        PERFORM office_apply(deltas);
        PERFORM office_apply_toilets(d, v, n);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION office_toilets_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o integer := (OLD.status = 'active')::integer; w integer := (NEW.status = 'active')::integer;
BEGIN
    PERFORM office_apply(ARRAY[ROW({KST.format('OLD.created_at')}, OLD.district_code, NULL, 0, 0, -o)::office_delta,
                               ROW({KST.format('NEW.created_at')}, NEW.district_code, NULL, 0, 0, w)::office_delta]);
    PERFORM office_apply_toilets(ARRAY[OLD.district_code, NEW.district_code], ARRAY[OLD.verdict, NEW.verdict],
                                 ARRAY[-o, w]);
    RETURN NULL;
END $$;

-- accounts: a volunteer's organisation, age band or role changed (the application never does
-- this; an operator might): move their counts to the group they now belong to.
CREATE FUNCTION office_accounts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO office_group_days AS c (day, organisation_id, age_band, stripe, reports, verified)
    SELECT x.day, x.organisation_id, x.age_band, {STRIPE}, sum(x.reports), sum(x.verified) FROM (
        SELECT v.day, g.organisation_id, g.age_band, g.sign * v.reports AS reports, 0 AS verified
          FROM office_volunteer_days v,
               (VALUES (coalesce(OLD.organisation_id, 0), coalesce(OLD.age_band, 'unknown'), -1, OLD.role),
                       (coalesce(NEW.organisation_id, 0), coalesce(NEW.age_band, 'unknown'), 1, NEW.role))
               g(organisation_id, age_band, sign, role)
         WHERE v.volunteer_id = NEW.id AND g.role = 'volunteer'
        UNION ALL
        SELECT {KST.format('rv.created_at')}, g.organisation_id, g.age_band, 0, g.sign
          FROM reports r JOIN reviews rv ON rv.report_id = r.id,
               (VALUES (coalesce(OLD.organisation_id, 0), coalesce(OLD.age_band, 'unknown'), -1, OLD.role),
                       (coalesce(NEW.organisation_id, 0), coalesce(NEW.age_band, 'unknown'), 1, NEW.role))
               g(organisation_id, age_band, sign, role)
         WHERE r.volunteer_id = NEW.id AND g.role = 'volunteer' AND {APPROVING.format('rv')}) x
     GROUP BY 1, 2, 3 HAVING sum(x.reports) <> 0 OR sum(x.verified) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT (day, organisation_id, age_band, stripe) DO UPDATE
       SET reports = c.reports + excluded.reports, verified = c.verified + excluded.verified;
    RETURN NULL;
END $$;

-- Every count again from the rows (the backfill; also the repair after a TRUNCATE of reports,
-- reviews or toilets alone, which fires no row trigger).
CREATE FUNCTION office_counts_rebuild() RETURNS void LANGUAGE sql AS $$
    DELETE FROM office_day_counts;
    DELETE FROM office_group_days;
    DELETE FROM office_volunteer_days;
    DELETE FROM office_toilet_counts;
    INSERT INTO office_day_counts (day, district_code, stripe, reports, verified, published)
    SELECT day, district_code, 0, sum(reports), sum(verified), sum(published) FROM (
        SELECT {KST.format('submitted_at')} AS day, district_code, count(*) AS reports, 0 AS verified,
               0 AS published FROM reports GROUP BY 1, 2
        UNION ALL
        SELECT {KST.format('rv.created_at')}, r.district_code, 0, count(*), 0
          FROM reviews rv JOIN reports r ON r.id = rv.report_id WHERE {APPROVING.format('rv')} GROUP BY 1, 2
        UNION ALL
        SELECT {KST.format('created_at')}, district_code, 0, 0, count(*) FROM toilets WHERE status = 'active'
         GROUP BY 1, 2) x
     GROUP BY day, district_code;
    INSERT INTO office_group_days (day, organisation_id, age_band, stripe, reports, verified)
    SELECT day, coalesce(a.organisation_id, 0), coalesce(a.age_band, 'unknown'), 0, sum(reports), sum(verified)
      FROM (SELECT volunteer_id, {KST.format('submitted_at')} AS day, count(*) AS reports, 0 AS verified
              FROM reports GROUP BY 1, 2
            UNION ALL
            SELECT r.volunteer_id, {KST.format('rv.created_at')}, 0, count(*)
              FROM reviews rv JOIN reports r ON r.id = rv.report_id WHERE {APPROVING.format('rv')} GROUP BY 1, 2) x
      JOIN accounts a ON a.id = x.volunteer_id AND a.role = 'volunteer'
     GROUP BY 1, 2, 3;
    INSERT INTO office_volunteer_days (volunteer_id, day, reports)
    SELECT volunteer_id, {KST.format('submitted_at')}, count(*) FROM reports GROUP BY 1, 2;
    INSERT INTO office_toilet_counts (district_code, verdict, stripe, active)
    SELECT district_code, verdict, 0, count(*) FROM toilets WHERE status = 'active' GROUP BY 1, 2;
$$;
"""

TRIGGERS = """
CREATE TRIGGER office_reports_insert AFTER INSERT ON reports REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION office_reports_rows();
CREATE TRIGGER office_reports_delete AFTER DELETE ON reports REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION office_reports_rows();
CREATE TRIGGER office_reports_update AFTER UPDATE OF submitted_at, district_code, volunteer_id ON reports
    FOR EACH ROW WHEN ((OLD.submitted_at, OLD.district_code, OLD.volunteer_id)
                       IS DISTINCT FROM (NEW.submitted_at, NEW.district_code, NEW.volunteer_id))
    EXECUTE FUNCTION office_reports_update();
CREATE TRIGGER office_reviews_insert AFTER INSERT ON reviews REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION office_reviews_rows();
CREATE TRIGGER office_reviews_delete AFTER DELETE ON reviews REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION office_reviews_rows();
CREATE TRIGGER office_reviews_update AFTER UPDATE OF report_id, action, status, created_at ON reviews
    FOR EACH ROW WHEN ((OLD.report_id, OLD.action, OLD.status, OLD.created_at)
                       IS DISTINCT FROM (NEW.report_id, NEW.action, NEW.status, NEW.created_at))
    EXECUTE FUNCTION office_reviews_update();
CREATE TRIGGER office_accounts_update AFTER UPDATE OF organisation_id, age_band, role ON accounts
    FOR EACH ROW WHEN ((OLD.organisation_id, OLD.age_band, OLD.role) IS DISTINCT FROM
                       (NEW.organisation_id, NEW.age_band, NEW.role))
    EXECUTE FUNCTION office_accounts_update();
CREATE TRIGGER office_toilets_insert AFTER INSERT ON toilets REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION office_toilets_rows();
CREATE TRIGGER office_toilets_delete AFTER DELETE ON toilets REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION office_toilets_rows();
CREATE TRIGGER office_toilets_update AFTER UPDATE OF status, created_at, district_code, verdict ON toilets
    FOR EACH ROW WHEN ((OLD.status, OLD.created_at, OLD.district_code, OLD.verdict)
                       IS DISTINCT FROM (NEW.status, NEW.created_at, NEW.district_code, NEW.verdict))
    EXECUTE FUNCTION office_toilets_update();
"""


def upgrade() -> None:
    op.create_table(
        "office_day_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("district_code", sa.String(length=5), nullable=False),
        sa.Column("stripe", sa.SmallInteger(), nullable=False),
        sa.Column("reports", sa.Integer(), server_default="0", nullable=False),
        sa.Column("verified", sa.Integer(), server_default="0", nullable=False),
        sa.Column("published", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("day", "district_code", "stripe", name=op.f("pk_office_day_counts")),
    )
    op.create_table(
        "office_group_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("age_band", sa.String(length=16), nullable=False),
        sa.Column("stripe", sa.SmallInteger(), nullable=False),
        sa.Column("reports", sa.Integer(), server_default="0", nullable=False),
        sa.Column("verified", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("day", "organisation_id", "age_band", "stripe", name=op.f("pk_office_group_days")),
    )
    op.create_table(
        "office_volunteer_days",
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reports", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("volunteer_id", "day", name=op.f("pk_office_volunteer_days")),
    )
    op.create_table(
        "office_toilet_counts",
        sa.Column("district_code", sa.String(length=5), nullable=False),
        sa.Column("verdict", sa.String(length=24), nullable=False),
        sa.Column("stripe", sa.SmallInteger(), nullable=False),
        sa.Column("active", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("district_code", "verdict", "stripe", name=op.f("pk_office_toilet_counts")),
    )
    op.create_index("ix_reference_toilets_office", "reference_toilets", ["district_code"],
                    postgresql_include=["match_status", "candidate_toilet_id", "disabled_stalls"])
    op.create_index("ix_reference_toilets_gaps", "reference_toilets", ["district_code", "name", "id"],
                    postgresql_where=sa.text("disabled_stalls > 0"),
                    postgresql_include=["match_status", "candidate_toilet_id"])
    op.create_index("ix_toilets_active", "toilets", ["id"], postgresql_where=sa.text("status = 'active'"))
    op.execute(FUNCTIONS)
    op.execute(TRIGGERS)
    op.execute("SELECT office_counts_rebuild()")


def downgrade() -> None:
    op.execute("DROP TRIGGER office_accounts_update ON accounts")
    for table in ("reports", "reviews", "toilets"):
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER office_{table}_{event} ON {table}")
    op.execute("DROP FUNCTION office_counts_rebuild(), office_accounts_update(), office_toilets_update(), office_toilets_rows(), "
               "office_reviews_update(), office_reviews_rows(), office_reports_update(), office_reports_rows(), "
               "office_apply_toilets(varchar[], varchar[], integer[]), office_apply(office_delta[])")
    op.execute("DROP TYPE office_delta")
    op.drop_index("ix_toilets_active", table_name="toilets")
    op.drop_index("ix_reference_toilets_gaps", table_name="reference_toilets")
    op.drop_index("ix_reference_toilets_office", table_name="reference_toilets")
    op.drop_table("office_toilet_counts")
    op.drop_table("office_volunteer_days")
    op.drop_table("office_group_days")
    op.drop_table("office_day_counts")
