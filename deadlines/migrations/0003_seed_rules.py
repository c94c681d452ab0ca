"""The deadline rules Parley ships, with the provisions they come from.

US federal: the Speedy Trial Act limits (18 U.S.C. § 3161(b), (c)(1)), the presentence report
and the objections to it (Fed. R. Crim. P. 32(e)(2), 32(f)(1)), the correction of a sentence
(Fed. R. Crim. P. 35(a)), the defendant's notice of appeal (Fed. R. App. P. 4(b)(1)(A)), and the
office practice of answering a defense proposal in writing within 7 days.
China: the Criminal Procedure Law (2018) limits of the expedited procedure (速裁程序, arts. 172 and
225), the summary procedure (简易程序, art. 220) and the service of the indictment before trial
(art. 187). CPL art. 105: the first day is not counted and a period ending on a holiday ends on
the next working day (except for time in custody), so the Chinese rules roll forward.

Periods the model cannot express (months, "as the court sets") are left out. Codes are stable:
a later migration changes a rule by its code.
"""

from django.db import migrations

US_RULES = [
    {
        "code": "us-usc-3161b-indictment",
        "name": "Indictment or information within 30 days of arrest",
        "kind": "speedy_trial",
        "responsible_side": "prosecution",
        "trigger": "event",
        "trigger_label": "Arrest or service of summons",
        "offset": 30,
        "unit": "calendar_days",
        "direction": "after",
        "roll": "none",
        "citation": "18 U.S.C. § 3161(b)",
    },
    {
        "code": "us-usc-3161c1-trial",
        "name": "Trial within 70 days (Speedy Trial Act)",
        "kind": "speedy_trial",
        "responsible_side": "court",
        "trigger": "event",
        "trigger_label": "Indictment filed or first appearance, whichever is later",
        "offset": 70,
        "unit": "calendar_days",
        "direction": "after",
        "roll": "none",
        "citation": "18 U.S.C. § 3161(c)(1) (excludable time under § 3161(h) not counted)",
    },
    {
        "code": "us-frcrp-32e2-psr-disclosure",
        "name": "Presentence report to the parties at least 35 days before sentencing",
        "kind": "custom",
        "responsible_side": "",
        "trigger": "hearing:sentencing",
        "trigger_label": "Sentencing hearing",
        "offset": 35,
        "unit": "calendar_days",
        "direction": "before",
        "roll": "backward",
        "citation": "Fed. R. Crim. P. 32(e)(2)",
    },
    {
        "code": "us-frcrp-32f1-psr-objections",
        "name": "Objections to the presentence report within 14 days of receiving it",
        "kind": "custom",
        "responsible_side": "",
        "trigger": "event",
        "trigger_label": "Presentence report received",
        "offset": 14,
        "unit": "calendar_days",
        "direction": "after",
        "roll": "forward",
        "citation": "Fed. R. Crim. P. 32(f)(1)",
    },
    {
        "code": "us-frcrp-35a-correction",
        "name": "Correction of a clear error in the sentence within 14 days after sentencing",
        "kind": "custom",
        "responsible_side": "court",
        "trigger": "hearing:sentencing",
        "trigger_label": "Sentencing hearing",
        "offset": 14,
        "unit": "calendar_days",
        "direction": "after",
        "roll": "forward",
        "citation": "Fed. R. Crim. P. 35(a)",
    },
    {
        "code": "us-frap-4b1a-notice-of-appeal",
        "name": "Defendant's notice of appeal within 14 days after the judgment is entered",
        "kind": "custom",
        "responsible_side": "defense",
        "trigger": "event",
        "trigger_label": "Judgment entered",
        "offset": 14,
        "unit": "calendar_days",
        "direction": "after",
        "roll": "forward",
        "citation": "Fed. R. App. P. 4(b)(1)(A)",
    },
    {
        "code": "us-office-suggestion-response",
        "name": "Written answer to a defense suggestion within 7 days",
        "kind": "suggestion_response_due",
        "responsible_side": "prosecution",
        "trigger": "event",
        "trigger_label": "Defense suggestion submitted",
        "offset": 7,
        "unit": "calendar_days",
        "direction": "after",
        "roll": "forward",
        "citation": (
            "Office practice: a written answer to a defense proposal within 7 days "
            "(set per jurisdiction)"
        ),
    },
]

CN_RULES = [
    {
        "code": "cn-cpl-172-expedited-review",
        "name": "认罪认罚速裁案件审查起诉决定 / Charging decision in an expedited leniency case",
        "kind": "custom",
        "responsible_side": "prosecution",
        "trigger": "event",
        "trigger_label": "案件移送审查起诉 / Case transferred for review of prosecution",
        "offset": 10,
        "unit": "calendar_days",
        "direction": "after",
        "roll": "forward",
        "citation": "《刑事诉讼法》第一百七十二条第一款 (CPL art. 172(1)); 15 days if the "
        "likely sentence exceeds one year",
    },
    {
        "code": "cn-cpl-225-expedited-trial",
        "name": "速裁程序审结 / Expedited procedure: trial concluded",
        "kind": "speedy_trial",
        "responsible_side": "court",
        "trigger": "event",
        "trigger_label": "人民法院受理 / Case accepted by the court",
        "offset": 10,
        "unit": "calendar_days",
        "direction": "after",
        "roll": "forward",
        "citation": "《刑事诉讼法》第二百二十五条 (CPL art. 225); 15 days if the likely "
        "sentence exceeds one year",
    },
    {
        "code": "cn-cpl-220-summary-trial",
        "name": "简易程序审结 / Summary procedure: trial concluded",
        "kind": "speedy_trial",
        "responsible_side": "court",
        "trigger": "event",
        "trigger_label": "人民法院受理 / Case accepted by the court",
        "offset": 20,
        "unit": "calendar_days",
        "direction": "after",
        "roll": "forward",
        "citation": "《刑事诉讼法》第二百二十条 (CPL art. 220); one and a half months if the "
        "likely sentence exceeds three years",
    },
    {
        "code": "cn-cpl-187-indictment-service",
        "name": "起诉书副本送达被告人及辩护人 / Indictment served at least 10 days before trial",
        "kind": "custom",
        "responsible_side": "court",
        "trigger": "hearing:trial",
        "trigger_label": "开庭 / Trial hearing",
        "offset": 10,
        "unit": "calendar_days",
        "direction": "before",
        "roll": "backward",
        "citation": "《刑事诉讼法》第一百八十七条第一款 (CPL art. 187(1))",
    },
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Jurisdiction = apps.get_model("cases", "Jurisdiction")
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for code, rules in (("us-fed", US_RULES), ("cn", CN_RULES)):
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            continue
        for rule in rules:
            fields = {k: v for k, v in rule.items() if k != "code"}
            DeadlineRule.objects.update_or_create(
                code=rule["code"], defaults={**fields, "jurisdiction": jurisdiction}
            )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    codes = [rule["code"] for rule in (*US_RULES, *CN_RULES)]
    DeadlineRule.objects.filter(code__in=codes, deadlines__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_refresh_jurisdiction_profiles"),
        ("deadlines", "0002_hearings_deadlines_alerts"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
