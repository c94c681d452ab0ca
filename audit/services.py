"""Writes to the audit trail that are not row changes: sign-ins, downloads, exports, views."""

from __future__ import annotations

from typing import Any

from audit import context
from audit.models import Audience, AuditEvent


def record(
    kind: str,
    *,
    case_id: int | None = None,
    audience: str = Audience.SHARED,
    actor: Any = None,
    request: Any = None,
    data: dict[str, Any] | None = None,
    with_path: bool = True,
) -> AuditEvent:
    """Append one event. The actor defaults to whoever the current context says is acting.
    The request's method and path are kept in `data` unless `with_path` is false: a path names
    what was opened (a note, a document), which the event's audience may not be allowed to
    know of."""
    bound = getattr(request, "audit", None) or context.current()
    if actor is None and bound is not None:
        actor = bound.actor_user()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        kind=kind,
        case_id=case_id,
        audience=audience,
        actor_id=actor.pk if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        via=bound.via if bound is not None else "",
        request_id=bound.request_id if bound is not None else "",
        ip=bound.ip if bound is not None else None,
        data={
            **(
                {"method": bound.method, "path": bound.path}
                if with_path and bound and bound.path
                else {}
            ),
            **(data or {}),
        },
    )


def sealed_case_viewed(*, case: Any, request: Any, seen: str) -> None:
    """A sealed case was opened: who, when and which part of it (`seen`: the case page, its
    record, its history), for the court's eyes. Not the request's path: it would name a note
    or document behind another side's wall, and tell the court when that side opened it."""
    if case.sealed:
        record(
            "case.sealed_viewed",
            case_id=case.pk,
            audience=Audience.COURT,
            request=request,
            data={"seen": seen},
            with_path=False,
        )
