"""The shipped deadline rules in both languages of Parley's catalogues.

Each rule is stored in the language of the law it comes from (a Chinese rule in Chinese, with
the article as the CPL numbers it) and carries the other language in `translations`
(core.text.in_language). The Chinese rules of 0003 held both languages in one field
("中文 / English"); they are split here. Codes are stable: rules are found by their code.
"""

from django.db import migrations, models

# The Criminal Procedure Law of the PRC (2018): the rules in Chinese, with their English.
CN = {
    "cn-cpl-172-expedited-review": {
        "name": "认罪认罚速裁案件审查起诉决定",
        "trigger_label": "案件移送审查起诉",
        "citation": "《刑事诉讼法》第一百七十二条第一款；对可能判处的有期徒刑超过一年的，为十五日",
        "en": {
            "name": "Charging decision in an expedited leniency case",
            "trigger_label": "Case transferred for review of prosecution",
            "citation": "CPL art. 172(1); 15 days if the likely sentence exceeds one year",
        },
    },
    "cn-cpl-225-expedited-trial": {
        "name": "速裁程序审结",
        "trigger_label": "人民法院受理",
        "citation": "《刑事诉讼法》第二百二十五条；对可能判处的有期徒刑超过一年的，为十五日",
        "en": {
            "name": "Expedited procedure: trial concluded",
            "trigger_label": "Case accepted by the court",
            "citation": "CPL art. 225; 15 days if the likely sentence exceeds one year",
        },
    },
    "cn-cpl-220-summary-trial": {
        "name": "简易程序审结",
        "trigger_label": "人民法院受理",
        "citation": "《刑事诉讼法》第二百二十条；对可能判处的有期徒刑超过三年的，为一个半月",
        "en": {
            "name": "Summary procedure: trial concluded",
            "trigger_label": "Case accepted by the court",
            "citation": (
                "CPL art. 220; one and a half months if the likely sentence exceeds three years"
            ),
        },
    },
    "cn-cpl-187-indictment-service": {
        "name": "起诉书副本至迟在开庭十日以前送达被告人及其辩护人",
        "trigger_label": "开庭",
        "citation": "《刑事诉讼法》第一百八十七条第一款",
        "en": {
            "name": "Indictment served at least 10 days before trial",
            "trigger_label": "Trial hearing",
            "citation": "CPL art. 187(1)",
        },
    },
}

# The US federal rules stay in English; their Chinese.
US_ZH = {
    "us-usc-3161b-indictment": {
        "name": "逮捕后 30 日内提出大陪审团起诉书或检察官起诉书",
        "trigger_label": "逮捕或送达传票",
    },
    "us-usc-3161c1-trial": {
        "name": "70 日内开始审判（《迅速审判法》）",
        "trigger_label": "提出起诉书或首次到庭，以较晚者为准",
    },
    "us-frcrp-32e2-psr-disclosure": {
        "name": "至迟在量刑 35 日前向各方提供判前调查报告",
        "trigger_label": "量刑听证",
    },
    "us-frcrp-32f1-psr-objections": {
        "name": "收到判前调查报告后 14 日内提出异议",
        "trigger_label": "收到判前调查报告",
    },
    "us-frcrp-35a-correction": {
        "name": "量刑后 14 日内更正判决中的明显错误",
        "trigger_label": "量刑听证",
    },
    "us-frap-4b1a-notice-of-appeal": {
        "name": "判决登记后 14 日内由被告人提出上诉通知",
        "trigger_label": "判决登记",
    },
    "us-office-suggestion-response": {
        "name": "7 日内书面答复辩方意见",
        "trigger_label": "辩方提交意见",
        "citation": "办公惯例：7 日内书面答复辩方提议（由各司法辖区设定）",
    },
}


def both_languages(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for code, fields in CN.items():
        DeadlineRule.objects.filter(code=code).update(
            name=fields["name"],
            trigger_label=fields["trigger_label"],
            citation=fields["citation"],
            translations={"en": fields["en"]},
        )
    for code, zh in US_ZH.items():
        DeadlineRule.objects.filter(code=code).update(translations={"zh-hans": zh})


def one_field(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for code, fields in CN.items():
        en = fields["en"]
        DeadlineRule.objects.filter(code=code).update(
            name=f"{fields['name']} / {en['name']}"[:200],
            trigger_label=f"{fields['trigger_label']} / {en['trigger_label']}"[:200],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0012_deadline_court_column"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadlinerule",
            name="translations",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, output_field=models.JSONField()),
                default=dict,
                verbose_name="translations",
            ),
        ),
        migrations.RunPython(both_languages, one_field),
    ]
