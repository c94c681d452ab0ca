"""Types the signatures of every app share."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    # Whoever makes a request: a signed-in user or no one.
    AnyUser = User | AnonymousUser
