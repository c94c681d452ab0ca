"""Page sections that a higher app adds to a lower app's page.

Apps form one-way layers: the case page (cases) cannot import the negotiation or the court
dates, the dashboard cannot import deadlines, the discovery log (records) cannot import offers.
Instead the higher app registers a section in its AppConfig.ready(): a name, the partial
template that draws it and a function that reads its data. The lower page asks for the
sections registered for it and includes each template, in a fixed order; a section's data is in
the page's context under the section's name, which is what its template reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The pages that take sections, and what their sections' functions receive (as keywords).
CASE_PAGE = "cases:detail"  # user, case
DASHBOARD = "dashboard"  # user
DISCOVERY_PAGE = "records:discovery"  # user, case, disclosures (the log as shown)


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    data: Callable[..., Any]
    # Sections are drawn in ascending order; equal orders by name.
    order: int = 0


_sections: dict[str, dict[str, Section]] = {}


def section_register(
    page: str, *, name: str, template: str, data: Callable[..., Any], order: int = 0
) -> None:
    """Add a section to `page`. Registering the same name again replaces it (ready() may run
    more than once in tests)."""
    _sections.setdefault(page, {})[name] = Section(
        name=name, template=template, data=data, order=order
    )


def sections_of(page: str) -> list[Section]:
    return sorted(_sections.get(page, {}).values(), key=lambda s: (s.order, s.name))


def sections_context(page: str, **kwargs: Any) -> dict[str, Any]:
    """The context the page adds for its sections: each section's data under its name, and
    `page_sections`, the templates to include in order."""
    sections = sections_of(page)
    context: dict[str, Any] = {s.name: s.data(**kwargs) for s in sections}
    context["page_sections"] = [s.template for s in sections]
    return context
