"""{{ user|person_name }}: a person's name in the order of its script (core.text.person_name),
else their username."""

from __future__ import annotations

from typing import Any

from django import template

from core.text import person_name as ordered_name

register = template.Library()


@register.filter
def person_name(user: Any) -> str:
    if user is None:
        return ""
    name = ordered_name(getattr(user, "first_name", ""), getattr(user, "last_name", ""))
    return name or str(user.get_username())
