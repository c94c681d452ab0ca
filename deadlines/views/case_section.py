"""The court dates section of the case page."""

from __future__ import annotations

from typing import Any

from cases import permissions
from cases.models import Case
from cases.services import court_today
from deadlines import selectors
from deadlines.models import DeadlineStatus


def court_dates_section(user: Any, case: Case) -> dict[str, Any]:
    """What the case page shows of its court dates: hearings (latest status) and deadlines the
    reader may see, each linked, and the add buttons for the court. A fixed number of queries
    whatever the number of dates."""
    hearings = list(selectors.hearings_of_case(user, case).select_related("courtroom", "judge"))
    deadlines = list(selectors.deadlines_of_case(user, case))
    today = court_today(case.court)
    for deadline in deadlines:
        deadline.is_overdue = (  # type: ignore[attr-defined]
            deadline.status == DeadlineStatus.OPEN and deadline.due_date < today
        )
    return {
        "hearings": hearings,
        "deadlines": deadlines,
        "may_keep_calendar": permissions.may_keep_calendar(user, case),
    }
