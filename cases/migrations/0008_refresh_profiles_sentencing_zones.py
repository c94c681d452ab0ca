"""Refresh the shipped profiles: us-fed now holds the zones of the Sentencing Table and the
sentences each allows (USSG Ch. 5, Pt. A; §5B1.1; §5C1.1)."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cases.profiles import PROFILES

    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    for code, fields in PROFILES.items():
        Jurisdiction.objects.update_or_create(code=code, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_statute_mandatory_term_consecutive")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
