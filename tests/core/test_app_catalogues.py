"""The apps' own catalogues (<app>/locale/zh_Hans): one per app whose code has messages, every
message translated and not fuzzy, the same placeholders, and the legal terms of the glossary
(docs/glossary.md) used the same way everywhere.

tests/core/test_translations.py checks every catalogue for completeness and a current .mo; this
file adds what is particular to the apps' Python messages: which apps must have one, and that a
term is never translated two ways (值班律师 for "duty lawyer", never 值日律师).
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# The apps whose Python code holds messages a person reads.
APPS = [
    "accounts",
    "audit",
    "cases",
    "core",
    "deadlines",
    "docketsync",
    "integrations",
    "negotiations",
    "parties",
    "records",
    "webhooks",
]
# An English phrase in a message, and the Chinese every translation of it uses (the terms of
# the 2018 Criminal Procedure Law and the 2019 Guiding Opinions on the leniency system).
TERMS = {
    r"\bduty lawyers?\b": "值班律师",
    r"\bdefen[cs]e counsel\b": "辩护人",
    r"\bsentence recommendation\b": "量刑建议",
    # 犯罪嫌疑人、被告人 where a text speaks of both stages, 犯罪嫌疑人 for the signer of the
    # plea statement (CPL art. 174): either way the suspect is named.
    r"\bdefendants?\b": "犯罪嫌疑人",
    r"\bplea agreement\b": "认罪认罚具结书",
    r"\bjudges?\b": "审判员",
    r"\bcourt staff\b": "书记员",
    # A prosecutor's office is a procuratorate (检察院).
    r"\bprosecutors?\b(?!'s office)": "检察官",
}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


def catalogue(app: str) -> polib.POFile:
    return polib.pofile(str(ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("app", APPS)
def test_app_has_a_complete_chinese_catalogue(app: str) -> None:
    po = catalogue(app)

    assert len(po) > 0
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert po.metadata.get("Language") == "zh_Hans"


@pytest.mark.parametrize("app", APPS)
def test_translations_keep_the_placeholders(app: str) -> None:
    wrong = []
    for entry in catalogue(app):
        translations = (
            [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        )
        for msgstr in translations:
            if sorted(_PLACEHOLDER.findall(entry.msgid)) != sorted(_PLACEHOLDER.findall(msgstr)):
                wrong.append(entry.msgid)
    assert wrong == []


def test_legal_terms_are_translated_one_way_everywhere() -> None:
    stray = []
    for app in APPS:
        for entry in catalogue(app):
            english_text = _PLACEHOLDER.sub("", entry.msgid)
            chinese_text = entry.msgstr or " ".join(entry.msgstr_plural.values())
            for english, chinese in TERMS.items():
                if re.search(english, english_text, re.IGNORECASE) and chinese not in chinese_text:
                    stray.append((app, entry.msgid, chinese_text))
    assert stray == []


def test_a_message_in_two_catalogues_reads_the_same_in_both() -> None:
    """Django merges the catalogues into one, the project's (locale/, the templates') over the
    apps': a message translated two ways would read as whichever wins, also where it means
    something else ("Closed" the case status, "Closed" a column of dates). A short label that
    means two things takes a context (pgettext) instead."""
    project = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    seen: dict[tuple[str | None, str], set[str]] = {}
    for po in [project, *(catalogue(app) for app in APPS)]:
        for entry in po:
            text = entry.msgstr or repr(sorted(entry.msgstr_plural.items()))
            seen.setdefault((entry.msgctxt, entry.msgid), set()).add(text)
    assert {key: texts for key, texts in seen.items() if len(texts) > 1} == {}
