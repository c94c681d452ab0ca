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


# --- people's names -----------------------------------------------------------------------------
#
# Names are stored as given name and family name (Defendant.first_name / last_name, a user's
# first_name / last_name). Western order puts the given name first, with a space. A Chinese name
# is written family name first with no space between them (张三: family name 张, given name 三):
# that is how the plea statement, the court and the parties write it, and "三 张" is no one's
# name. The script tells the convention: both parts written in Han characters. A Chinese
# rendering of a foreign name (约翰·史密斯) keeps its own order and separator, written in one
# part. Every place that shows a person's name goes through `person_name` (Python) or the
# `person_name` template filter (core.templatetags.people), so the rule lives here alone.

# CJK Unified Ideographs and Extension A, the compatibility ideographs, the Extensions B-F, and
# the ideographic zero and iteration mark (U+3007, U+3005).
_HAN = re.compile(
    "[\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f]+"
)


def is_han(text: str) -> bool:
    """Whether `text` is written in Han characters only (spaces aside)."""
    stripped = text.replace(" ", "")
    return bool(stripped) and _HAN.fullmatch(stripped) is not None


def person_name(given: str, family: str) -> str:
    """A person's name for reading: "Jane Doe", and for a Chinese name "张三"."""
    given, family = given.strip(), family.strip()
    if given and family and is_han(given) and is_han(family):
        return f"{family.replace(' ', '')}{given.replace(' ', '')}"
    return " ".join(part for part in (given, family) if part)


def user_name(user: object) -> str:
    """A login's name as people read it (person_name), or its username when it has no name."""
    name = person_name(getattr(user, "first_name", "") or "", getattr(user, "last_name", "") or "")
    if name:
        return name
    get_username = getattr(user, "get_username", None)
    return str(get_username()) if callable(get_username) else ""
