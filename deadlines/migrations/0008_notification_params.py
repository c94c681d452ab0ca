"""Notifications keep references, not copies (deadlines.notifications renders them when read).

Each kept notification's reference is recovered from its link: a note or document from the
anchor of its record page, a webhook endpoint from its page. An alert's notification needs none
(its alert is the reference). Those whose reference cannot be recovered (a discovery notice) are
deleted rather than kept as a copy nobody's walls can check.
"""

import re

from django.db import migrations, models

_NOTE = re.compile(r"#note-(\d+)$")
_DOCUMENT = re.compile(r"#document-(\d+)$")
_ENDPOINT = re.compile(r"/webhooks/(\d+)/?$")


def _params_of(url: str) -> dict[str, int] | None:
    for key, pattern in (("note", _NOTE), ("document", _DOCUMENT), ("endpoint", _ENDPOINT)):
        found = pattern.search(url or "")
        if found:
            return {key: int(found.group(1))}
    return None


def forwards(apps, schema_editor):
    Notification = apps.get_model("deadlines", "Notification")
    doomed = []
    for row in Notification.objects.filter(alert__isnull=True).only("id", "url").iterator():
        params = _params_of(row.url)
        if params is None:
            doomed.append(row.pk)
        else:
            Notification.objects.filter(pk=row.pk).update(params=params)
    Notification.objects.filter(pk__in=doomed).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0007_alert_subject_integration")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="notification", name="title"),
        migrations.RemoveField(model_name="notification", name="body"),
        migrations.RemoveField(model_name="notification", name="url"),
    ]
