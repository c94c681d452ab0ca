"""The trail records a participation's conflicts of interest as "[redacted]" (see audit.sql)."""

from django.db import migrations

from audit import sql
from audit.sql import Watched

BEFORE = Watched("parties_caseparticipant", "participant")
AFTER = Watched("parties_caseparticipant", "participant", mask="conflicts")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_integration_triggers"), ("parties", "0007_conflicts_as_facts")]

    operations = [
        migrations.RunSQL(
            [sql.unwatch_sql(BEFORE), sql.watch_rows_sql(AFTER)],
            [sql.unwatch_sql(AFTER), sql.watch_rows_sql(BEFORE)],
        )
    ]
