"""Every message translated, every template's text inside the translation tags.

1. Each catalogue (the project's, locale/, and each app's, <app>/locale/) has a translation
   for every message in every language of settings.LANGUAGES, no fuzzy entry, the same
   placeholders as the English, and a committed .mo that matches its .po (scripts/messages.py).
2. No template shows a person text outside {% translate %} / {% blocktranslate %}: the
   templates are read with Django's own lexer, every template tag and variable taken out, and
   what HTML text is left (element text, and the attributes a person reads or hears: title,
   aria-label, placeholder, alt, a button's value, hx-confirm) must have no letters but those
   of the allow-list below.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.translation import to_locale

ROOT = Path(settings.BASE_DIR)
_spec = importlib.util.spec_from_file_location("parley_messages", ROOT / "scripts" / "messages.py")
assert _spec is not None and _spec.loader is not None
catalogue_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalogue_tool)

LANGUAGES = [to_locale(code) for code, _name in settings.LANGUAGES if code != "en"]

# Words that are the same in every language: the product's name, and names of formats.
ALLOWED_WORDS = ("Parley", "PDF", "CSV", "iCal", "API", "JSON", "SHA-256", "UTC")
_ALLOWED = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ALLOWED_WORDS)) + r")(?![\w-])")
# Templates that are not pages: the API's documentation frame (drf-spectacular's own words).
ALLOWED_TEMPLATES = {"api/swagger_ui.html"}
# Attributes whose value a person reads or hears.
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "hx-confirm", "aria-description"}

# Stands for a template tag or variable: no letter, and HTMLParser takes it as part of a tag
# name or attribute (`<tr{% if x %} class="a"{% endif %}>`).
_PLACEHOLDER = "\u2063"
_ENTITY = re.compile(r"&[#\w]+;")
_LETTER = re.compile(r"[^\W\d_]")
# A sentence's punctuation, which Chinese writes full-width (。，：；（）): outside the tags it
# would stay English in a Chinese sentence ("1 项降格. 该方案"), so a template writes it with
# {% translate "." context "punctuation" %} or inside the message.
_SENTENCE_PUNCTUATION = re.compile(r"[.,;:()]")


# --- 1. Catalogues ------------------------------------------------------------------------------


def catalogue_paths() -> list[Path]:
    return list(catalogue_tool.catalogues())


def test_every_language_has_a_project_catalogue() -> None:
    for language in LANGUAGES:
        assert (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").is_file()


@pytest.mark.parametrize("po_path", catalogue_paths(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(po_path: Path) -> None:
    catalogue = polib.pofile(str(po_path))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert missing == [], f"{po_path.relative_to(ROOT)}: {len(missing)} without a translation"
    assert fuzzy == [], f"{po_path.relative_to(ROOT)}: fuzzy (check, then drop the flag)"


_FORMAT = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


@pytest.mark.parametrize("po_path", catalogue_paths(), ids=lambda p: str(p.relative_to(ROOT)))
def test_translations_keep_the_placeholders(po_path: Path) -> None:
    wrong = []
    for entry in polib.pofile(str(po_path)).translated_entries():
        pairs = (
            [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        )
        for source, text in pairs:
            if sorted(set(_FORMAT.findall(source))) != sorted(set(_FORMAT.findall(text))):
                wrong.append(entry.msgid)
    assert wrong == []


def test_compiled_catalogues_match_their_sources() -> None:
    assert catalogue_paths(), "no catalogue found"
    stale = [str(mo.relative_to(ROOT)) for mo in catalogue_tool.stale()]
    assert stale == [], "run `make messages` (or python scripts/messages.py compile)"


# --- 2. Templates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Untranslated:
    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"templates/{self.template}:{self.line}: {self.text!r}"


def _stripped(source: str) -> tuple[str, list[int]]:
    """The template's HTML with every tag and variable out: translation tags (and what a
    blocktranslate holds) and comments vanish, other tags and variables leave a placeholder.
    Also the template line of every character of the result."""
    out: list[str] = []
    lines: list[int] = []
    inside: str | None = None  # the end tag we are skipping to
    for token in Lexer(source).tokenize():
        content = token.contents
        lineno = token.lineno or 1
        if inside is not None:
            if token.token_type == TokenType.BLOCK and content.split()[0] == inside:
                inside = None
            continue
        if token.token_type == TokenType.TEXT:
            out.append(content)
            line = lineno
            for char in content:
                lines.append(line)
                line += char == "\n"
            continue
        if token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.BLOCK:
            name = content.split()[0] if content else ""
            if name in {"blocktranslate", "blocktrans"}:
                inside = "endblocktranslate" if name == "blocktranslate" else "endblocktrans"
                out.append(_PLACEHOLDER)
                lines.append(lineno)
                continue
            if name == "comment":
                inside = "endcomment"
                continue
            if name == "verbatim":
                inside = "endverbatim"
                continue
        out.append(_PLACEHOLDER)
        lines.append(lineno)
    return "".join(out), lines


def _needs_translation(text: str, *, punctuation: bool = False) -> bool:
    text = _ALLOWED.sub(" ", _ENTITY.sub(" ", text).replace(_PLACEHOLDER, " "))
    return bool(_LETTER.search(text)) or (punctuation and bool(_SENTENCE_PUNCTUATION.search(text)))


class _TextFinder(HTMLParser):
    def __init__(self, template: str, lines: list[int]) -> None:
        super().__init__(convert_charrefs=False)
        self.template = template
        self.lines = lines
        self.found: list[Untranslated] = []
        self.skip_depth = 0
        self.offset = 0

    def _line(self) -> int:
        # HTMLParser counts lines of its input; map back through the first char of the line.
        line, column = self.getpos()
        index = self._index(line, column)
        return self.lines[min(index, len(self.lines) - 1)] if self.lines else line

    def _index(self, line: int, column: int) -> int:
        text = self.rawdata
        position = 0
        for _ in range(line - 1):
            position = text.index("\n", position) + 1
        return position + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.skip_depth += 1
        values = dict(attrs)
        readable = [value for name, value in attrs if name in READ_ATTRIBUTES and value]
        kind = (values.get("type") or "").lower()
        if tag == "input" and kind in {"submit", "button", "reset"} and values.get("value"):
            readable.append(values["value"] or "")
        for value in readable:
            if _needs_translation(value):
                text = value.replace(_PLACEHOLDER, "…").strip()
                self.found.append(Untranslated(self.template, self._line(), text))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in {"script", "style"}:
            self.skip_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self.skip_depth:
            self.skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip_depth and _needs_translation(data, punctuation=True):
            text = " ".join(data.replace(_PLACEHOLDER, "…").split())
            self.found.append(Untranslated(self.template, self._line(), text))


def untranslated_text(path: Path, name: str) -> list[Untranslated]:
    html, lines = _stripped(path.read_text())
    finder = _TextFinder(name, lines)
    finder.feed(html)
    finder.close()
    return finder.found


def template_files() -> list[tuple[Path, str]]:
    roots = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
    found = []
    for root in roots:
        if ".venv" in root.parts:
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".txt"} and path.is_file():
                name = str(path.relative_to(root))
                if name not in ALLOWED_TEMPLATES:
                    found.append((path, name))
    return found


def test_templates_have_no_text_outside_the_translation_tags() -> None:
    found = [item for path, name in template_files() for item in untranslated_text(path, name)]
    assert not found, "text outside {% translate %}:\n" + "\n".join(map(str, found))


def test_the_template_check_finds_text_outside_the_tags(tmp_path: Path) -> None:
    sample = tmp_path / "sample.html"
    sample.write_text(
        "{% load i18n %}<h1>{% translate 'Cases' %}</h1>\n"
        "{% comment %}Not shown{% endcomment %}<p>Round {{ n }}</p>\n"
        '<nav aria-label="Breadcrumb"></nav><input type="submit" value="Send">\n'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %} Parley &middot; {{ x }}\n"
        "<style>p { color: red }</style>\n"
        '{% translate "Sent" %} <time>{{ at }}</time>.{% translate ":" context "punctuation" %}'
    )
    found = untranslated_text(sample, "sample.html")
    assert [(item.line, item.text) for item in found] == [
        (2, "Round …"),
        (3, "Breadcrumb"),
        (3, "Send"),
        (6, ".…"),
    ]


def test_project_catalogue_uses_the_glossary_terms() -> None:
    """The same terms as the apps' catalogues (docs/glossary.md; tests/core/test_app_catalogues
    holds the list)."""
    from tests.core.test_app_catalogues import TERMS

    stray = []
    for language in LANGUAGES:
        po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
        for entry in po.translated_entries():
            texts = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
            for english, chinese in TERMS.items():
                if re.search(english, entry.msgid, re.IGNORECASE) and any(
                    chinese not in text for text in texts
                ):
                    stray.append((entry.msgid, entry.msgstr))
    assert stray == []


# The project catalogue comes first (LOCALE_PATHS): its translation of a message an app also
# has is the one every page, e-mail and PDF shows. Where the template means something else by
# the same English (a "Sent" time, not the status "Sent"), it says so with a context; where it
# means the same, it reads the same, but for these, whose better term the project keeps.
PROJECT_OVERRIDES = {
    "Sealed": "已封存",  # a sealed case is 封存 (docs/glossary.md), not 密封
    "Case record": "案件卷宗",
}


def test_a_message_shared_with_an_app_reads_the_same() -> None:
    apps: dict[tuple[str, str], set[str]] = {}
    for po_path in catalogue_paths():
        if po_path.parts[-4] == "locale" and po_path.parent.parent.parent.parent == ROOT:
            continue
        for entry in polib.pofile(str(po_path)).translated_entries():
            apps.setdefault((entry.msgctxt or "", entry.msgid), set()).add(entry.msgstr)
    differ = {}
    for language in LANGUAGES:
        po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
        for entry in po.translated_entries():
            others = apps.get((entry.msgctxt or "", entry.msgid))
            overridden = PROJECT_OVERRIDES.get(entry.msgid) == entry.msgstr
            if others and others != {entry.msgstr} and not overridden:
                differ[entry.msgid] = (entry.msgstr, others)
    assert differ == {}
