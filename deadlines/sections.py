"""The sections deadlines adds to lower apps' pages (core.sections); imported by ready()."""

from typing import Any

from core.sections import CASE_PAGE, DASHBOARD, section_register
from deadlines import selectors
from deadlines.views import court_dates_section

# The dashboard's "Upcoming": the next two weeks of hearings and deadlines, at most this many.
UPCOMING_DAYS = 14
UPCOMING_ROWS = 20


def upcoming_section(user: Any) -> list[selectors.UpcomingItem]:
    return selectors.upcoming_for(user, days=UPCOMING_DAYS, limit=UPCOMING_ROWS)


def sections_register() -> None:
    section_register(
        CASE_PAGE,
        name="court_dates",
        template="deadlines/partials/case_section.html",
        data=court_dates_section,
        order=10,
    )
    section_register(
        DASHBOARD,
        name="upcoming",
        template="deadlines/partials/upcoming.html",
        data=upcoming_section,
    )
