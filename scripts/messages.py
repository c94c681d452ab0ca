"""The translation catalogues (docs/translating.md).

    python scripts/messages.py extract   # makemessages for every language (needs GNU gettext)
    python scripts/messages.py compile   # every django.po to its django.mo (polib; no gettext)
    python scripts/messages.py check     # exit 1 when a committed .mo differs from its .po

The compiled .mo files are committed, so that Parley runs from a clean clone on a machine
without gettext; `make messages` extracts and compiles, and tests/core/test_translations.py
fails when a .mo is stale or a message lacks a translation.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# Never walked for messages: the virtualenv, runtime data, caches.
IGNORED = [".venv", ".data", "node_modules", "bench", "tests", "scripts", "docs", "static"]


def catalogues() -> Iterator[Path]:
    """Every django.po: the project's (locale/, LOCALE_PATHS[0]) and each app's."""
    for po in sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po")):
        yield po
    for po in sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po")):
        yield po


def compiled(po_path: Path) -> bytes:
    import polib

    # polib writes the same bytes for the same catalogue: no timestamps in a .mo.
    return bytes(polib.pofile(str(po_path), wrapwidth=0).to_binary())


def _messages(entries: Any) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """What a catalogue translates, whoever compiled it (polib or msgfmt): the header aside."""
    found = {}
    for entry in entries:
        if not entry.msgid:
            continue
        key = (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")
        if entry.msgid_plural:
            found[key] = tuple(text for _, text in sorted(entry.msgstr_plural.items()))
        else:
            found[key] = (entry.msgstr,)
    return found


def is_current(po_path: Path) -> bool:
    import polib

    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return False
    source = polib.pofile(str(po_path))
    return _messages(polib.mofile(str(mo_path))) == _messages(source.translated_entries())


def compile_all() -> list[Path]:
    written = []
    for po in catalogues():
        if not is_current(po):
            po.with_suffix(".mo").write_bytes(compiled(po))
            written.append(po.with_suffix(".mo"))
    return written


def stale() -> list[Path]:
    return [po.with_suffix(".mo") for po in catalogues() if not is_current(po)]


def languages() -> list[str]:
    """The locale names of settings.LANGUAGES other than the source language (en)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings
    from django.utils.translation import to_locale

    django.setup()
    return [to_locale(code) for code, _name in settings.LANGUAGES if code != "en"]


def extract() -> None:
    import polib

    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete"]
    for language in languages():
        command += ["-l", language]
    for ignored in IGNORED:
        command += ["--ignore", ignored]
    subprocess.run(command, cwd=ROOT, check=True)
    # One form for every catalogue, whoever extracted it: no line wrapping (msgmerge wraps at
    # 79 columns, polib edits do not), so that a merge sees only the messages that changed.
    for po in catalogues():
        polib.pofile(str(po), wrapwidth=0).save()


def main(argv: list[str]) -> int:
    action = argv[1] if len(argv) > 1 else ""
    if action == "extract":
        extract()
        return 0
    if action == "compile":
        for mo in compile_all():
            print(f"wrote {mo.relative_to(ROOT)}")
        return 0
    if action == "check":
        found = stale()
        for mo in found:
            print(f"stale: {mo.relative_to(ROOT)} (run `make messages`)")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
