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

ROOT = Path(__file__).resolve().parents[1]
# Never walked for messages: the virtualenv, runtime data, caches.
IGNORED = [".venv", ".data", "node_modules", "bench", "tests", "scripts", "docs", "static"]
# Which file a message comes from, without line numbers: a line moved is no change to merge.
LOCATION = "file"


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


def compile_all() -> list[Path]:
    written = []
    for po in catalogues():
        mo = po.with_suffix(".mo")
        data = compiled(po)
        if not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
            written.append(mo)
    return written


def stale() -> list[Path]:
    return [
        po.with_suffix(".mo")
        for po in catalogues()
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").read_bytes() != compiled(po)
    ]


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
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete"]
    command += ["--add-location", LOCATION]
    for language in languages():
        command += ["-l", language]
    for ignored in IGNORED:
        command += ["--ignore", ignored]
    subprocess.run(command, cwd=ROOT, check=True)


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
