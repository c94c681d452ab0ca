"""Screenshots of the main pages for docs/screenshots. Run only when asked:

    PARLEY_SCREENSHOTS=1 pytest tests/browser/test_screenshots.py

They overwrite docs/screenshots/*.png; look at them before committing.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseStatus, OffenceClass, Statute
from parties.models import CustodyStatus, Role
from tests.browser.conftest import sign_in
from tests.conftest import World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.environ.get("PARLEY_SCREENSHOTS"),
        reason="set PARLEY_SCREENSHOTS=1 to refresh docs/screenshots",
    ),
]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_BYTES = 300_000

NAMES = {
    "prosecutor": ("Alex", "Morgan"),
    "defense": ("Dana", "Whitfield"),
    "duty": ("Sam", "Ortiz"),
    "judge": ("Ruth", "Alvarez"),
    "clerk": ("Chris", "Lee"),
    "other_prosecutor": ("Jordan", "Price"),
}

OTHER_CASES = [
    ("1:26-cr-00014", "United States v. Okafor", CaseStatus.NEGOTIATING),
    ("1:26-cr-00017", "United States v. Brandt", CaseStatus.AGREEMENT),
    ("1:26-cr-00021", "United States v. Nguyen", CaseStatus.TRIAL),
    ("1:26-cr-00023", "United States v. Castillo", CaseStatus.INTAKE),
    ("1:26-cr-00026", "United States v. Haddad", CaseStatus.DISMISSED),
    ("1:26-cr-00031", "United States v. Kowalski", CaseStatus.NEGOTIATING),
]
PATHS = {
    CaseStatus.NEGOTIATING: [CaseStatus.NEGOTIATING],
    CaseStatus.AGREEMENT: [CaseStatus.NEGOTIATING, CaseStatus.AGREEMENT],
    CaseStatus.TRIAL: [CaseStatus.TRIAL],
    CaseStatus.INTAKE: [],
    CaseStatus.DISMISSED: [CaseStatus.DISMISSED],
}


def furnish(world: World) -> None:
    """Give the world the look of a working docket: names, charges, history, more cases."""
    for username, (first, last) in NAMES.items():
        User.objects.filter(username=username).update(first_name=first, last_name=last)
    prosecutor = world.user(Role.PROSECUTOR)
    clerk = world.user(Role.COURT_STAFF)
    world.defendant.custody_status = CustodyStatus.DETAINED
    world.defendant.interpreter_needed = True
    world.defendant.preferred_language = "Spanish"
    world.defendant.save()
    firearm = Statute.objects.create(
        jurisdiction=world.statute.jurisdiction,
        citation="18 U.S.C. 924(c)(1)(A)",
        title="Firearm in furtherance of drug trafficking",
        offence_class=OffenceClass.FELONY,
        severity_rank=9,
        min_custody_months=60,
        max_custody_months=None,
        mandatory_minimum_months=60,
    )
    case_services.charge_add(
        case=world.case, statute=firearm, by=prosecutor, description="Glock 19, 14 March 2026"
    )
    case_services.charge_add(case=world.case, statute=world.lesser_statute, by=prosecutor)
    case_services.case_transition(
        case=world.case,
        to_status=CaseStatus.NEGOTIATING,
        by=prosecutor,
        reason="Initial discovery produced; first offer to follow.",
    )
    for number, caption, status in OTHER_CASES:
        case = case_services.case_open(
            court=world.court,
            docket_number=number,
            caption=caption,
            by=prosecutor,
            opened_on=dt.date(2026, 2, 2),
            sealed=caption.endswith("Nguyen"),
        )
        case_services.charge_add(case=case, statute=world.statute, by=prosecutor)
        for step in PATHS[status]:
            case_services.case_transition(case=case, to_status=step, by=clerk)


def shoot(page: Any, name: str, *, full_page: bool = True) -> None:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"


def test_screenshots(live_server: Any, world: World, page: Any, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    furnish(world)
    url = live_server.url

    page.goto(url + reverse("login"))
    shoot(page, "login", full_page=False)

    sign_in(page, live_server, "clerk")
    shoot(page, "dashboard")
    page.goto(url + reverse("cases:list"))
    shoot(page, "case-list")

    page.goto(url + reverse("cases:open"))
    page.get_by_label("Court", exact=True).select_option(index=1)
    page.get_by_label("Docket number").fill(world.case.docket_number)
    page.get_by_label("Caption").fill("United States v. Doe")
    page.get_by_role("button", name="Open case").click()
    page.wait_for_selector(".error-summary")
    shoot(page, "open-case-error")

    prosecutor = browser.new_context(viewport={"width": 1360, "height": 860}, locale="en-US")
    tab = prosecutor.new_page()
    sign_in(tab, live_server, "prosecutor")
    shoot(tab, "dashboard-prosecutor")
    tab.goto(url + reverse("cases:detail", args=[world.case.pk]))
    tab.get_by_text("Add a charge").click()
    shoot(tab, "case-detail-prosecutor")
    # Calendar feeds: a short list of the person's cases and a search, not every case.
    tab.goto(url + reverse("deadlines:feeds"))
    shoot(tab, "calendar-feeds")
    tab.set_viewport_size({"width": 390, "height": 844})
    shoot(tab, "calendar-feeds-phone")
    prosecutor.close()

    defense = browser.new_context(viewport={"width": 1360, "height": 860}, locale="en-US")
    tab = defense.new_page()
    sign_in(tab, live_server, "defense")
    tab.goto(url + reverse("cases:detail", args=[world.case.pk]))
    shoot(tab, "case-detail-defense")
    defense.close()
