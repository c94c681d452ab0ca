"""The Speedy Trial Act limits roll off weekends and legal holidays.

Fed. R. Crim. P. 45(a) applies "in computing any time period specified in these rules, in any
local rule or court order, or in any statute that does not specify a method of computing
time"; 18 U.S.C. § 3161 specifies none, so a 30-day (§ 3161(b)) or 70-day (§ 3161(c)(1)) limit
whose last day is a Saturday, Sunday or legal holiday runs to the next day that is not one
(45(a)(1)(C)). They were seeded as "does not roll".
"""

from django.db import migrations

# The Speedy Trial Act rules seeded by 0003_seed_rules.
CODES = ["us-usc-3161b-indictment", "us-usc-3161c1-trial"]


def roll_forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    DeadlineRule.objects.filter(code__in=CODES).update(roll="forward")


def roll_none(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    DeadlineRule.objects.filter(code__in=CODES).update(roll="none")


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0009_alert_sending")]
    operations = [migrations.RunPython(roll_forward, roll_none)]
