"""The plea agreement PDF: what it says, that it says it the same way every time, and that
user text is shown as written (Chinese included, markup never interpreted)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import cast

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from negotiations.documents import (
    AgreementDocument,
    ChargeLine,
    SignatureLine,
    agreement_pdf,
    sha256_hex,
)

LETTER_POINTS = (612, 792)
A4_POINTS = (595, 842)


def english_agreement() -> AgreementDocument:
    return AgreementDocument(
        reference="Plea agreement 12, offer 34 (round 3)",
        court="United States District Court for the District of Columbia",
        jurisdiction="United States (federal)",
        docket_number="1:26-cr-00123",
        caption="United States v. Doe",
        defendants=("Alex Doe",),
        charges=(
            ChargeLine(1, "18 U.S.C. § 1343", "Wire fraud", "Plead guilty as charged"),
            ChargeLine(
                2,
                "18 U.S.C. § 1349",
                "Conspiracy",
                "Plead guilty to 18 U.S.C. § 1343 Wire fraud",
            ),
            ChargeLine(3, "18 U.S.C. § 1028A", "Aggravated identity theft", "Dismissed"),
        ),
        sentence=(("Custody", "24\u201330 months"), ("Fine", "$5,000.00")),
        conditions=("Appeal waiver", "Cooperation"),
        checklist=(
            ("Rights explained", "Answered-yes"),
            ("Interpreter used", "Yes \u2014 Mandarin"),
            ("Defendant detained", "Answered-no"),
        ),
        signatures=(
            SignatureLine(
                "Defendant",
                "Alex Doe",
                "2026-11-23 14:05 EST",
                witness="Witnessed by Jane Roe, duty lawyer",
            ),
            SignatureLine("Defense counsel", "Jane Roe", "2026-11-23 14:07 EST"),
            SignatureLine("Prosecutor", "Pat Smith", "2026-11-24 09:30 EST"),
        ),
        generated_at="2026-11-24 09:31 EST",
    )


def chinese_agreement() -> AgreementDocument:
    return AgreementDocument(
        reference="Plea agreement 7, offer 9 (round 2)",
        court="北京市海淀区人民法院",
        jurisdiction="中华人民共和国",
        docket_number="（2026）京0108刑初123号",
        caption="人民检察院诉张三",
        defendants=("张三",),
        charges=(ChargeLine(1, "CPL-264", "盗窃罪", "Plead guilty as charged"),),
        sentence=(("有期徒刑", "一年六个月"), ("Fine", "CNY 5,000.00")),
        conditions=("认罪认罚",),
        checklist=(("权利告知", "是"), ("Interpreter used", "No")),
        signatures=(
            SignatureLine(
                "Defendant",
                "张三",
                "2026-11-23 14:05 CST",
                witness="Witnessed by 李四, duty lawyer",
            ),
            SignatureLine("Prosecutor", "Wang Wu", "2026-11-23 15:00 CST"),
        ),
        generated_at="2026-11-23 15:01 CST",
        language="zh-hans",
        paper="A4",
    )


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text with runs of whitespace (line breaks in table cells) made one space."""
    return [" ".join((page.extract_text() or "").split()) for page in read(pdf).pages]


def all_text(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def base_fonts(pdf: bytes) -> set[str]:
    fonts: set[str] = set()
    for page in read(pdf).pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        for font in cast(DictionaryObject, resources["/Font"].get_object()).values():
            fonts.add(str(cast(DictionaryObject, font.get_object())["/BaseFont"]))
    return fonts


def embedded_cjk_subsets(pdf: bytes) -> set[str]:
    """The CJK fonts the PDF embeds as subsets: a "ABCDEF+" name and the font's own bytes
    (FontFile2), so a reader with no Chinese font renders it."""
    found: set[str] = set()
    for page in read(pdf).pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        for ref in cast(DictionaryObject, resources["/Font"].get_object()).values():
            font = cast(DictionaryObject, ref.get_object())
            name = str(font["/BaseFont"])
            descriptor = font.get("/FontDescriptor")
            if (
                "WenQuanYi" in name
                and re.match(r"^/[A-Z]{6}\+", name)
                and descriptor is not None
                and "/FontFile2" in cast(DictionaryObject, descriptor.get_object())
            ):
                found.add(name)
    return found


def page_size(pdf: bytes) -> tuple[int, int]:
    box = read(pdf).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_agreement_is_a_pdf() -> None:
    assert agreement_pdf(english_agreement()).startswith(b"%PDF-")


def test_same_agreement_renders_to_the_same_bytes() -> None:
    first = agreement_pdf(english_agreement())
    second = agreement_pdf(english_agreement())
    assert first == second
    assert sha256_hex(first) == sha256_hex(second)


def test_sha256_hex_is_the_hex_sha256_of_the_bytes() -> None:
    pdf = agreement_pdf(english_agreement())
    assert sha256_hex(pdf) == hashlib.sha256(pdf).hexdigest()


def test_any_change_to_the_agreement_changes_the_digest() -> None:
    original = agreement_pdf(english_agreement())
    changed = dataclasses.replace(english_agreement(), generated_at="2026-11-24 09:32 EST")
    assert sha256_hex(agreement_pdf(changed)) != sha256_hex(original)


def test_render_in_a_fresh_process_matches_the_stored_digest() -> None:
    # A digest stored today is re-checked later by another process: neither hash seeding nor
    # which fonts that process registered first may change a byte.
    script = (
        "import django\n"
        "django.setup()\n"  # the document's words go through the catalogues
        "from negotiations.documents import agreement_pdf, sha256_hex\n"
        "from tests.negotiations.test_agreement_pdf import chinese_agreement, english_agreement\n"
        "agreement_pdf(chinese_agreement())\n"
        "print(sha256_hex(agreement_pdf(english_agreement())))\n"
        "print(sha256_hex(agreement_pdf(chinese_agreement())))\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "PYTHONPATH": str(root),
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed script)
        [sys.executable, "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.split() == [
        sha256_hex(agreement_pdf(english_agreement())),
        sha256_hex(agreement_pdf(chinese_agreement())),
    ]


def test_text_layer_carries_the_agreement_terms() -> None:
    text = all_text(agreement_pdf(english_agreement()))
    assert "United States v. Doe" in text
    assert "Docket No. 1:26-cr-00123" in text
    for citation in ("18 U.S.C. § 1343", "18 U.S.C. § 1349", "18 U.S.C. § 1028A"):
        assert citation in text
    for name in ("Alex Doe", "Jane Roe", "Pat Smith"):
        assert name in text
    for answer in ("Answered-yes", "Yes \u2014 Mandarin", "Answered-no"):
        assert answer in text
    assert "24\u201330 months" in text


def test_sections_appear_in_order() -> None:
    text = all_text(agreement_pdf(english_agreement()))
    headings = [
        "United States District Court for the District of Columbia",
        "United States v. Doe",
        "Docket No.",
        "Charges",
        "Sentence recommendation",
        "Conditions",
        "Voluntariness checklist",
        "Signatures",
    ]
    positions = [text.find(heading) for heading in headings]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_generated_time_is_printed_and_reference_is_in_the_footer() -> None:
    [text] = page_texts(agreement_pdf(english_agreement()))
    assert "2026-11-24 09:31 EST" in text
    assert "Page 1 of 1 Plea agreement 12, offer 34 (round 3)" in text


def test_english_agreement_is_letter_in_helvetica() -> None:
    pdf = agreement_pdf(english_agreement())
    assert page_size(pdf) == LETTER_POINTS
    assert embedded_cjk_subsets(pdf) == set()
    assert base_fonts(pdf) == {"/Helvetica", "/Helvetica-Bold"}


def test_chinese_agreement_renders_on_a4_with_the_cjk_font() -> None:
    pdf = agreement_pdf(chinese_agreement())
    assert pdf.startswith(b"%PDF-")
    assert page_size(pdf) == A4_POINTS
    # Embedded, not named for the reader to supply: it renders on any reader.
    assert embedded_cjk_subsets(pdf)


def test_chinese_agreement_text_is_extractable() -> None:
    # reportlab writes the embedded subset with a ToUnicode map, which pypdf reads back, so
    # the Chinese comes out as well as the Latin parts.
    text = all_text(agreement_pdf(chinese_agreement()))
    for latin in ("CPL-264", "Wang Wu", "Interpreter used", "CNY 5,000.00", "0108"):
        assert latin in text
    for chinese in ("人民检察院诉张三", "盗窃罪", "北京市海淀区人民法院", "一年六个月", "李四"):
        assert chinese in text


def test_chinese_name_in_an_english_agreement_switches_to_the_cjk_font() -> None:
    agreement = dataclasses.replace(
        english_agreement(),
        signatures=(SignatureLine("Defendant", "张三", "2026-11-23 14:05 EST"),),
    )
    pdf = agreement_pdf(agreement)
    assert page_size(pdf) == LETTER_POINTS
    assert embedded_cjk_subsets(pdf)
    assert "张三" in all_text(pdf)


def test_markup_in_user_text_is_shown_literally() -> None:
    agreement = dataclasses.replace(
        english_agreement(),
        caption="A & B <script>",
        conditions=("<b>not bold</b> &amp; <font size=40>", "Unclosed <para"),
    )
    text = all_text(agreement_pdf(agreement))
    assert "A & B <script>" in text
    assert "<b>not bold</b> &amp; <font size=40>" in text
    assert "Unclosed <para" in text


def test_control_characters_in_user_text_are_dropped() -> None:
    agreement = dataclasses.replace(english_agreement(), caption="United\x00 States v.\x0b Doe")
    assert "United States v. Doe" in all_text(agreement_pdf(agreement))


def test_empty_sections_say_so() -> None:
    agreement = dataclasses.replace(
        english_agreement(), charges=(), conditions=(), signatures=(), sentence=()
    )
    text = all_text(agreement_pdf(agreement))
    assert "No charges listed." in text
    assert "No conditions." in text
    assert "No signatures recorded." in text
    assert "No sentence recommendation." in text


def test_long_agreement_spans_pages_with_numbered_footers_and_repeated_headers() -> None:
    charges = tuple(
        ChargeLine(n, f"Code § {1000 + n}", f"Offence {n}", "Dismissed") for n in range(1, 61)
    )
    pdf = agreement_pdf(dataclasses.replace(english_agreement(), charges=charges))
    pages = page_texts(pdf)
    total = len(pages)
    assert total > 2
    for number, text in enumerate(pages, 1):
        assert f"Page {number} of {total}" in text
    # The charges table continues on page 2 under its own header row.
    assert "Count Citation Offence Disposition" in pages[1]
    assert "Code § 1001" in pages[0]
    text = " ".join(pages)
    assert all(f"Code § {1000 + n} " in text for n in range(1, 61))


def test_very_long_user_text_splits_across_pages_instead_of_failing() -> None:
    agreement = dataclasses.replace(english_agreement(), conditions=("word " * 6000,))
    pages = page_texts(agreement_pdf(agreement))
    assert len(pages) > 2
    assert sum(text.count("word") for text in pages) == 6000


def test_long_reference_is_shortened_in_the_footer_but_printed_in_full_above() -> None:
    reference = "Plea agreement 12, offer 34 (round 3) " + "R" * 300
    agreement = dataclasses.replace(english_agreement(), reference=reference)
    first_page = page_texts(agreement_pdf(agreement))[0]
    assert "R" * 300 in first_page.replace(" ", "")
    assert "Plea agreement 12, offer 34 (round 3) RRR" in first_page
    assert first_page.endswith("R\u2026")
