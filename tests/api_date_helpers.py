"""What the court-dates API tests share: who gets which answer, the 403 details, a snapshot of
every row the court dates write, and the clock.

The expectations are written out here, not read from cases.permissions, so that a change of
rule shows up as a failing test rather than as a silent change of the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from deadlines.models import (
    Alert,
    AlertPreference,
    AlertSettings,
    CourtClosure,
    Courtroom,
    Deadline,
    DeadlineChange,
    Hearing,
    HearingChange,
    Notification,
)
from parties.models import Role
from tests.api_negotiation_helpers import Answer

# Tuesday 1 December 2026, 12:00 UTC (07:00 in New York): before the helpers' default dates
# (a plea hearing on 15 December, discovery due on 18 December).
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)

# Who keeps a case's calendar: its court (judge and staff); the others read it.
KEEPERS = [Role.JUDGE, Role.COURT_STAFF]
PARTIES = [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT]
NEGOTIATORS = [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER]

# The 403 details, as cases.permissions and deadlines.services word them.
COURT_KEEPS_CALENDAR = "Only the court schedules hearings and sets deadlines."
COURT_STAFF_ONLY_CLOSURES = "Only the court's staff enter closure days."
COURT_STAFF_ONLY_COURTROOMS = "Only the court's staff add courtrooms."
COMPLETERS_ONLY = "The court, or counsel for the side that had to meet it, marks a deadline met."

NO_HEARING = {"detail": "Not found.", "code": "not_found"}
NO_DEADLINE = {"detail": "Not found.", "code": "not_found"}
NO_NOTIFICATION = {"detail": "Not found.", "code": "not_found"}

# A bigger number than any column holds.
HUGE = 10**30


def date_rows() -> dict[str, list[dict[str, Any]]]:
    """Every row the court dates write: a refused request leaves all of it as it was."""
    models: list[type[Any]] = [
        Courtroom,
        CourtClosure,
        Hearing,
        HearingChange,
        Deadline,
        DeadlineChange,
        Alert,
        Notification,
        AlertPreference,
        AlertSettings,
    ]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def table(
    keepers: Answer, parties: Answer, *, overrides: dict[str, Answer] | None = None
) -> dict[str, Answer]:
    """An answer per role on the world case: one for the court, one for the parties."""
    answers: dict[str, Answer] = {
        **dict.fromkeys(KEEPERS, keepers),
        **dict.fromkeys(PARTIES, parties),
    }
    answers.update(overrides or {})
    return answers
