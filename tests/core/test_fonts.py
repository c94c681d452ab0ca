"""The CJK font comes with the installed dependencies (core.fonts): pages get a WOFF2 subset of
it through staticfiles, and no font file sits in the repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from fontTools.ttLib import TTFont

from core import fonts

# The glossary's terms (docs/glossary.md) and the name in its proper order.
TERMS = (
    "认罪认罚从宽具结书量刑建议值班律师辩护人犯罪嫌疑人被告人"
    "检察官审判员书记员速裁程序简易普通羁押刘敏"
)


def test_the_font_is_a_file_of_an_installed_package() -> None:
    assert fonts.font_file().is_file()
    assert "site-packages" in str(fonts.font_file())


def test_staticfiles_finds_the_web_subset_and_it_has_every_glossary_term() -> None:
    found = finders.find(fonts.WEB_FONT_PATH)
    assert found, "fonts/parley-cjk.woff2 not found by the staticfiles finders"
    font = TTFont(found)
    assert font.flavor == "woff2"
    cmap = font.getBestCmap()
    assert all(ord(char) in cmap for char in TERMS)
    assert ord("A") not in cmap  # Latin stays with the page's fonts
    assert Path(found).stat().st_size < 3 * 1024 * 1024


def test_collectstatic_lists_it_under_its_static_name() -> None:
    finder = fonts.CjkFontFinder()
    [(path, storage)] = list(finder.list([]))
    assert path == fonts.WEB_FONT_PATH
    with storage.open(path) as handle:
        assert handle.read(4) == b"wOF2"


def test_the_stylesheet_declares_the_font_for_cjk_code_points_only() -> None:
    static = Path(settings.BASE_DIR) / "static" / "css"
    css = (static / "cjk-font.css").read_text()
    assert 'url("../fonts/parley-cjk.woff2") format("woff2")' in css
    ranges = ", ".join(f"U+{low:X}-{high:X}" for low, high in fonts.WEB_RANGES)
    assert f"unicode-range: {ranges};" in css
    assert '"Parley CJK", sans-serif;' in (static / "parley.css").read_text()


@pytest.mark.parametrize("url", ["/", "/api/v1/cases/"])
def test_pages_and_the_browsable_api_link_the_font(url: str, world: Any) -> None:
    """Every page, and the API's browsable pages, whose data may be Chinese."""
    from django.test import Client

    client = Client()
    client.force_login(world.user("prosecutor"))
    html = client.get(url, HTTP_ACCEPT="text/html").content.decode()
    assert "css/cjk-font.css" in html


def test_no_font_file_is_in_the_source_tree() -> None:
    root = Path(settings.BASE_DIR)
    skipped = {".git", ".venv", ".data", "node_modules"}
    found = [
        path
        for path in root.rglob("*")
        if path.suffix in {".ttf", ".otf", ".ttc", ".woff", ".woff2"}
        and not skipped & set(path.relative_to(root).parts)
    ]
    assert found == []
