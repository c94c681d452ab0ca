"""Text that is read on one line: titles, captions, names, docket numbers.

Such a value is shown in lists, headings, e-mail subjects and file names, where a line break
or a control character breaks the layout, and a bidirectional control (U+202E RIGHT-TO-LEFT
OVERRIDE and its kin) makes the text read as something else ("Exhibit 4‮fdp.exe" shows as
"Exhibit 4exe.pdf"). Every service that stores one-line text passes it through
`single_line()` first, whichever way it came (page, API, docket sync), so the rule holds in
one place and uniqueness is checked on what is stored. Multi-line text (notes, reasons) keeps
its line breaks; uploaded file names have their own, stricter cleaning (records.uploads).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

# Unicode's Bidi_Control characters: ALM, LRM, RLM, the embeddings and overrides (U+202A-E)
# and the isolates (U+2066-9).
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# C0 and C1 controls (line feed, carriage return, tab, NUL, ...) and the Unicode line and
# paragraph separators, with the spaces around them.
_BREAKS = re.compile("[ ]*[\x00-\x1f\x7f-\x9f\u2028\u2029]+[ ]*")


def single_line(text: str) -> str:
    """`text` on one line: bidirectional controls removed, each run of line breaks and other
    control characters made one space, and the ends stripped."""
    return _BREAKS.sub(" ", _BIDI_CONTROLS.sub("", text)).strip()


def single_line_or_none(text: str | None) -> str | None:
    return None if text is None else single_line(text)


def in_language(translations: Mapping[str, Any], field: str, default: str) -> str:
    """Catalogue data that ships with Parley (a statute's title, a deadline rule's name) in the
    active language: `translations` maps a language code of settings.LANGUAGES to the
    translated fields, e.g. {"zh-hans": {"name": "..."}}; `default`, the text as stored, when
    the language has none. Adding a language is a key in the data, no code."""
    language = (get_language() or settings.LANGUAGE_CODE).lower()
    for code in (language, language.split("-")[0]):
        fields = translations.get(code) if isinstance(translations, Mapping) else None
        text = fields.get(field) if isinstance(fields, Mapping) else None
        if isinstance(text, str) and text:
            return text
    return default


# Han, kana and Hangul: names in these scripts are written family name first, with no space.
_FAMILY_FIRST_SCRIPT = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)


def person_name(given: str, family: str) -> str:
    """A name as stored (given, family) in the order of its script: 刘敏, not 敏 刘; Jane Doe."""
    given, family = given.strip(), family.strip()
    if _FAMILY_FIRST_SCRIPT.search(given + family):
        return f"{family}{given}"
    return " ".join(part for part in (given, family) if part)


def user_name(user: Any) -> str:
    """A login's name as people read it (person_name), or its username when it has no name:
    the Python side of the `person_name` template filter (core.templatetags.people)."""
    name = person_name(getattr(user, "first_name", "") or "", getattr(user, "last_name", "") or "")
    return name or str(user.get_username())


def language_code_of(name: str) -> str:
    """The code of settings.LANGUAGES for a language as people write it ("English",
    "Mandarin", "zh-hans", "简体中文"), or "" when Parley has no catalogue for it. Names are
    Django's (LANG_INFO: English and own names) and settings.LANGUAGE_NAMES (others in use,
    such as "Mandarin"), so adding a language needs no code."""
    from django.conf import settings
    from django.conf.locale import LANG_INFO

    wanted = name.strip().casefold()
    if not wanted:
        return ""
    for code, _name in settings.LANGUAGES:
        info = LANG_INFO.get(code, {})
        names = {code, str(_name), info.get("name", ""), info.get("name_local", "")}
        if wanted in {n.casefold() for n in names if n}:
            return str(code)
    alias = getattr(settings, "LANGUAGE_NAMES", {}).get(wanted, "")
    return alias if alias in dict(settings.LANGUAGES) else ""
