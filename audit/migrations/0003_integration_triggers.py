"""Watch the integration tables: API clients, their tokens, webhook endpoints and secrets."""

from django.db import migrations

from audit import sql

TABLES = [
    "integrations_apiclient",
    "integrations_apitoken",
    "webhooks_webhookendpoint",
    "webhooks_webhooksecret",
]


def _watched():
    by_table = {w.table: w for w in sql.WATCHED}
    return [by_table[table] for table in TABLES]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_triggers"),
        ("integrations", "0001_initial"),
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(sql.watch_rows_sql(watched), sql.unwatch_sql(watched))
        for watched in _watched()
    ]
