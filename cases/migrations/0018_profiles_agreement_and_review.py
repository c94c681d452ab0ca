"""The shipped profiles gain what they say about the plea agreement and the court's review
(review outcomes, CPL art. 201's grounds and its adjustment, the procedures of CPL art. 174,
the checklist of Fed. R. Crim. P. 11(b)(1), the recorded limits on appeal), and the cn-reform
profile (Meng 2023) is added. Loaded from cases.profiles, as 0009 did, with only the fields
this state of the model has."""

from django.db import migrations


def load_profiles(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cases.profiles import PROFILES

    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    known = {field.name for field in Jurisdiction._meta.get_fields()}
    for code, fields in PROFILES.items():
        defaults = {name: value for name, value in fields.items() if name in known}
        Jurisdiction.objects.update_or_create(code=code, defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_court_group_rows_of_own_court")]
    operations = [migrations.RunPython(load_profiles, migrations.RunPython.noop)]
