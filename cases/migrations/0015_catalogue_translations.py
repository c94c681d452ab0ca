"""Catalogue data in both languages of Parley's catalogues: a `translations` map on profiles and
statutes (core.text.in_language), and the shipped profiles' names in Chinese."""


from django.db import migrations, models

NAMES = {
    "us-fed": {"zh-hans": {"name": "美国联邦法院"}},
    "cn": {"zh-hans": {"name": "中华人民共和国"}},
}


def names_in_chinese(apps, schema_editor):  # type: ignore[no-untyped-def]
    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    for code, translations in NAMES.items():
        Jurisdiction.objects.filter(code=code).update(translations=translations)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0014_db_defaults_for_bulk_writers'),
    ]

    operations = [
        migrations.AddField(
            model_name='jurisdiction',
            name='translations',
            field=models.JSONField(blank=True, db_default=models.Value({}, output_field=models.JSONField()), default=dict, verbose_name='translations'),
        ),
        migrations.AddField(
            model_name='statute',
            name='translations',
            field=models.JSONField(blank=True, db_default=models.Value({}, output_field=models.JSONField()), default=dict, verbose_name='translations'),
        ),
        migrations.RunPython(names_in_chinese, migrations.RunPython.noop),
    ]
