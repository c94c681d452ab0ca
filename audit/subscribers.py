"""What the audit trail records of the domain beyond row changes (those its triggers record)."""

from __future__ import annotations

from audit import services
from core import domain_events as de


def case_view_record(event: de.CaseViewed) -> None:
    """A sealed case opened is in its history, for the court (audit.services)."""
    services.sealed_case_viewed(case=event.case, request=event.request, seen=event.seen)


def connect() -> None:
    de.subscribe(de.CaseViewed, case_view_record)
