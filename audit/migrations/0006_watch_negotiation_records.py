"""Watch the prosecution's records of the negotiation: a case marked complex, the rights of the
leniency system explained (negotiations 0009). Behind the negotiation's wall."""

from django.db import migrations

from audit import sql

TABLES = ["negotiations_complexcasemark", "negotiations_rightsexplanation"]


def _watched():
    by_table = {w.table: w for w in sql.WATCHED}
    return [by_table[table] for table in TABLES]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_insert_triggers_per_statement"),
        ("negotiations", "0010_complex_mark_rights_explanation"),
    ]

    operations = [
        migrations.RunSQL(sql.watch_sql(watched), sql.unwatch_sql(watched))
        for watched in _watched()
    ]
