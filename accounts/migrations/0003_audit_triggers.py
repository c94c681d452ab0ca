"""Watch the sign-in tables in the audit trail: personal tokens and second factors."""

from django.db import migrations

from audit import sql

TABLES = [
    "accounts_personaltoken",
    "otp_totp_totpdevice",
    "otp_static_staticdevice",
    "otp_static_statictoken",
]


def _watched():
    by_table = {w.table: w for w in sql.WATCHED}
    return [by_table[table] for table in TABLES]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_personal_tokens_from_drf"),
        ("audit", "0003_integration_triggers"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunSQL(sql.watch_rows_sql(watched), sql.unwatch_sql(watched))
        for watched in _watched()
    ]
