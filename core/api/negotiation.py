"""Content negotiation for downloads (agreement PDFs, documents, history exports)."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class DownloadNegotiation(BaseContentNegotiation):
    """The file goes out as a plain HttpResponse whatever the Accept header, and errors as
    JSON, instead of a 406 for `Accept: application/pdf` or `text/csv` before the view runs."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type
