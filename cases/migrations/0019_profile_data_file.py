"""Profiles become a versioned data file (cases/data/profiles.json, validated by
cases/data/profiles.schema.json): each profile records the version it was loaded from and the
source of each of its rules, and version 1 of the file is loaded. It adds the cn-reform profile
(Meng 2023) and the parameters of who negotiates, what is negotiable and how the defense's
suggestions are considered (docs/profiles.md).

A later version of the file comes with its own migration that loads it (PROFILE_VERSION): a
test holds the newest of them to the file's version."""

from django.db import migrations, models

PROFILE_VERSION = 1


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cases.profiles import profile_data_read, profile_fields

    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    known = {field.name for field in Jurisdiction._meta.get_fields()}
    data = profile_data_read()
    for code in data["profiles"]:
        # Only what this migration's Jurisdiction has: a later migration adds the rest.
        fields = {k: v for k, v in profile_fields(data, code).items() if k in known}
        Jurisdiction.objects.update_or_create(code=code, defaults=fields)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0018_profiles_agreement_and_review'),
    ]

    operations = [
        migrations.AddField(
            model_name='jurisdiction',
            name='profile_version',
            field=models.PositiveIntegerField(db_default=0, default=0, help_text='The version of cases/data/profiles.json this profile was loaded from.'),
        ),
        migrations.AddField(
            model_name='jurisdiction',
            name='sources',
            field=models.JSONField(blank=True, db_default=models.Value({}, output_field=models.JSONField()), default=dict, help_text='Where each rule of the profile comes from, by field or parameter name.'),
        ),
        migrations.AlterField(
            model_name='jurisdiction',
            name='parameters',
            field=models.JSONField(blank=True, default=dict, help_text="The profile's rules: who negotiates, what is negotiable, sentencing and deadline counting (cases/data/profiles.schema.json, docs/profiles.md)."),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
