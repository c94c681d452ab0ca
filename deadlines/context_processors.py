"""The header's unread-notifications badge, on every page."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from deadlines import notifications


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications`: the signed-in person's unread count. One query, only when a
    template reads it (the header does; htmx partials and the login page do not), and once
    however often it is read."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    @cache
    def count() -> int:
        return notifications.unread_count(user)

    return {"unread_notifications": count}
