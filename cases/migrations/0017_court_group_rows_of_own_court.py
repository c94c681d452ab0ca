"""A court group's permission rows are on its own court's cases, in the database.

Every court-wide list (cases.selectors.case_page_for_user by status, the hearing lists, the
participants', deadlines', offers', agreements' and events' court walks) finds a court member's
rows through the courts they sit in, then checks guardian's group row: sound only if a group row
never names a case of another court. cases.permissions.case_permissions_grant_court is the one
writer and writes them so; these triggers keep it so for every writer:

- a group row written for a case whose court's group is another fails with check_violation (the
  case and court rows are read FOR SHARE, so a concurrent change of the case's court or the
  court's group is waited for, then seen);
- a case moved to another court takes its court's group rows with it (the new court hears it,
  the old one no longer sees it), as its participations' and deadlines' court_id follow it;
- a court given another group hands that group its cases' rows.

The bench seeds write under session_replication_role = replica, which skips these triggers, as
it skips the foreign keys' (the seeds write the rows as case_permissions_grant_court would)."""

from django.db import migrations

SQL = """
CREATE FUNCTION cases_group_row_of_case_court() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    court_group integer;
BEGIN
    SELECT ct.group_id INTO court_group
    FROM cases_case c JOIN cases_court ct ON ct.id = c.court_id
    WHERE c.id = NEW.content_object_id
    FOR SHARE;
    IF court_group IS DISTINCT FROM NEW.group_id THEN
        RAISE EXCEPTION 'group % is not the group of the court of case % (group %)',
            NEW.group_id, NEW.content_object_id, court_group
            USING ERRCODE = 'check_violation', CONSTRAINT = 'case_group_row_of_case_court',
                  TABLE = 'cases_casegroupobjectpermission';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER cases_group_row_court
    BEFORE INSERT OR UPDATE OF group_id, content_object_id ON cases_casegroupobjectpermission
    FOR EACH ROW EXECUTE FUNCTION cases_group_row_of_case_court();

CREATE FUNCTION cases_group_rows_follow_case_court() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases_casegroupobjectpermission
    SET group_id = (SELECT group_id FROM cases_court WHERE id = NEW.court_id)
    WHERE content_object_id = NEW.id
      AND group_id = (SELECT group_id FROM cases_court WHERE id = OLD.court_id);
    RETURN NULL;
END $$;
CREATE TRIGGER cases_group_rows_case_court
    AFTER UPDATE OF court_id ON cases_case
    FOR EACH ROW WHEN (OLD.court_id IS DISTINCT FROM NEW.court_id)
    EXECUTE FUNCTION cases_group_rows_follow_case_court();

CREATE FUNCTION cases_group_rows_follow_court_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases_casegroupobjectpermission
    SET group_id = NEW.group_id
    WHERE group_id = OLD.group_id
      AND content_object_id IN (SELECT id FROM cases_case WHERE court_id = NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER cases_group_rows_court_group
    AFTER UPDATE OF group_id ON cases_court
    FOR EACH ROW WHEN (OLD.group_id IS DISTINCT FROM NEW.group_id)
    EXECUTE FUNCTION cases_group_rows_follow_court_group();
"""

REVERSE_SQL = """
DROP TRIGGER cases_group_rows_court_group ON cases_court;
DROP FUNCTION cases_group_rows_follow_court_group();
DROP TRIGGER cases_group_rows_case_court ON cases_case;
DROP FUNCTION cases_group_rows_follow_case_court();
DROP TRIGGER cases_group_row_court ON cases_casegroupobjectpermission;
DROP FUNCTION cases_group_row_of_case_court();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_profile_document_language")]

    operations = [migrations.RunSQL(sql=SQL, reverse_sql=REVERSE_SQL)]
