"""Docket ids on hearings (unique per case), for docket sync."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_charge_external_id"),
        ("deadlines", "0005_alter_alert_subject_alter_notification_subject"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="hearing",
            name="external_id",
            field=models.CharField(
                blank=True,
                help_text="Identifier in the court docket system.",
                max_length=128,
                null=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="hearing",
            constraint=models.UniqueConstraint(
                condition=models.Q(("external_id__isnull", False)),
                fields=("case", "external_id"),
                name="hearing_external_id_unique_per_case",
            ),
        ),
    ]
