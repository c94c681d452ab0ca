"""What every page's form handling shares: running a service on a form's data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError

from core.exceptions import Conflict

T = TypeVar("T")


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def renamed(error: ValidationError, names: dict[str, str]) -> ValidationError:
    """The service's field names as the form's (a hearing's `starts_at` is the form's date and
    time), so each message lands next to the control that holds the value."""
    if not names or not hasattr(error, "error_dict"):
        return error
    by_field: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        by_field.setdefault(names.get(name, name), []).extend(messages)
    return ValidationError(by_field)


def submit_form(
    form: forms.Form, action: Callable[[dict[str, Any]], T]
) -> tuple[T | None, int, str]:
    """Validate `form` and run `action` on its data; return (result, HTTP status, conflict).

    A ValidationError goes next to the fields it names (400; a form's `service_fields` maps
    the service's names to its own); a Conflict comes back as its message, for the top of the
    page (409). PermissionDenied and Http404 are not caught: they become the 403 and 404 pages.
    """
    if not form.is_valid():
        return None, 400, ""
    try:
        return action(form.cleaned_data), 200, ""
    except ValidationError as error:
        add_service_errors(form, renamed(error, getattr(form, "service_fields", {})))
        return None, 400, ""
    except Conflict as conflict:
        return None, 409, conflict.message
