"""The court of each offer's and each agreement's case, on the row: a court member's list of
offers (where the court reads them) and of agreements (negotiations.selectors
.offers_listed_for_user, agreements_listed_for_user) walks (court_id, id) from its cursor, and a
list of one status (court_id, status, id), instead of testing the table's rows
newest first against the court's cases.

As parties 0009 and deadlines 0012: a column the ORM does not map, set from the case by a
trigger on every insert and on every change of case_id (or of court_id itself, which it
overwrites), and carried to the rows by a trigger on cases_case when a case's court changes; so
it equals the case's court whoever writes the rows (services, bulk_create, the bench seeds)."""

from django.db import migrations

TABLES = ("negotiations_offer", "negotiations_pleaagreement")


def _sql(table: str) -> str:
    return f"""
ALTER TABLE {table} ADD COLUMN court_id bigint;
UPDATE {table} t SET court_id = c.court_id FROM cases_case c WHERE c.id = t.case_id;
ALTER TABLE {table} ALTER COLUMN court_id SET NOT NULL;

CREATE FUNCTION {table}_set_court() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.court_id := (SELECT court_id FROM cases_case WHERE id = NEW.case_id);
    RETURN NEW;
END $$;
CREATE TRIGGER {table}_court
    BEFORE INSERT OR UPDATE OF case_id, court_id ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_set_court();
-- Also under session_replication_role = replica (the bench seeds' bulk loads).
ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_court;

CREATE FUNCTION {table}_follow_case_court() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {table} SET court_id = NEW.court_id WHERE case_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_case_court
    AFTER UPDATE OF court_id ON cases_case
    FOR EACH ROW WHEN (OLD.court_id IS DISTINCT FROM NEW.court_id)
    EXECUTE FUNCTION {table}_follow_case_court();
ALTER TABLE cases_case ENABLE ALWAYS TRIGGER {table}_case_court;
"""


def _reverse_sql(table: str) -> str:
    return f"""
DROP TRIGGER {table}_case_court ON cases_case;
DROP FUNCTION {table}_follow_case_court();
DROP TRIGGER {table}_court ON {table};
DROP FUNCTION {table}_set_court();
ALTER TABLE {table} DROP COLUMN court_id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_db_defaults_for_bulk_writers"),
        ("negotiations", "0007_agreement_document_languages"),
    ]

    operations = [
        *(migrations.RunSQL(sql=_sql(table), reverse_sql=_reverse_sql(table)) for table in TABLES),
        migrations.RunSQL(
            sql="CREATE INDEX offer_court_id ON negotiations_offer (court_id, id);"
            "CREATE INDEX offer_court_status_id ON negotiations_offer (court_id, status, id);"
            "CREATE INDEX agreement_court_id ON negotiations_pleaagreement (court_id, id);"
            "CREATE INDEX agreement_court_status_id"
            " ON negotiations_pleaagreement (court_id, status, id);",
            reverse_sql="DROP INDEX offer_court_id; DROP INDEX offer_court_status_id;"
            " DROP INDEX agreement_court_id;"
            " DROP INDEX agreement_court_status_id;",
        ),
    ]
