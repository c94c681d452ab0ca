"""Versions of objects for optimistic concurrency: an ETag from what the row says it is, and
the check a service makes, under the row's lock, against the If-Match a client sent."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.translation import gettext as _

from core.exceptions import PreconditionFailed


def etag_of(obj: Any) -> str:
    """A strong ETag: changes whenever the row's updated_at does (every write to it).

    A row without updated_at (a defendant) is versioned by what it holds: a digest of its
    fields' values, so any change to what a client reads gives a new tag.
    """
    if hasattr(obj, "updated_at"):
        stamp = obj.updated_at.isoformat() if obj.updated_at else ""
    else:
        stamp = json.dumps(
            [[f.attname, f.value_to_string(obj)] for f in obj._meta.concrete_fields],
            ensure_ascii=False,
        )
    digest = hashlib.sha256(f"{obj._meta.label}:{obj.pk}:{stamp}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def etag_of_data(kind: str, data: Any) -> str:
    """A strong ETag of what a client reads, for what is not one row (a user's settings, which
    may be the defaults): changes whenever the representation does."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{kind}:{text}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def require_data_version(kind: str, data: Any, if_match: list[str] | None) -> None:
    """412 unless what the client read (`data`, as it is now) still has one of these versions."""
    if if_match is None:
        return
    current = etag_of_data(kind, data)
    if current not in if_match:
        raise PreconditionFailed(
            _("This was changed since you read it: read it again and apply your change to that."),
            current=current,
        )


def parse_if_match(header: str | None) -> list[str] | None:
    """The entity tags of an If-Match header; None when there is none or it is "*"."""
    if not header or header.strip() == "*":
        return None
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def require_version(obj: Any, if_match: list[str] | None) -> None:
    """412 unless the object (locked by the caller) still has one of the versions given.
    A weak tag (W/"...") never matches: If-Match compares strongly (RFC 9110, 13.1.1)."""
    if if_match is None:
        return
    current = etag_of(obj)
    if current not in if_match:
        raise PreconditionFailed(
            _("This was changed since you read it: read it again and apply your change to that."),
            current=current,
        )
