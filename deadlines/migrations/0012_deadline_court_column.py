"""The court of each deadline's case, on the row: court staff's list of deadlines
(deadlines.selectors.deadlines_listed_for_user) walks (court_id, due_date, id) from its cursor
instead of testing every deadline against a court's cases.

A column the ORM does not map: a trigger sets it from the case on every insert and on every
change of case_id (or of court_id itself, which it overwrites), and a trigger on cases_case
carries a change of a case's court to its deadlines, so it always equals the case's
court whoever writes the rows (services, bulk_create, fixtures)."""

from django.db import migrations

SQL = """
ALTER TABLE deadlines_deadline ADD COLUMN court_id bigint;
UPDATE deadlines_deadline d SET court_id = c.court_id FROM cases_case c WHERE c.id = d.case_id;
ALTER TABLE deadlines_deadline ALTER COLUMN court_id SET NOT NULL;

CREATE FUNCTION deadlines_deadline_set_court() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.court_id := (SELECT court_id FROM cases_case WHERE id = NEW.case_id);
    RETURN NEW;
END $$;
CREATE TRIGGER deadlines_deadline_court
    BEFORE INSERT OR UPDATE OF case_id, court_id ON deadlines_deadline
    FOR EACH ROW EXECUTE FUNCTION deadlines_deadline_set_court();
-- Also under session_replication_role = replica (the bench seeds' bulk loads).
ALTER TABLE deadlines_deadline ENABLE ALWAYS TRIGGER deadlines_deadline_court;

CREATE FUNCTION deadlines_deadline_follow_case_court() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE deadlines_deadline SET court_id = NEW.court_id WHERE case_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER deadlines_deadline_case_court
    AFTER UPDATE OF court_id ON cases_case
    FOR EACH ROW WHEN (OLD.court_id IS DISTINCT FROM NEW.court_id)
    EXECUTE FUNCTION deadlines_deadline_follow_case_court();
ALTER TABLE cases_case ENABLE ALWAYS TRIGGER deadlines_deadline_case_court;

CREATE INDEX deadline_court_due ON deadlines_deadline (court_id, due_date, id);
"""

REVERSE_SQL = """
DROP TRIGGER deadlines_deadline_case_court ON cases_case;
DROP FUNCTION deadlines_deadline_follow_case_court();
DROP TRIGGER deadlines_deadline_court ON deadlines_deadline;
DROP FUNCTION deadlines_deadline_set_court();
ALTER TABLE deadlines_deadline DROP COLUMN court_id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_db_defaults_for_bulk_writers"),
        ("deadlines", "0011_hearing_room_status_start"),
    ]

    operations = [migrations.RunSQL(sql=SQL, reverse_sql=REVERSE_SQL)]
