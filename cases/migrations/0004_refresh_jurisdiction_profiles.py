"""Refresh the shipped profiles: the CN profile now lists the leniency circumstances."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cases.profiles import PROFILES

    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    for code, fields in PROFILES.items():
        Jurisdiction.objects.update_or_create(code=code, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_load_jurisdiction_profiles")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
