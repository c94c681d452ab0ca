"""Two things at the size of a court system.

1. The open deadlines of a court by last day: "Upcoming" for a court's members
   (deadlines.selectors.upcoming_for) walks (court_id, due_date, due_at, id) among the open
   deadlines only, from the first; walked along deadline_court_due it would pass every deadline
   the court ever closed.

2. A hearing is held in a courtroom of its case's court, in the database: the court's lists of
   hearings (deadlines.selectors.hearing_page_for_user, docket) find a court's hearings through
   its courtrooms, so a hearing in another court's courtroom would be shown to the wrong court
   and hidden from its own. deadlines.services refuses it with a message; this is the
   guarantee for every other writer. Three triggers: a hearing written with (or moved to) a
   courtroom or case of another court, a case moved to another court while it has hearings in
   the old one's courtrooms, and a courtroom moved to another court while it holds hearings of
   the old one's cases, each fail with check_violation. The case and courtroom rows are read
   FOR SHARE, which waits for a concurrent change of their court to commit (and then sees it),
   so two transactions cannot each pass the check against the other's old court."""

from django.db import migrations

SQL = """
CREATE INDEX deadline_court_open_due ON deadlines_deadline (court_id, due_date, due_at, id)
    WHERE status = 'open';

CREATE FUNCTION deadlines_hearing_courtroom_of_case_court() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    case_court bigint;
    room_court bigint;
BEGIN
    SELECT court_id INTO case_court FROM cases_case WHERE id = NEW.case_id FOR SHARE;
    SELECT court_id INTO room_court FROM deadlines_courtroom WHERE id = NEW.courtroom_id FOR SHARE;
    IF case_court IS DISTINCT FROM room_court THEN
        RAISE EXCEPTION 'hearing % of case % is in courtroom % of court %, not of the case''s court %',
            NEW.id, NEW.case_id, NEW.courtroom_id, room_court, case_court
            USING ERRCODE = 'check_violation', CONSTRAINT = 'hearing_courtroom_of_case_court',
                  TABLE = 'deadlines_hearing';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER deadlines_hearing_courtroom_court
    BEFORE INSERT OR UPDATE OF case_id, courtroom_id ON deadlines_hearing
    FOR EACH ROW EXECUTE FUNCTION deadlines_hearing_courtroom_of_case_court();

CREATE FUNCTION deadlines_hearing_case_court_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM deadlines_hearing h JOIN deadlines_courtroom r ON r.id = h.courtroom_id
               WHERE h.case_id = NEW.id AND r.court_id IS DISTINCT FROM NEW.court_id) THEN
        RAISE EXCEPTION 'case % has hearings in courtrooms of court %: move them first',
            NEW.id, OLD.court_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'hearing_courtroom_of_case_court',
                  TABLE = 'cases_case';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER deadlines_hearing_case_court
    AFTER UPDATE OF court_id ON cases_case
    FOR EACH ROW WHEN (OLD.court_id IS DISTINCT FROM NEW.court_id)
    EXECUTE FUNCTION deadlines_hearing_case_court_moved();

CREATE FUNCTION deadlines_hearing_courtroom_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM deadlines_hearing h JOIN cases_case c ON c.id = h.case_id
               WHERE h.courtroom_id = NEW.id AND c.court_id IS DISTINCT FROM NEW.court_id) THEN
        RAISE EXCEPTION 'courtroom % holds hearings of cases of court %', NEW.id, OLD.court_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'hearing_courtroom_of_case_court',
                  TABLE = 'deadlines_courtroom';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER deadlines_hearing_courtroom_moved
    AFTER UPDATE OF court_id ON deadlines_courtroom
    FOR EACH ROW WHEN (OLD.court_id IS DISTINCT FROM NEW.court_id)
    EXECUTE FUNCTION deadlines_hearing_courtroom_moved();
"""

REVERSE_SQL = """
DROP TRIGGER deadlines_hearing_courtroom_moved ON deadlines_courtroom;
DROP FUNCTION deadlines_hearing_courtroom_moved();
DROP TRIGGER deadlines_hearing_case_court ON cases_case;
DROP FUNCTION deadlines_hearing_case_court_moved();
DROP TRIGGER deadlines_hearing_courtroom_court ON deadlines_hearing;
DROP FUNCTION deadlines_hearing_courtroom_of_case_court();
DROP INDEX deadline_court_open_due;
"""


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0013_rule_translations")]

    operations = [migrations.RunSQL(sql=SQL, reverse_sql=REVERSE_SQL)]
