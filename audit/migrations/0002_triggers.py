"""Install the audit trigger function, the append-only guard and one trigger per watched table.

The table list is audit.sql.WATCHED as it stood when this migration was written; a table added
to WATCHED later gets its trigger from a new migration (tests/test_audit_trail.py checks that
every watched table has one).
"""

from django.db import migrations

from audit import sql

TABLES = [
    "cases_case", "cases_charge", "cases_casestatuschange", "cases_caseuserobjectpermission",
    "cases_casegroupobjectpermission", "parties_caseparticipant", "parties_defendant",
    "negotiations_offer", "negotiations_offerterm", "negotiations_concession",
    "negotiations_suggestion", "negotiations_pleaagreement", "negotiations_signature",
    "deadlines_hearing", "deadlines_hearingchange", "deadlines_deadline",
    "deadlines_deadlinechange", "deadlines_deadlinerule", "deadlines_courtclosure",
    "deadlines_courtroom", "records_note", "records_document", "records_disclosure",
    "auth_user_groups", "auth_user_user_permissions", "auth_group_permissions",
    "cases_jurisdiction", "cases_court", "cases_statute", "cases_statute_lesser_included",
    "parties_organization", "parties_userprofile", "auth_user", "authtoken_token",
]


def _watched():
    by_table = {w.table: w for w in sql.WATCHED}
    return [by_table[table] for table in TABLES]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cases", "0004_refresh_jurisdiction_profiles"),
        ("parties", "0003_userprofile_is_supervisor"),
        ("negotiations", "0003_offer_discovery_disclosure_ids"),
        ("deadlines", "0005_alter_alert_subject_alter_notification_subject"),
        ("records", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [
        migrations.RunSQL(sql.FUNCTION_SQL, sql.DROP_FUNCTION_SQL),
        *[
            migrations.RunSQL(sql.watch_rows_sql(watched), sql.unwatch_sql(watched))
            for watched in _watched()
        ],
    ]
