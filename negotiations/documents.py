"""Plea agreement PDF: plain dataclasses in, deterministic PDF bytes out.

Nothing here touches Django models; callers build an `AgreementDocument` and store the bytes
with `sha256_hex(pdf)`. For the same input and the same (locked) reportlab version the bytes
are identical, so the stored digest can be checked against a fresh render.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from core import fonts


@dataclass(frozen=True)
class ChargeLine:
    count: int
    citation: str
    title: str
    disposition: str  # e.g. "Plead guilty as charged", "Dismissed"


@dataclass(frozen=True)
class SignatureLine:
    role: str  # "Defendant", "Defense counsel", "Duty lawyer", "Prosecutor"
    name: str
    signed_at: str  # already formatted in the court's time zone
    witness: str = ""  # "Witnessed by Jane Roe, duty lawyer" or ""


@dataclass(frozen=True)
class AgreementDocument:
    reference: str  # e.g. "Plea agreement 12, offer 34 (round 3)"
    court: str
    jurisdiction: str
    docket_number: str
    caption: str
    defendants: tuple[str, ...]
    charges: tuple[ChargeLine, ...]
    sentence: tuple[tuple[str, str], ...]  # (label, value)
    conditions: tuple[str, ...]
    checklist: tuple[tuple[str, str], ...]  # (item, answer)
    signatures: tuple[SignatureLine, ...]
    generated_at: str  # formatted timestamp; the only time in the document
    # The language it is drawn up in (a code of settings.LANGUAGES): the caller renders the
    # words in it (translation.override); fonts follow the text.
    language: str = "en"
    paper: str = "letter"  # "letter" or "A4", from the jurisdiction's profile
    # What the plea statement names beyond the terms, where the profile asks for it: the
    # procedure agreed to (CPL art. 174) and the limits on appeal, as (label, value).
    statement: tuple[tuple[str, str], ...] = ()


LATIN_FONT = "Helvetica"
LATIN_BOLD_FONT = "Helvetica-Bold"
# The CJK font of the installed dependencies (core.fonts): the PDF embeds the subset of it that
# the document uses, so it renders on a reader with no Chinese font. It has no bold face.
CJK_FONT = "ParleyCJK"

MARGIN = 20 * mm
FOOTER_SIZE = 8
HEADING_ROOM = 80  # points: a heading, a table's header row and its first row
RULE_COLOR = colors.HexColor("#9a9a9a")
HEADER_FILL = colors.HexColor("#e8e8e8")
MUTED_COLOR = colors.HexColor("#444444")

# Han (with extension A and compatibility ideographs), kana, CJK punctuation and full-width
# forms: set in the CJK font. Everything else stays in Helvetica, whose Latin is better than
# the CJK font's and which every viewer has.
_CJK_RUN = re.compile("([\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+)")
# C0 controls other than tab and newline draw as missing-glyph boxes; user text may carry them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def agreement_pdf(doc: AgreementDocument, *copies: AgreementDocument) -> bytes:
    """The agreement; then, each on new pages, its copies in other languages (the same terms,
    their words translated), in one file with one digest."""
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=LETTER if doc.paper == "letter" else A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=_clean(doc.caption),
        subject=_clean(doc.reference),
        author="",
        creator="Parley",
        # Fixed creation date and document id: the same input gives the same bytes.
        invariant=1,
        pageCompression=1,
    )
    canvasmaker = functools.partial(_NumberedCanvas, footer_text=_clean(doc.reference))
    styles = _Styles()
    story: list[Flowable] = []
    for number, copy in enumerate((doc, *copies)):
        # Each copy's own words in its own language; the footers in the first's.
        with translation.override(copy.language):
            if number:
                story.append(PageBreak())
            story += _story(copy, styles, template.width)
    with translation.override(doc.language):
        template.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


def _runs(text: str) -> Iterator[tuple[str, bool]]:
    """Split text into (run, is_cjk) pieces, dropping empty ones."""
    for index, run in enumerate(_CJK_RUN.split(_clean(text))):
        if run:
            yield run, index % 2 == 1


@functools.cache
def _cjk_font() -> str:
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(fonts.font_file()), subfontIndex=fonts.FONT_INDEX))
    return CJK_FONT


def _markup(text: str) -> str:
    # Paragraph reads its input as markup: user text must not be able to open a tag.
    return "".join(
        f'<font face="{_cjk_font()}">{escape(run)}</font>' if cjk else escape(run)
        for run, cjk in _runs(text)
    )


class _Styles:
    def __init__(self) -> None:
        self.court = ParagraphStyle(
            "court",
            fontName=LATIN_BOLD_FONT,
            fontSize=12,
            leading=15,
            alignment=TA_CENTER,
        )
        self.jurisdiction = ParagraphStyle(
            "jurisdiction",
            fontName=LATIN_FONT,
            fontSize=9,
            leading=12,
            alignment=TA_CENTER,
            textColor=MUTED_COLOR,
        )
        self.caption = ParagraphStyle(
            "caption",
            fontName=LATIN_BOLD_FONT,
            fontSize=16,
            leading=20,
            alignment=TA_CENTER,
            spaceBefore=10,
            spaceAfter=4,
        )
        self.docket = ParagraphStyle(
            "docket",
            fontName=LATIN_FONT,
            fontSize=10,
            leading=13,
            alignment=TA_CENTER,
            spaceAfter=10,
        )
        self.heading = ParagraphStyle(
            "heading",
            fontName=LATIN_BOLD_FONT,
            fontSize=12,
            leading=15,
            spaceBefore=12,
            spaceAfter=5,
        )
        self.cell = ParagraphStyle("cell", fontName=LATIN_FONT, fontSize=9, leading=11.5)
        self.header_cell = ParagraphStyle(
            "header_cell", fontName=LATIN_BOLD_FONT, fontSize=9, leading=11.5
        )
        self.note = ParagraphStyle(
            "note", fontName=LATIN_FONT, fontSize=9, leading=11.5, textColor=MUTED_COLOR
        )


def _story(doc: AgreementDocument, styles: _Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        _text(doc.court, styles.court),
        _text(doc.jurisdiction, styles.jurisdiction),
        _text(doc.caption, styles.caption),
        _text(_("Docket No. %(number)s") % {"number": doc.docket_number}, styles.docket),
        _details_table(doc, styles, width),
    ]

    story += _heading(_("Charges"), styles)
    story.append(
        _table(
            (_("Count"), _("Citation"), _("Offence"), _("Disposition")),
            [(str(c.count), c.citation, c.title, c.disposition) for c in doc.charges],
            (0.09, 0.23, 0.34, 0.34),
            styles,
            width,
            empty=_("No charges listed."),
        )
    )

    story += _heading(_("Sentence recommendation"), styles)
    story.append(
        _table(
            (pgettext("agreement table", "Term"), _("Recommendation")),
            list(doc.sentence),
            (0.35, 0.65),
            styles,
            width,
            empty=_("No sentence recommendation."),
        )
    )

    if doc.statement:
        story += _heading(_("Plea statement"), styles)
        story.append(
            _table(
                (_("Term"), _("Agreed")),
                list(doc.statement),
                (0.35, 0.65),
                styles,
                width,
                empty="",
            )
        )

    story += _heading(_("Conditions"), styles)
    story.append(
        _table(
            (_("No."), _("Condition")),
            [(str(number), condition) for number, condition in enumerate(doc.conditions, 1)],
            (0.09, 0.91),
            styles,
            width,
            empty=_("No conditions."),
        )
    )

    story += _heading(_("Voluntariness checklist"), styles)
    story.append(
        _table(
            (pgettext("checklist", "Item"), _("Answer")),
            list(doc.checklist),
            (0.6, 0.4),
            styles,
            width,
            empty=_("No checklist recorded."),
        )
    )

    story += _heading(_("Signatures"), styles)
    story.append(
        _table(
            (_("Role"), _("Name"), pgettext("when", "Signed"), _("Witness")),
            [(s.role, s.name, s.signed_at, s.witness) for s in doc.signatures],
            (0.18, 0.26, 0.24, 0.32),
            styles,
            width,
            empty=_("No signatures recorded."),
        )
    )
    return story


def _text(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_markup(text), style)


def _heading(text: str, styles: _Styles) -> list[Flowable]:
    # Start a new page rather than leave a heading without its first rows. Not keepWithNext:
    # that moves a table longer than the space left to the next page whole, leaving a gap.
    return [CondPageBreak(HEADING_ROOM), _text(text, styles.heading)]


def _details_table(doc: AgreementDocument, styles: _Styles, width: float) -> Flowable:
    rows = [
        (_("Reference"), doc.reference),
        (
            npgettext("agreement details", "Defendant", "Defendants", len(doc.defendants)),
            "; ".join(doc.defendants),
        ),
        (_("Generated"), doc.generated_at),
    ]
    table = Table(
        [[_text(label, styles.header_cell), _text(value, styles.cell)] for label, value in rows],
        colWidths=[0.2 * width, 0.8 * width],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE_COLOR),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE_COLOR),
            ]
        )
    )
    return table


def _table(
    header: tuple[str, ...],
    rows: list[tuple[str, ...]],
    fractions: tuple[float, ...],
    styles: _Styles,
    width: float,
    *,
    empty: str,
) -> Flowable:
    if not rows:
        return _text(empty, styles.note)
    data = [[_text(label, styles.header_cell) for label in header]]
    data += [[_text(value, styles.cell) for value in row] for row in rows]
    table = Table(
        data,
        colWidths=[fraction * width for fraction in fractions],
        repeatRows=1,
        # A row taller than a page (a very long condition) splits instead of failing layout.
        splitInRow=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.5, RULE_COLOR),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


class _NumberedCanvas(Canvas):
    """Draws "Page n of m" once the page count is known, i.e. when the document is saved."""

    def __init__(self, *args: Any, footer_text: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer_text = footer_text
        self._page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._page_states)
        for state in self._page_states:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        page_width = self._pagesize[0]
        y = MARGIN - 2 * mm
        self.saveState()
        self.setStrokeColor(RULE_COLOR)
        self.setLineWidth(0.5)
        self.line(MARGIN, y + FOOTER_SIZE + 2, page_width - MARGIN, y + FOOTER_SIZE + 2)
        page_label = f"Page {self._pageNumber} of {total}"
        self.setFont(LATIN_FONT, FOOTER_SIZE)
        self.drawRightString(page_width - MARGIN, y, page_label)
        room = page_width - 2 * MARGIN - self.stringWidth(page_label) - 6 * mm
        self._draw_runs(MARGIN, y, _fit(self._footer_text, room))
        self.restoreState()

    def _draw_runs(self, x: float, y: float, text: str) -> None:
        for run, cjk in _runs(text):
            font = _cjk_font() if cjk else LATIN_FONT
            self.setFont(font, FOOTER_SIZE)
            self.drawString(x, y, run)
            x += pdfmetrics.stringWidth(run, font, FOOTER_SIZE)


def _footer_width(text: str) -> float:
    return sum(
        pdfmetrics.stringWidth(run, _cjk_font() if cjk else LATIN_FONT, FOOTER_SIZE)
        for run, cjk in _runs(text)
    )


def _fit(text: str, room: float) -> str:
    if _footer_width(text) <= room:
        return text
    while text and _footer_width(text + "…") > room:
        text = text[:-1]
    return text + "…"
