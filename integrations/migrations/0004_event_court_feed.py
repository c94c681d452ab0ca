"""A court member's change feed walks their court's events in the feed's order (court_id, txid,
id) from the cursor (integrations.selectors.event_feed), instead of testing every event against
the court's cases. The walk is exact only if an event's court is its case's court, as the
writers set it (integrations.events): a trigger now keeps it so whoever writes the row, and
carries a change of a case's court to its events, as parties 0009 does for participations."""

from django.db import migrations, models

SQL = """
CREATE FUNCTION integrations_event_set_court() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.court_id := (SELECT court_id FROM cases_case WHERE id = NEW.case_id);
    RETURN NEW;
END $$;
CREATE TRIGGER integrations_event_court
    BEFORE INSERT OR UPDATE OF case_id, court_id ON integrations_event
    FOR EACH ROW EXECUTE FUNCTION integrations_event_set_court();
ALTER TABLE integrations_event ENABLE ALWAYS TRIGGER integrations_event_court;

CREATE FUNCTION integrations_event_follow_case_court() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE integrations_event SET court_id = NEW.court_id WHERE case_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER integrations_event_case_court
    AFTER UPDATE OF court_id ON cases_case
    FOR EACH ROW WHEN (OLD.court_id IS DISTINCT FROM NEW.court_id)
    EXECUTE FUNCTION integrations_event_follow_case_court();
ALTER TABLE cases_case ENABLE ALWAYS TRIGGER integrations_event_case_court;
"""

REVERSE_SQL = """
DROP TRIGGER integrations_event_case_court ON cases_case;
DROP FUNCTION integrations_event_follow_case_court();
DROP TRIGGER integrations_event_court ON integrations_event;
DROP FUNCTION integrations_event_set_court();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_db_defaults_for_bulk_writers"),
        ("integrations", "0003_event_retention"),
    ]

    operations = [
        migrations.RunSQL(sql=SQL, reverse_sql=REVERSE_SQL),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["court", "txid", "id"], name="event_court_feed"),
        ),
    ]
