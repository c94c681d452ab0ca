"""The deadline rules are profile data: each profile of cases/data/profiles.json lists its
`deadline_rules` (deadlines.rules), loaded here. The shipped rules are those 0003, 0010 and
0013 wrote, with the same codes; cn-reform gets the CPL's own, under codes of its own."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from deadlines.rules import deadline_rules_load

    deadline_rules_load(
        rule_model=apps.get_model("deadlines", "DeadlineRule"),
        jurisdiction_model=apps.get_model("cases", "Jurisdiction"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_profile_data_file"),
        ("deadlines", "0014_open_court_due_and_courtroom_of_case_court"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
