"""The CJK font, from the installed dependencies: WenQuanYi Micro Hei (package
`paperang-p2-fonts-cjk`; Apache 2.0 or GPLv3 with the font exception). No system font, no
download: the PDF renderer embeds subsets of it (negotiations.documents), and pages get a web
subset of it, `fonts/parley-cjk.woff2`, which this module derives on first use (collectstatic,
or the first request for it in development) and keeps under settings.FONT_CACHE_DIR. Its
Latin stays with the page's own fonts: the web font covers CJK code points only."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paperang_p2_fonts_cjk
from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage
from django.core.files.storage import FileSystemStorage

# The collection's first face (the proportional one; the second is its monospaced twin).
FONT_FILE = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
FONT_INDEX = 0
FONT_FAMILY = "WenQuanYi Micro Hei"

WEB_FONT_PATH = "fonts/parley-cjk.woff2"
# Code points the web subset keeps, as CSS `unicode-range` says them (static/css/parley.css
# repeats it): CJK radicals, punctuation, kana, unified ideographs with extension A,
# compatibility ideographs, vertical and full-width forms.
WEB_RANGES = (
    (0x2E80, 0x2FDF),
    (0x3000, 0x30FF),
    (0x3100, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)
# Bump to rebuild every cached subset (a change to how it is made, not to the font).
_RECIPE = "1"
_lock = threading.Lock()


def font_file() -> Path:
    return FONT_FILE


def _cache_name() -> str:
    stat = FONT_FILE.stat()
    key = f"{_RECIPE}:{FONT_FILE.name}:{stat.st_size}:{int(stat.st_mtime)}"
    return f"parley-cjk-{hashlib.sha256(key.encode()).hexdigest()[:12]}.woff2"


def web_font(cache_dir: Path | None = None) -> Path:
    """The web subset, made once (about half a minute) and reused while the font is the same."""
    cache_dir = Path(cache_dir or settings.FONT_CACHE_DIR)
    target = cache_dir / _cache_name()
    if target.exists():
        return target
    with _lock:
        if target.exists():
            return target
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Another process may be making it too: each writes its own file and renames it into
        # place, so a reader never sees half a font.
        handle, partial = tempfile.mkstemp(dir=cache_dir, suffix=".part")
        os.close(handle)
        try:
            _web_subset(Path(partial))
            os.replace(partial, target)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
    return target


def _web_subset(out: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    font = TTCollection(str(FONT_FILE), lazy=False).fonts[FONT_INDEX]
    keep = [
        code for code in font.getBestCmap() if any(low <= code <= high for low, high in WEB_RANGES)
    ]
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.name_IDs = ["*"]  # keeps the licence and copyright
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(str(out))


class CjkFontFinder(BaseFinder):
    """Finds `fonts/parley-cjk.woff2` for staticfiles (runserver, collectstatic, whitenoise's
    finders in development) as if it were a file under static/."""

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if path != WEB_FONT_PATH:
            return []
        found = str(web_font())
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        font = web_font()
        storage = _OneFileStorage(location=str(font.parent))
        storage.served_name = font.name
        yield WEB_FONT_PATH, storage


class _OneFileStorage(FileSystemStorage):
    """Answers for the one generated file under its static name."""

    served_name = ""

    def path(self, name: str) -> str:
        return super().path(self.served_name if name == WEB_FONT_PATH else name)

    def open(self, name: str, mode: str = "rb") -> Any:
        return super().open(self.served_name if name == WEB_FONT_PATH else name, mode)
