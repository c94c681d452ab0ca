"""Docket ids on charges (unique per case), for docket sync."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_refresh_jurisdiction_profiles"),
    ]

    operations = [
        migrations.AddField(
            model_name="charge",
            name="external_id",
            field=models.CharField(
                blank=True,
                help_text="Identifier in the court docket system.",
                max_length=128,
                null=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="charge",
            constraint=models.UniqueConstraint(
                condition=models.Q(("external_id__isnull", False)),
                fields=("case", "external_id"),
                name="charge_external_id_unique_per_case",
            ),
        ),
    ]
