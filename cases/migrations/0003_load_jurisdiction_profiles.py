"""Load the US federal and Chinese jurisdiction profiles that ship with Parley."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cases.profiles import PROFILES

    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    for code, fields in PROFILES.items():
        Jurisdiction.objects.update_or_create(code=code, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
