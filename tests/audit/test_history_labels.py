"""The history names the tables and columns it shows in the reader's language: every audited
table and column whose model leaves its name untranslated is in audit.labels, so its name is in
the catalogue (audit/locale)."""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise

from audit import labels, presentation
from audit.sql import WATCHED


def test_every_audited_table_and_column_is_listed_for_translation() -> None:
    models = presentation.models_by_table()
    tables, columns = set(), set()
    for watched in WATCHED:
        model = models.get(watched.table)
        if model is None:
            continue
        if not isinstance(model._meta.verbose_name, Promise):
            tables.add(str(model._meta.verbose_name))
        for field in model._meta.concrete_fields:
            if not field.primary_key and not isinstance(field.verbose_name, Promise):
                columns.add(str(field.verbose_name))

    assert tables - set(labels.TABLE_NAMES) == set()
    assert columns - set(labels.FIELD_NAMES) == set()


def test_history_labels_read_chinese_and_stay_english() -> None:
    with translation.override("zh-hans"):
        assert presentation.table_label("cases_case") == "案件"
        assert presentation.field_label("cases_case", "docket_number") == "案号"
        assert presentation.field_label("negotiations_offer", "leniency_stage") == "认罪认罚阶段"
        assert presentation.kind_label("charge.changed", "cases_charge") == "指控已更改"
    with translation.override("en"):
        assert presentation.table_label("cases_case") == "Case"
        assert presentation.field_label("cases_case", "docket_number") == "docket number"
        assert presentation.kind_label("charge.changed", "cases_charge") == "Charge changed"
