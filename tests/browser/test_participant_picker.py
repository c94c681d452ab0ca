"""The add-participant form's pickers in a real browser: type a name, choose the person among
the results (radio buttons, by keyboard too), add them. With PARLEY_SCREENSHOTS=1 the open form
with results is saved to docs/screenshots/participant-picker.png (1366 px wide) and
participant-picker-narrow.png (390 px)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from cases import services as case_services
from parties.models import CaseParticipant, Organization, Role
from tests.browser.conftest import SHOTS, sign_in
from tests.conftest import World, make_user

pytestmark = pytest.mark.browser


def person(username: str, role: str, org: Organization | None, first: str, last: str) -> User:
    user = make_user(username, role, org)
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def newmans(world: World) -> dict[str, User]:
    """People named Newman: a duty lawyer and a judge of the court, two more duty lawyers."""
    judge = person("nia_judge", Role.JUDGE, world.orgs["court"], "Nia", "Newman")
    case_services.court_member_add(court=world.court, user=judge)
    return {
        "duty": person("nia_duty", Role.DUTY_LAWYER, world.orgs["aid"], "Nia", "Newman"),
        "judge": judge,
        "noah": person("noah_duty", Role.DUTY_LAWYER, world.orgs["aid"], "Noah", "Newmark"),
        "nell": person("nell_duty", Role.DUTY_LAWYER, None, "Nell", "Newport"),
    }


def open_form(page: Any, live_server: Any, world: World) -> Any:
    page.goto(live_server.url + reverse("cases:detail", args=[world.case.pk]))
    page.get_by_text("Add a participant").click()
    return page.locator("#participant-add")


def test_clerk_types_a_name_picks_the_person_and_adds_them(
    live_server: Any, world: World, page: Any, newmans: dict[str, User]
) -> None:
    sign_in(page, live_server, "clerk")
    form = open_form(page, live_server, world)
    page.evaluate("window.stillThisPage = true")

    form.get_by_label("Role").select_option(label="Duty lawyer")
    form.get_by_label("Find a person").press_sequentially("newm")

    people = form.get_by_role("radiogroup", name="Person")
    expect(people.get_by_role("radio")).to_have_count(2)
    expect(people).to_contain_text("Legal Aid Centre")
    expect(form).to_contain_text("2 people who may take part as duty lawyer.")
    assert page.evaluate("window.stillThisPage") is True  # searched without a reload
    people.get_by_role("radio", name="Nia Newman").check()
    form.get_by_role("button", name="Add participant").click()

    expect(page.locator(".messages, [role=status]").first).to_contain_text(
        "Nia Newman added as Duty lawyer."
    )
    expect(page.locator("#parties")).to_contain_text("Nia Newman")
    assert CaseParticipant.objects.filter(
        case=world.case, user=newmans["duty"], role=Role.DUTY_LAWYER, end_date=None
    ).exists()


def test_the_picker_works_from_the_keyboard_and_follows_the_role(
    live_server: Any, world: World, page: Any, newmans: dict[str, User]
) -> None:
    sign_in(page, live_server, "clerk")
    form = open_form(page, live_server, world)
    form.get_by_label("Role").select_option(label="Judge")
    search = form.get_by_label("Find a person")
    search.fill("nia")
    search.press("Enter")  # searches at once, and does not send the form

    people = form.get_by_role("radiogroup", name="Person")
    expect(people.get_by_role("radio")).to_have_count(1)
    expect(people).to_contain_text("Nia Newman")
    expect(people).to_contain_text("District Court Clerk")

    # A new role searches again: now the duty lawyer Nia Newman is the one found.
    form.get_by_label("Role").select_option(label="Duty lawyer")
    expect(people.get_by_role("radio")).to_have_count(1)
    expect(people).to_contain_text("Legal Aid Centre")

    search.focus()
    page.keyboard.press("Tab")
    radio = people.get_by_role("radio", name="Nia Newman")
    expect(radio).to_be_focused()
    page.keyboard.press("Space")
    expect(radio).to_be_checked()
    assert CaseParticipant.objects.filter(case=world.case, user=newmans["duty"]).count() == 0


def test_screenshots_of_the_open_form_with_results(
    live_server: Any, world: World, page: Any, newmans: dict[str, User]
) -> None:
    if not os.environ.get("PARLEY_SCREENSHOTS"):
        pytest.skip("set PARLEY_SCREENSHOTS=1 to refresh docs/screenshots")
    sign_in(page, live_server, "clerk")
    for width, name in ((1366, "participant-picker"), (390, "participant-picker-narrow")):
        page.set_viewport_size({"width": width, "height": 900})
        form = open_form(page, live_server, world)
        form.get_by_label("Role").select_option(label="Duty lawyer")
        form.get_by_label("Find a person").press_sequentially("new")
        people = form.get_by_role("radiogroup", name="Person")
        expect(people.get_by_role("radio")).to_have_count(3)
        people.get_by_role("radio", name="Noah Newmark").check()
        form.get_by_label("Find a defendant").press_sequentially("do")
        expect(form.get_by_role("radiogroup", name="Defendant").get_by_role("radio")).to_have_count(
            1
        )
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        form.screenshot(path=str(SHOTS / f"{name}.png"))
