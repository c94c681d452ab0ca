"""Give the shipped profiles their document language: the language their agreements and
discovery indexes are drawn up in, and the one their people see until they choose another;
and the paper they are printed on.
Frozen here, as shipped; cases.profiles holds the same for new databases and seed_demo."""

from django.db import migrations

LANGUAGES = {"us-fed": "en", "cn": "zh-hans", "cn-reform": "zh-hans"}
PAPER = {"us-fed": "letter", "cn": "A4", "cn-reform": "A4"}


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    for jurisdiction in Jurisdiction.objects.filter(code__in=list(LANGUAGES)):
        jurisdiction.parameters = {
            **jurisdiction.parameters,
            "document_language": LANGUAGES[jurisdiction.code],
            "document_paper": PAPER[jurisdiction.code],
        }
        jurisdiction.save(update_fields=["parameters"])


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    for jurisdiction in Jurisdiction.objects.filter(code__in=list(LANGUAGES)):
        jurisdiction.parameters.pop("document_language", None)
        jurisdiction.parameters.pop("document_paper", None)
        jurisdiction.save(update_fields=["parameters"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_catalogue_translations")]
    operations = [migrations.RunPython(add, remove)]
