"""The API's JSON parser: DRF's, with limits on what a body may hold.

- Nesting: no request of the API nests more than a few levels, and Python's JSON decoder
  recurses once a level (RecursionError near a thousand). A body nested deeper than MAX_DEPTH
  is refused as unreadable (400), before anything walks it.
- Text: every string, anywhere in the body, must be text PostgreSQL can store and a JSON answer
  can carry. JSON's escapes can say what UTF-8 cannot (a lone surrogate, "\\ud800") and what
  PostgreSQL refuses (NUL, "\\u0000"); either is a 400 naming the field where it was found
  (`{"terms": {"0": {"disposition": ["…"]}}}`), whatever the field is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

MAX_DEPTH = 64

_SURROGATE = re.compile("[\ud800-\udfff]")

TOO_DEEP = _("The JSON body is nested more than %(depth)d levels deep.")
SURROGATE = _(
    "This text holds an invalid character (a lone UTF-16 surrogate, U+D800 to U+DFFF); send "
    "valid Unicode text."
)
NUL = _("Null characters are not allowed.")
BAD_NAME = _("A field name holds an invalid character (a lone surrogate or a null character).")


def _text_error(text: str) -> str | None:
    if _SURROGATE.search(text):
        return str(SURROGATE)
    if "\x00" in text:
        return str(NUL)
    return None


def _nest(path: tuple[str, ...], message: str) -> dict[str, Any]:
    """{"a": {"0": {"b": [message]}}} for the path ("a", "0", "b")."""
    error: Any = [message]
    for name in reversed(path or ("non_field_errors",)):
        error = {name: error}
    return dict(error)


def check_body(data: Any) -> None:
    """Refuse a parsed body nested too deeply or holding text that is not storable text.

    Walks the body with a stack of its own (never recursing), depth first, so the first error
    reported is the first in the body.
    """
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise ParseError(TOO_DEEP % {"depth": MAX_DEPTH}, code="too_deep")
        if isinstance(value, str):
            message = _text_error(value)
            if message:
                raise ValidationError(_nest(path, message), code="invalid_text")
        elif isinstance(value, Mapping):
            children = []
            for key, item in value.items():
                if _text_error(key):
                    raise ValidationError(_nest(path, str(BAD_NAME)), code="invalid_text")
                children.append((item, (*path, key)))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([(item, (*path, str(i))) for i, item in enumerate(value)]))


class JSONParser(parsers.JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP % {"depth": MAX_DEPTH}, code="too_deep") from None
        check_body(data)
        return data
