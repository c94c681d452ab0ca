"""The court of each participation's case, on the row: the court-wide list of participations
(cases.party_selectors.participants_listed_for_user) walks (court_id, id) from its cursor
instead of testing every participation against a court's cases.

A column the ORM does not map: a trigger sets it from the case on every insert and on every
change of case_id (or of court_id itself, which it overwrites), and a trigger on cases_case
carries a change of a case's court to its participations, so it always equals the case's
court whoever writes the rows (services, bulk_create, fixtures)."""

from django.db import migrations

SQL = """
ALTER TABLE parties_caseparticipant ADD COLUMN court_id bigint;
UPDATE parties_caseparticipant p SET court_id = c.court_id FROM cases_case c WHERE c.id = p.case_id;
ALTER TABLE parties_caseparticipant ALTER COLUMN court_id SET NOT NULL;

CREATE FUNCTION parties_caseparticipant_set_court() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.court_id := (SELECT court_id FROM cases_case WHERE id = NEW.case_id);
    RETURN NEW;
END $$;
CREATE TRIGGER parties_caseparticipant_court
    BEFORE INSERT OR UPDATE OF case_id, court_id ON parties_caseparticipant
    FOR EACH ROW EXECUTE FUNCTION parties_caseparticipant_set_court();
-- Also under session_replication_role = replica (the bench seeds' bulk loads).
ALTER TABLE parties_caseparticipant ENABLE ALWAYS TRIGGER parties_caseparticipant_court;

CREATE FUNCTION parties_caseparticipant_follow_case_court() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE parties_caseparticipant SET court_id = NEW.court_id WHERE case_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER parties_caseparticipant_case_court
    AFTER UPDATE OF court_id ON cases_case
    FOR EACH ROW WHEN (OLD.court_id IS DISTINCT FROM NEW.court_id)
    EXECUTE FUNCTION parties_caseparticipant_follow_case_court();
ALTER TABLE cases_case ENABLE ALWAYS TRIGGER parties_caseparticipant_case_court;

CREATE INDEX participant_court_id ON parties_caseparticipant (court_id, id);
"""

REVERSE_SQL = """
DROP TRIGGER parties_caseparticipant_case_court ON cases_case;
DROP FUNCTION parties_caseparticipant_follow_case_court();
DROP TRIGGER parties_caseparticipant_court ON parties_caseparticipant;
DROP FUNCTION parties_caseparticipant_set_court();
ALTER TABLE parties_caseparticipant DROP COLUMN court_id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_db_defaults_for_bulk_writers"),
        ("parties", "0008_name_search_indexes"),
    ]

    operations = [migrations.RunSQL(sql=SQL, reverse_sql=REVERSE_SQL)]
