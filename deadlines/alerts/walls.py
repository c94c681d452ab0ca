"""How much of an alert its reader may be shown now (cases.permissions decides)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases import permissions
from deadlines.models import NEGOTIATION_DEADLINE_KINDS, Alert, AlertSubject

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _still_concerns(alert: Alert) -> bool:
    """Whether the recipient may still be told about the alert's date. Escalations go to case
    leads and to office supervisors who need not be on the case; digests carry no case."""
    if alert.case is None or alert.subject == AlertSubject.ESCALATION:
        return True
    negotiation = alert.subject == AlertSubject.OFFER_EXPIRED or (
        alert.deadline is not None and alert.deadline.kind in NEGOTIATION_DEADLINE_KINDS
    )
    return permissions.may_be_alerted(alert.recipient, alert.case, negotiation=negotiation)


# How much of an alert its reader is shown: all of it, or (an office supervisor who does not
# see the case) who of their office missed what kind of deadline when, and nothing of the case.
FULL_VIEW = "full"
OFFICE_VIEW = "office"


def alert_view(alert: Alert, *, reader: User, walls: frozenset[str]) -> str | None:
    """What `reader`, whose walls on the alert's case are `walls` (cases.permissions.walls_of),
    may be shown of `alert` now: FULL_VIEW, OFFICE_VIEW, or None (nothing: an item they no
    longer have access to)."""
    if alert.subject == AlertSubject.DIGEST or alert.case_id is None:
        return FULL_VIEW
    negotiation = alert.subject == AlertSubject.OFFER_EXPIRED or (
        alert.deadline is not None and alert.deadline.kind in NEGOTIATION_DEADLINE_KINDS
    )
    if permissions.may_read_date_behind(walls, negotiation=negotiation):
        return FULL_VIEW
    if alert.subject == AlertSubject.ESCALATION and permissions.hears_office_escalations(reader):
        return OFFICE_VIEW
    return None


def _recipient_view(alert: Alert) -> str | None:
    walls = (
        permissions.walls_of(alert.recipient, alert.case) if alert.case is not None else frozenset()
    )
    return alert_view(alert, reader=alert.recipient, walls=walls)
