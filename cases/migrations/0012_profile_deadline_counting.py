"""Give the shipped profiles their way of counting deadlines (deadlines.computation.Counting):
Fed. R. Crim. P. 45(a)(3)(A) and 45(a)(6)(C) for us-fed, CPL art. 105 for cn. The values are
frozen here, as shipped; cases.profiles holds the same for new databases and seed_demo."""

from django.db import migrations

COUNTING = {
    "us-fed": {
        "counting_citation": "Rule 45(a)(1)(A)",
        "closure_extends_forward": True,
        "closure_citation": "Rule 45(a)(3)(A)",
        "subdivision_holidays_after_only": True,
        "holiday_extension_suspended_in_custody": False,
    },
    "cn": {
        "counting_citation": "CPL art. 105",
        "closure_extends_forward": False,
        "subdivision_holidays_after_only": False,
        "holiday_extension_suspended_in_custody": True,
        "custody_citation": "《刑事诉讼法》第一百零五条 (CPL art. 105)",
    },
}


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    for code, counting in COUNTING.items():
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            continue
        jurisdiction.parameters = {**jurisdiction.parameters, "deadline_counting": counting}
        jurisdiction.save(update_fields=["parameters"])


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    for jurisdiction in Jurisdiction.objects.filter(code__in=list(COUNTING)):
        jurisdiction.parameters.pop("deadline_counting", None)
        jurisdiction.save(update_fields=["parameters"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_court_subdivision")]
    operations = [migrations.RunPython(add, remove)]
