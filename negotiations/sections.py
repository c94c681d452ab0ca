"""The sections negotiations adds to lower apps' pages (core.sections); imported by ready()."""

from core.sections import CASE_PAGE, DISCOVERY_PAGE, section_register
from negotiations.views import discovery_offers_section, negotiation_section


def sections_register() -> None:
    section_register(
        CASE_PAGE,
        name="negotiation",
        template="negotiations/partials/case_section.html",
        data=negotiation_section,
        order=20,
    )
    section_register(
        DISCOVERY_PAGE,
        name="offers",
        template="negotiations/partials/discovery_section.html",
        data=discovery_offers_section,
    )
