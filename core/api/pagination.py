"""Pagination for the API: cursors, never page numbers, so a page costs the same at any depth."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.pagination import CursorPagination as BaseCursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


def _with_cursor_examples(schema: dict[str, Any]) -> dict[str, Any]:
    """DRF's envelope schema, with links that look like ours in its examples."""
    properties = schema["properties"]
    properties["next"]["example"] = "https://parley.example.org/api/v1/cases/?cursor=YmVmb3JlOjIx"
    properties["previous"]["example"] = None
    return schema


INVALID_CURSOR = "This cursor is not one Parley gave out; start again from the first page."


class CursorPagination(BaseCursorPagination):
    """Newest first by id: stable under inserts, and served by the primary key index."""

    ordering: Any = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            # DRF answers a bad cursor with 404; it is bad input, said of its parameter.
            raise exceptions.ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError):
            # A hand-made cursor whose position is not an id (or a date): as invalid as any.
            raise exceptions.ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return _with_cursor_examples(super().get_paginated_response_schema(schema))


class _Row(Protocol):
    pk: Any


class _Page(Protocol):
    @property
    def cases(self) -> list[Any]: ...
    @property
    def has_older(self) -> bool: ...
    @property
    def has_newer(self) -> bool: ...


PageT = TypeVar("PageT", bound=_Page)


class KeysetPagination(BasePagination):
    """Cursor pagination for lists whose selector walks an index from the cursor itself
    (cases.selectors.case_page_for_user). Same links and body as CursorPagination."""

    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def __init__(self) -> None:
        self.next_url: str | None = None
        self.previous_url: str | None = None

    def _size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("A whole number is required.")]}
            ) from None
        if size < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("Must be at least 1.")]}
            )
        return min(size, self.max_page_size)

    def _position(self, request: Request) -> tuple[int | None, int | None]:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None, None
        try:
            kind, _, value = base64.urlsafe_b64decode(raw.encode()).decode().partition(":")
            position = int(value)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise exceptions.ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        if kind == "before":
            return position, None
        if kind == "after":
            return None, position
        raise exceptions.ValidationError({self.cursor_query_param: [INVALID_CURSOR]})

    def _link(self, request: Request, kind: str, position: Any) -> str:
        token = base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode()
        return replace_query_param(request.build_absolute_uri(), self.cursor_query_param, token)

    def paginate(
        self, request: Request, fetch: Callable[[int | None, int | None, int], PageT]
    ) -> list[Any]:
        """`fetch(before, after, size)` returns the page; this sets the links around it."""
        before, after = self._position(request)
        page = fetch(before, after, self._size(request))
        rows = page.cases
        self.next_url = (
            self._link(request, "before", rows[-1].pk) if rows and page.has_older else None
        )
        if rows and page.has_newer:
            self.previous_url = self._link(request, "after", rows[0].pk)
        elif page.has_newer:
            self.previous_url = remove_query_param(
                request.build_absolute_uri(), self.cursor_query_param
            )
        else:
            self.previous_url = None
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.next_url, "previous": self.previous_url, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return _with_cursor_examples(BaseCursorPagination().get_paginated_response_schema(schema))

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The pagination cursor value (from `next` or `previous`).",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, at most {self.max_page_size}.",
                "schema": {"type": "integer"},
            },
        ]
