"""Inserts are recorded once per statement (audit_rows_inserted, over the statement's transition
table) instead of row by row: the same rows in the trail, in a statement instead of a trigger
call per inserted row. Updates and deletes stay with audit_row_change, row by row."""

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
    "cases_jurisdiction", "cases_court", "cases_statute", "cases_statute_lesser_included",
    "parties_organization", "parties_userprofile", "auth_user", "authtoken_token",
    "accounts_personaltoken", "otp_totp_totpdevice", "otp_static_staticdevice",
    "otp_static_statictoken", "integrations_apiclient", "integrations_apitoken",
    "webhooks_webhookendpoint", "webhooks_webhooksecret", "auth_user_groups",
    "auth_user_user_permissions", "auth_group_permissions",
]  # fmt: skip


def _watched():
    by_table = {w.table: w for w in sql.WATCHED}
    return [by_table[table] for table in TABLES]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_mask_participant_conflicts"),
        ("accounts", "0003_audit_triggers"),
    ]

    operations = [
        migrations.RunSQL(sql.INSERT_FUNCTION_SQL, sql.DROP_INSERT_FUNCTION_SQL),
        *[
            migrations.RunSQL(sql.watch_sql(watched), sql.watch_rows_sql(watched))
            for watched in _watched()
        ],
    ]
