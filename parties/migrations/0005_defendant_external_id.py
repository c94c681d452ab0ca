"""Docket ids on defendants, unique per court whose docket gave them (docket sync)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_charge_external_id"),
        ("parties", "0004_participant_conflicts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="defendant",
            name="external_court",
            field=models.ForeignKey(
                blank=True,
                help_text="The court whose docket system gave the external id.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.court",
            ),
        ),
        migrations.AddField(
            model_name="defendant",
            name="external_id",
            field=models.CharField(
                blank=True,
                help_text="Identifier in the court docket system.",
                max_length=128,
                null=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="defendant",
            constraint=models.UniqueConstraint(
                condition=models.Q(("external_id__isnull", False)),
                fields=("external_court", "external_id"),
                name="defendant_external_id_unique_per_court",
            ),
        ),
        migrations.AddConstraint(
            model_name="defendant",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("external_id__isnull", True),
                    ("external_court__isnull", False),
                    _connector="OR",
                ),
                name="defendant_external_id_has_court",
            ),
        ),
    ]
