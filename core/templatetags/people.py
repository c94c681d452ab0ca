"""{{ user|person_name }}: a login's name as people read it (core.text.user_name), family name
first without a space for a Chinese name, the username for a login without a name."""

from __future__ import annotations

from django import template

from core.text import user_name

register = template.Library()


@register.filter
def person_name(user: object) -> str:
    if user is None or user == "":
        return ""
    return user_name(user)
