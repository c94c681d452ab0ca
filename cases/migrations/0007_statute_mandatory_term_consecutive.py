"""Statutes say whether their mandatory term runs consecutively to every other term, and the
catalogue marks the two federal ones: 18 U.S.C. 1028A(b)(2) (aggravated identity theft, "no
term of imprisonment imposed on a person under this section shall run concurrently with any
other term of imprisonment") and 924(c)(1)(D)(ii) (firearm in a crime of violence or drug
trafficking crime)."""

from django.db import migrations, models

CONSECUTIVE_CITATIONS = r"^18 U\.S\.C\. (§ ?)?(1028A|924\(c\))"


def mark(apps, schema_editor):  # type: ignore[no-untyped-def]
    Statute = apps.get_model("cases", "Statute")
    Statute.objects.filter(citation__regex=CONSECUTIVE_CITATIONS).update(
        mandatory_term_consecutive=True
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_mfa_required")]

    operations = [
        migrations.AddField(
            model_name="statute",
            name="mandatory_term_consecutive",
            field=models.BooleanField(
                default=False,
                help_text="The statute requires its mandatory term to run consecutively to any "
                "other term (e.g. 18 U.S.C. 1028A(b)(2), 924(c)(1)(D)(ii)): it is added to the "
                "range of the other counts, not taken as a floor within it (USSG 5G1.2(a)).",
                verbose_name="mandatory term consecutive",
            ),
        ),
        migrations.RunPython(mark, migrations.RunPython.noop),
    ]
