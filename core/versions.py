"""Versions of objects for optimistic concurrency: an ETag from what the row says it is, and
the check a service makes, under the row's lock, against the If-Match a client sent."""

from __future__ import annotations

import hashlib
from typing import Any

from core.exceptions import PreconditionFailed


def etag_of(obj: Any) -> str:
    """A strong ETag: changes whenever the row's updated_at does (every write to it)."""
    stamp = obj.updated_at.isoformat() if obj.updated_at else ""
    digest = hashlib.sha256(f"{obj._meta.label}:{obj.pk}:{stamp}".encode()).hexdigest()
    return f'"{digest[:32]}"'


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
            "This was changed since you read it: read it again and apply your change to that.",
            current=current,
        )
