"""Court-date pages for every role of the `world`: scheduling and keeping hearings, setting and
keeping deadlines, closure days, the "Court dates" section of the case page, the dashboard's
"Upcoming", the notifications inbox with its header badge, and alert preferences.

Refusals change nothing: a page the role may not use answers 403 (404 when the case, hearing or
deadline is not theirs to see), and bad input comes back 400 with a message next to each field.
The clock is frozen on Monday 2026-12-14 at 10:00 in New York (the world court's zone).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from deadlines import alerts, services
from deadlines.models import (
    AlertPreference,
    AlertSettings,
    CourtClosure,
    Courtroom,
    Deadline,
    DeadlineChange,
    DeadlineKind,
    DeadlineStatus,
    Hearing,
    HearingChange,
    HearingKind,
    HearingStatus,
    Notification,
)
from parties.models import Role
from records.models import Note, Visibility
from tests.conftest import ROLES, World
from tests.deadline_helpers import (
    US_PSR_35_BEFORE,
    US_TRIAL_70,
    at,
    clerk,
    courtroom,
    event_deadline,
    hearing,
    manual_deadline,
    rule,
    sentencing,
)

COURT_ROLES = (Role.JUDGE, Role.COURT_STAFF)
PARTY_ROLES = (Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT)
NOW = at(2026, 12, 14, 10)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def room(world: World) -> Courtroom:
    return courtroom(world, "Courtroom 1")


def html_of(response: Any) -> str:
    return str(response.content.decode())


def snapshot(case: Case) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Everything the court-date pages write on a case, to show a refusal changed nothing."""
    return (
        list(Hearing.objects.filter(case=case).values().order_by("id")),
        list(HearingChange.objects.filter(hearing__case=case).values().order_by("id")),
        list(Deadline.objects.filter(case=case).values().order_by("id")),
        list(DeadlineChange.objects.filter(deadline__case=case).values().order_by("id")),
    )


# --- scheduling a hearing ------------------------------------------------------------------------


def schedule_form(room: Courtroom, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": HearingKind.ARRAIGNMENT,
        "date": "2026-12-16",
        "time": "10:30",
        "duration": "30",
        "courtroom": str(room.pk),
        "judge": "",
        "notes": "Interpreter (Spanish) booked.",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", COURT_ROLES)
def test_the_court_schedules_a_hearing_in_court_time(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    client.force_login(world.user(role))
    url = reverse("deadlines:hearing-new", args=[world.case.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Court time (America/New_York)." in html_of(page)
    judge = world.user(Role.JUDGE)
    response = client.post(url, schedule_form(room, judge=str(judge.pk)))
    made = Hearing.objects.get(case=world.case)
    assert response.status_code == 302
    assert response["Location"] == reverse("deadlines:hearing", args=[made.pk])
    assert made.kind == HearingKind.ARRAIGNMENT
    assert made.starts_at == at(2026, 12, 16, 10, 30)  # 15:30 UTC
    assert made.ends_at == at(2026, 12, 16, 11)
    assert made.judge == judge and made.courtroom == room
    assert made.notes == "Interpreter (Spanish) booked."
    detail = client.get(response["Location"])
    assert "Arraignment scheduled for 2026-12-16 10:30 EST in Courtroom 1." in html_of(detail)


def test_scheduling_errors_are_shown_per_field(
    client: Client, world: World, room: Courtroom
) -> None:
    client.force_login(clerk(world))
    url = reverse("deadlines:hearing-new", args=[world.case.pk])
    response = client.post(url, schedule_form(room, kind="picnic", date="", duration="0"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"kind", "date", "duration"}
    html = html_of(response)
    assert 'id="id_date_error"' in html and 'id="id_duration_error"' in html
    assert "Please correct the fields below." in html
    assert not Hearing.objects.exists()


def test_a_judge_of_another_court_is_refused_next_to_the_field(
    client: Client, world: World, room: Courtroom
) -> None:
    client.force_login(clerk(world))
    stranger_judge = world.strangers[Role.JUDGE]
    response = client.post(
        reverse("deadlines:hearing-new", args=[world.case.pk]),
        schedule_form(room, judge=str(stranger_judge.pk)),
    )
    assert response.status_code == 400
    assert "judge" in response.context["form"].errors  # not a choice of this court
    assert not Hearing.objects.exists()


def test_scheduling_over_another_hearing_is_a_conflict_that_names_it(
    client: Client, world: World, room: Courtroom
) -> None:
    other = hearing(world, starts_at=at(2026, 12, 16, 10), case=world.other_case, room=room)
    client.force_login(clerk(world))
    response = client.post(
        reverse("deadlines:hearing-new", args=[world.case.pk]), schedule_form(room)
    )
    assert response.status_code == 409
    assert "1:26-cr-00002" in html_of(response)
    assert f"(hearing {other.pk})" in html_of(response)
    assert not Hearing.objects.filter(case=world.case).exists()


@pytest.mark.parametrize("role", PARTY_ROLES)
def test_parties_may_not_schedule_hearings(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    client.force_login(world.user(role))
    url = reverse("deadlines:hearing-new", args=[world.case.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, schedule_form(room)).status_code == 403
    assert not Hearing.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_no_case_to_schedule_on(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    client.force_login(world.strangers[role])
    url = reverse("deadlines:hearing-new", args=[world.case.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, schedule_form(room)).status_code == 404
    assert not Hearing.objects.exists()


# --- a hearing's page: history, cancel, held ---------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_on_the_case_reads_the_hearing_and_its_continuances(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    plea = hearing(world, room=room)
    services.hearing_reschedule(
        hearing=plea,
        by=clerk(world),
        starts_at=at(2026, 12, 17, 14),
        ends_at=at(2026, 12, 17, 15),
        reason="Interpreter unavailable",
    )
    client.force_login(world.user(role))
    response = client.get(reverse("deadlines:hearing", args=[plea.pk]))
    assert response.status_code == 200
    html = html_of(response)
    assert "<h1>Plea hearing</h1>" in html
    assert ">Continued<" in html
    assert '<time datetime="2026-12-17T14:00:00-05:00">Thu 2026-12-17 14:00 EST</time>' in html
    assert "Interpreter unavailable" in html
    assert "from <time" in html and "2026-12-15 09:00 EST" in html
    keeps = role in COURT_ROLES
    assert ("Cancel hearing" in html) == keeps
    # Not before it has begun (17 December is ahead of the frozen 14 December).
    assert "Mark as held" not in html
    assert (reverse("deadlines:hearing-reschedule", args=[plea.pk]) in html) == keeps


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_no_hearing(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    plea = hearing(world, room=room)
    client.force_login(world.strangers[role])
    assert client.get(reverse("deadlines:hearing", args=[plea.pk])).status_code == 404
    for name, data in (("hearing-cancel", {"cancel-reason": "x"}), ("hearing-held", {})):
        assert client.post(reverse(f"deadlines:{name}", args=[plea.pk]), data).status_code == 404
    plea.refresh_from_db()
    assert plea.status == HearingStatus.SCHEDULED


def test_cancelling_a_hearing_needs_a_reason(client: Client, world: World, room: Courtroom) -> None:
    plea = hearing(world, room=room)
    client.force_login(clerk(world))
    url = reverse("deadlines:hearing-cancel", args=[plea.pk])
    refused = client.post(url, {"cancel-reason": "  "})
    assert refused.status_code == 400
    assert 'id="id_cancel-reason_error"' in html_of(refused)
    plea.refresh_from_db()
    assert plea.status == HearingStatus.SCHEDULED
    done = client.post(url, {"cancel-reason": "Case resolved by plea at arraignment"})
    assert done.status_code == 302
    plea.refresh_from_db()
    assert plea.status == HearingStatus.CANCELLED
    assert plea.changes.latest("id").reason == "Case resolved by plea at arraignment"
    again = client.post(url, {"cancel-reason": "Twice"})
    assert again.status_code == 409
    assert "cancelled; it cannot be" in html_of(again)


def test_marking_a_hearing_held(client: Client, world: World, room: Courtroom) -> None:
    plea = hearing(world, starts_at=at(2026, 12, 14, 8), room=room)
    client.force_login(world.user(Role.JUDGE))
    begun = html_of(client.get(reverse("deadlines:hearing", args=[plea.pk])))
    assert "Mark as held" in begun  # it began at 08:00; the clock says 10:00
    response = client.post(reverse("deadlines:hearing-held", args=[plea.pk]))
    assert response.status_code == 302
    plea.refresh_from_db()
    assert plea.status == HearingStatus.HELD
    page = html_of(client.get(reverse("deadlines:hearing", args=[plea.pk])))
    assert ">Held<" in page and "Mark as held" not in page


@pytest.mark.parametrize("role", PARTY_ROLES)
def test_parties_may_not_cancel_or_hold_hearings(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    plea = hearing(world, room=room)
    before = snapshot(world.case)
    client.force_login(world.user(role))
    cancel = client.post(
        reverse("deadlines:hearing-cancel", args=[plea.pk]), {"cancel-reason": "No"}
    )
    held = client.post(reverse("deadlines:hearing-held", args=[plea.pk]))
    assert (cancel.status_code, held.status_code) == (403, 403)
    assert snapshot(world.case) == before


# --- adding a deadline ---------------------------------------------------------------------------


def deadline_url(world: World) -> str:
    return reverse("deadlines:deadline-new", args=[world.case.pk])


@pytest.mark.parametrize("role", COURT_ROLES)
def test_the_court_adds_a_deadline_by_hand(client: Client, world: World, role: Role) -> None:
    client.force_login(world.user(role))
    page = client.get(deadline_url(world))
    assert page.status_code == 200
    html = html_of(page)
    # Rules of the jurisdiction with their citations; no negotiation kinds to set by hand.
    assert "18 U.S.C. § 3161" in html or "3161" in html
    assert 'value="offer_expiry"' not in html
    response = client.post(
        deadline_url(world),
        {
            "kind": DeadlineKind.MOTION_DUE,
            "title": "Pretrial motions",
            "responsible_side": "defense",
            "due_date": "2026-12-30",
        },
    )
    made = Deadline.objects.get(case=world.case)
    assert response.status_code == 302
    assert response["Location"] == reverse("deadlines:deadline", args=[made.pk])
    assert (made.kind, made.title, made.responsible_side, made.due_date) == (
        DeadlineKind.MOTION_DUE,
        "Pretrial motions",
        "defense",
        dt.date(2026, 12, 30),
    )
    assert made.rule is None


def test_a_deadline_from_a_rule_keeps_its_citation_and_explanation(
    client: Client, world: World
) -> None:
    trial_rule = rule(US_TRIAL_70)
    client.force_login(clerk(world))
    response = client.post(
        deadline_url(world), {"rule": str(trial_rule.pk), "trigger_date": "2026-11-02"}
    )
    assert response.status_code == 302
    made = Deadline.objects.get(case=world.case)
    assert made.rule == trial_rule and made.citation == trial_rule.citation
    assert made.title == trial_rule.name
    assert made.trigger_date == dt.date(2026, 11, 2)
    page = html_of(client.get(response["Location"]))
    assert trial_rule.citation in page
    assert "How the date was counted" in page
    assert "Trigger 2026-11-02 excluded" in page


def test_a_deadline_from_a_hearing_rule(client: Client, world: World, room: Courtroom) -> None:
    psr = rule(US_PSR_35_BEFORE)
    sentencing_hearing = sentencing(world, room=room)
    client.force_login(clerk(world))
    response = client.post(
        deadline_url(world),
        {"rule": str(psr.pk), "trigger_hearing": str(sentencing_hearing.pk)},
    )
    assert response.status_code == 302
    made = Deadline.objects.get(case=world.case)
    assert made.trigger_hearing == sentencing_hearing
    assert made.due_date < dt.date(2027, 2, 9)


def test_deadline_errors_are_shown_per_field(client: Client, world: World) -> None:
    client.force_login(clerk(world))
    manual = client.post(deadline_url(world), {"kind": "", "title": "", "due_date": "soon"})
    assert manual.status_code == 400
    assert set(manual.context["form"].errors) == {"kind", "title", "due_date"}
    ruled = client.post(deadline_url(world), {"rule": str(rule(US_TRIAL_70).pk)})
    assert ruled.status_code == 400
    assert set(ruled.context["form"].errors) == {"trigger_date"}
    assert "Indictment" in " ".join(ruled.context["form"].errors["trigger_date"]) or (
        rule(US_TRIAL_70).trigger_label in " ".join(ruled.context["form"].errors["trigger_date"])
    )
    assert 'id="id_trigger_date_error"' in html_of(ruled)
    assert not Deadline.objects.exists()


def test_the_rule_preview_shows_the_computed_date_and_citation(
    client: Client, world: World
) -> None:
    trial_rule = rule(US_TRIAL_70)
    client.force_login(clerk(world))
    url = reverse("deadlines:deadline-preview", args=[world.case.pk])
    response = client.get(
        url, {"rule": str(trial_rule.pk), "trigger_date": "2026-11-02"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" not in html  # the partial alone
    assert 'id="rule-preview"' in html
    expected = services.rule_preview(
        case=world.case, rule=trial_rule, trigger_date=dt.date(2026, 11, 2)
    )
    assert f'<time datetime="{expected.date.isoformat()}">' in html
    assert trial_rule.citation in html
    assert expected.explanation[0] in html
    assert "Choose a rule" in html_of(client.get(url))
    assert "Enter the trigger" in html_of(client.get(url, {"rule": str(trial_rule.pk)}))
    assert not Deadline.objects.exists()


def test_without_javascript_the_preview_comes_back_with_the_form(
    client: Client, world: World
) -> None:
    trial_rule = rule(US_TRIAL_70)
    client.force_login(clerk(world))
    response = client.get(
        deadline_url(world), {"rule": str(trial_rule.pk), "trigger_date": "2026-11-02"}
    )
    assert response.status_code == 200
    html = html_of(response)
    expected = services.rule_preview(
        case=world.case, rule=trial_rule, trigger_date=dt.date(2026, 11, 2)
    )
    assert f'<time datetime="{expected.date.isoformat()}">' in html
    assert 'value="2026-11-02"' in html  # what was typed stays in the form
    assert f'<option value="{trial_rule.pk}" selected>' in html
    assert not Deadline.objects.exists()


@pytest.mark.parametrize("role", PARTY_ROLES)
def test_parties_may_not_add_deadlines(client: Client, world: World, role: Role) -> None:
    client.force_login(world.user(role))
    assert client.get(deadline_url(world)).status_code == 403
    preview = reverse("deadlines:deadline-preview", args=[world.case.pk])
    assert client.get(preview).status_code == 403
    posted = client.post(
        deadline_url(world), {"kind": "custom", "title": "Mine", "due_date": "2026-12-30"}
    )
    assert posted.status_code == 403
    assert not Deadline.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_no_case_to_add_deadlines_to(
    client: Client, world: World, role: Role
) -> None:
    client.force_login(world.strangers[role])
    assert client.get(deadline_url(world)).status_code == 404
    posted = client.post(
        deadline_url(world), {"kind": "custom", "title": "Mine", "due_date": "2026-12-30"}
    )
    assert posted.status_code == 404
    assert not Deadline.objects.exists()


# --- a deadline's page and its actions ----------------------------------------------------------


def act(client: Client, name: str, deadline: Deadline, data: dict[str, str] | None = None) -> Any:
    return client.post(reverse(f"deadlines:{name}", args=[deadline.pk]), data or {})


@pytest.mark.parametrize("role", ROLES)
def test_everyone_on_the_case_reads_a_deadline_and_only_the_court_keeps_it(
    client: Client, world: World, role: Role
) -> None:
    computed = event_deadline(world)
    client.force_login(world.user(role))
    response = client.get(reverse("deadlines:deadline", args=[computed.pk]))
    assert response.status_code == 200
    html = html_of(response)
    assert computed.citation in html
    assert f'<time datetime="{computed.due_date.isoformat()}">' in html
    forms = response.context["forms"]
    keeps = role in COURT_ROLES
    assert (forms["override"] is not None) == keeps
    assert (forms["cancel"] is not None) == keeps
    assert forms["reopen"] is None and forms["unoverride"] is None
    # Who must act on a Speedy Trial limit: the court; the parties may not mark it met.
    assert (forms["met"] is not None) == (
        keeps or permissions_side_may_complete(role, computed.responsible_side)
    )


def permissions_side_may_complete(role: Role, side: str) -> bool:
    own = {Role.PROSECUTOR: "prosecution", Role.DEFENSE_COUNSEL: "defense"}
    own[Role.DUTY_LAWYER] = "defense"
    return role in own and (not side or own[role] == side)


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_no_deadline(client: Client, world: World, role: Role) -> None:
    deadline = manual_deadline(world)
    before = snapshot(world.case)
    client.force_login(world.strangers[role])
    assert client.get(reverse("deadlines:deadline", args=[deadline.pk])).status_code == 404
    for name, data in (
        ("deadline-override", {"override-due_date": "2026-12-21", "override-reason": "x"}),
        ("deadline-override-remove", {}),
        ("deadline-met", {}),
        ("deadline-cancel", {"cancel-reason": "x"}),
        ("deadline-reopen", {"reopen-reason": "x"}),
    ):
        assert act(client, name, deadline, data).status_code == 404, name
    assert snapshot(world.case) == before


def test_override_needs_a_reason_and_is_kept_in_the_history(client: Client, world: World) -> None:
    computed = event_deadline(world)
    original = computed.due_date
    client.force_login(clerk(world))
    refused = act(
        client, "deadline-override", computed, {"override-due_date": "", "override-reason": ""}
    )
    assert refused.status_code == 400
    assert set(refused.context["forms"]["override"].errors) == {"due_date", "reason"}
    assert 'id="id_override-reason_error"' in html_of(refused)
    new_day = original + dt.timedelta(days=7)
    done = act(
        client,
        "deadline-override",
        computed,
        {"override-due_date": new_day.isoformat(), "override-reason": "Excludable delay"},
    )
    assert done.status_code == 302
    computed.refresh_from_db()
    assert computed.due_date == new_day and computed.computed_date == original
    assert computed.override_reason == "Excludable delay"
    page = html_of(client.get(reverse("deadlines:deadline", args=[computed.pk])))
    assert "Computed date overridden" in page and "Excludable delay" in page
    assert "Remove the override" in page
    removed = act(client, "deadline-override-remove", computed)
    assert removed.status_code == 302
    computed.refresh_from_db()
    assert computed.due_date == original and computed.override_reason == ""


def test_a_hand_set_deadline_has_no_override(client: Client, world: World) -> None:
    deadline = manual_deadline(world)
    client.force_login(clerk(world))
    page = client.get(reverse("deadlines:deadline", args=[deadline.pk]))
    assert page.context["forms"]["override"] is None
    refused = act(
        client,
        "deadline-override",
        deadline,
        {"override-due_date": "2026-12-21", "override-reason": "Why not"},
    )
    assert refused.status_code == 400
    deadline.refresh_from_db()
    assert deadline.due_date == dt.date(2026, 12, 18)


def test_the_responsible_side_marks_its_deadline_met(client: Client, world: World) -> None:
    deadline = manual_deadline(world, responsible_side="prosecution")
    before = snapshot(world.case)
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    assert act(client, "deadline-met", deadline).status_code == 403
    assert snapshot(world.case) == before
    client.force_login(world.user(Role.PROSECUTOR))
    assert act(client, "deadline-met", deadline).status_code == 302
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET
    page = html_of(client.get(reverse("deadlines:deadline", args=[deadline.pk])))
    assert ">Met<" in page and "Mark met" not in page
    again = act(client, "deadline-met", deadline)
    assert again.status_code == 409
    assert "This deadline is met" in html_of(again)


def test_cancel_and_reopen_need_reasons(client: Client, world: World) -> None:
    deadline = manual_deadline(world)
    client.force_login(world.user(Role.JUDGE))
    refused = act(client, "deadline-cancel", deadline, {"cancel-reason": ""})
    assert refused.status_code == 400
    assert "reason" in refused.context["forms"]["cancel"].errors
    assert act(client, "deadline-cancel", deadline, {"cancel-reason": "Vacated"}).status_code == 302
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.CANCELLED
    page = client.get(reverse("deadlines:deadline", args=[deadline.pk]))
    assert page.context["forms"]["reopen"] is not None
    assert page.context["forms"]["cancel"] is None
    assert act(client, "deadline-reopen", deadline, {"reopen-reason": ""}).status_code == 400
    reopened = act(client, "deadline-reopen", deadline, {"reopen-reason": "Order vacated in error"})
    assert reopened.status_code == 302
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.OPEN
    kinds = list(deadline.changes.values_list("kind", flat=True).order_by("id"))
    assert kinds == ["created", "cancelled", "reopened"]


@pytest.mark.parametrize("role", PARTY_ROLES)
def test_parties_may_not_override_cancel_or_reopen(
    client: Client, world: World, role: Role
) -> None:
    computed = event_deadline(world)
    before = snapshot(world.case)
    client.force_login(world.user(role))
    for name, data in (
        ("deadline-override", {"override-due_date": "2027-02-01", "override-reason": "x"}),
        ("deadline-override-remove", {}),
        ("deadline-cancel", {"cancel-reason": "x"}),
        ("deadline-reopen", {"reopen-reason": "x"}),
    ):
        assert act(client, name, computed, data).status_code == 403, name
    assert snapshot(world.case) == before


def test_the_court_does_not_see_the_offer_expiry(client: Client, world: World) -> None:
    from tests.negotiation_helpers import sent_offer

    offer = sent_offer(world)
    expiry = Deadline.objects.get(offer=offer)
    url = reverse("deadlines:deadline", args=[expiry.pk])
    for role in COURT_ROLES:
        client.force_login(world.user(role))
        assert client.get(url).status_code == 404
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    page = client.get(url)
    assert page.status_code == 200
    # It follows the offer: no hand-made change is offered.
    assert all(form is None for form in page.context["forms"].values())
    assert "follows the negotiation" in html_of(page)


# --- the case page's "Court dates" ----------------------------------------------------------------


def court_dates_html(client: Client, world: World) -> str:
    response = client.get(reverse("cases:detail", args=[world.case.pk]))
    assert response.status_code == 200
    html = html_of(response)
    start = html.index('id="court-dates"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("role", ROLES)
def test_case_page_lists_the_court_dates_each_role_may_see(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    from tests.negotiation_helpers import sent_offer

    plea = hearing(world, room=room)
    discovery = manual_deadline(world)
    sent_offer(world)  # an offer expiry: for offer readers only
    client.force_login(world.user(role))
    section = court_dates_html(client, world)
    assert reverse("deadlines:hearing", args=[plea.pk]) in section
    assert '<time datetime="2026-12-15T09:00:00-05:00">Tue 2026-12-15 09:00 EST</time>' in section
    assert reverse("deadlines:deadline", args=[discovery.pk]) in section
    assert ("Offer expiry" in section or "expires" in section.lower()) == (role not in COURT_ROLES)
    keeps = role in COURT_ROLES
    assert (reverse("deadlines:hearing-new", args=[world.case.pk]) in section) == keeps
    assert (reverse("deadlines:deadline-new", args=[world.case.pk]) in section) == keeps


def test_overdue_deadlines_say_so_in_words(client: Client, world: World) -> None:
    manual_deadline(world, due_date=dt.date(2026, 12, 10))
    client.force_login(world.user(Role.PROSECUTOR))
    assert ">Overdue<" in court_dates_html(client, world)


def case_page_queries(client: Client, world: World) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:detail", args=[world.case.pk]))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", [Role.COURT_STAFF, Role.DEFENSE_COUNSEL, Role.DEFENDANT])
def test_court_dates_section_queries_do_not_grow(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    client.force_login(world.user(role))
    hearing(world, room=room)
    manual_deadline(world)
    small = case_page_queries(client, world)
    for n in range(6):
        hearing(world, starts_at=at(2026, 12, 21 + n, 9), room=room)
        manual_deadline(world, due_date=dt.date(2027, 1, 4 + n), title=f"Filing {n}")
    assert case_page_queries(client, world) == small


# --- the dashboard's "Upcoming" ------------------------------------------------------------------


def upcoming_titles(client: Client) -> list[str]:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return [item.title for item in response.context["upcoming"]]


@pytest.mark.parametrize("role", ROLES)
def test_upcoming_lists_the_next_two_weeks_overdue_first(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    from tests.negotiation_helpers import sent_offer

    hearing(world, room=room)  # Tue 15 Dec
    manual_deadline(world, due_date=dt.date(2026, 12, 11), title="Late brief")  # overdue
    manual_deadline(world, due_date=dt.date(2026, 12, 18), title="Discovery due")
    manual_deadline(world, due_date=dt.date(2027, 1, 29), title="Far away")  # beyond 14 days
    hearing(world, starts_at=at(2026, 12, 16, 9), case=world.other_case, room=room)
    sent_offer(world)  # expires in 7 days: offer readers only
    client.force_login(world.user(role))
    titles = upcoming_titles(client)
    expected = ["Late brief", "Plea hearing — Courtroom 1"]
    if role in COURT_ROLES:  # the court follows its whole docket
        expected.append("Plea hearing — Courtroom 1")
    expected.append("Discovery due")
    if role not in COURT_ROLES:
        expected.insert(len(expected) - 1, "expiry")
    got = ["expiry" if "xpir" in t else t for t in titles]
    assert got[0] == "Late brief"
    assert sorted(got) == sorted(expected)
    html = html_of(client.get(reverse("dashboard")))
    assert "Upcoming" in html and ">Overdue<" in html
    assert "Far away" not in html


def test_strangers_have_nothing_upcoming(client: Client, world: World, room: Courtroom) -> None:
    hearing(world, room=room)
    manual_deadline(world)
    for role in ROLES:
        client.force_login(world.strangers[role])
        assert upcoming_titles(client) == []
        assert "Nothing in the next 14 days." in html_of(client.get(reverse("dashboard")))


@pytest.mark.parametrize("extra", [0, 6])
def test_dashboard_queries_do_not_grow_with_upcoming_dates(
    client: Client,
    world: World,
    room: Courtroom,
    django_assert_num_queries: Any,
    extra: int,
) -> None:
    for n in range(extra):
        hearing(world, starts_at=at(2026, 12, 15 + n, 14), room=room)
        manual_deadline(world, due_date=dt.date(2026, 12, 15 + n), title=f"Filing {n}")
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    # session, user; the header: profile, organization, unread count; counts, rows; upcoming:
    # hearings, the reader's courts, deadlines (3).
    with django_assert_num_queries(10):
        response = client.get(reverse("dashboard"))
    assert len(response.context["upcoming"]) == 2 * extra


# --- closure days ---------------------------------------------------------------------------


def closures_url(world: World) -> str:
    return reverse("deadlines:closures", args=[world.court.pk])


def test_court_staff_add_and_remove_closure_days(client: Client, world: World) -> None:
    client.force_login(clerk(world))
    page = client.get(closures_url(world))
    assert page.status_code == 200 and "Add a closure day" in html_of(page)
    added = client.post(
        closures_url(world), {"closure-date": "2026-12-22", "closure-reason": "Snow emergency"}
    )
    assert added.status_code == 302
    closure = CourtClosure.objects.get(court=world.court)
    assert (closure.date, closure.reason) == (dt.date(2026, 12, 22), "Snow emergency")
    listed = html_of(client.get(closures_url(world)))
    assert "Snow emergency" in listed and '<time datetime="2026-12-22">' in listed
    bad = client.post(closures_url(world), {"closure-date": "", "closure-reason": ""})
    assert bad.status_code == 400
    assert set(bad.context["closure_form"].errors) == {"date", "reason"}
    removed = client.post(reverse("deadlines:closure-remove", args=[world.court.pk, closure.pk]))
    assert removed.status_code == 302
    assert not CourtClosure.objects.exists()


def test_court_staff_add_courtrooms(client: Client, world: World) -> None:
    client.force_login(clerk(world))
    url = reverse("deadlines:courtroom-add", args=[world.court.pk])
    assert client.post(url, {"courtroom-name": "Courtroom 7B"}).status_code == 302
    assert Courtroom.objects.filter(court=world.court, name="Courtroom 7B").exists()
    again = client.post(url, {"courtroom-name": "Courtroom 7B"})
    assert again.status_code in (400, 409)
    assert Courtroom.objects.filter(court=world.court).count() == 1


def test_judges_read_closure_days_but_do_not_enter_them(client: Client, world: World) -> None:
    services.closure_add(
        court=world.court, by=clerk(world), date=dt.date(2026, 12, 22), reason="Snow"
    )
    client.force_login(world.user(Role.JUDGE))
    page = client.get(closures_url(world))
    assert page.status_code == 200
    assert "Add a closure day" not in html_of(page) and "Snow" in html_of(page)
    closure = CourtClosure.objects.get()
    assert (
        client.post(
            closures_url(world), {"closure-date": "2026-12-23", "closure-reason": "x"}
        ).status_code
        == 403
    )
    remove = reverse("deadlines:closure-remove", args=[world.court.pk, closure.pk])
    assert client.post(remove).status_code == 403
    assert list(CourtClosure.objects.values_list("date", flat=True)) == [dt.date(2026, 12, 22)]


@pytest.mark.parametrize("role", PARTY_ROLES)
def test_parties_may_not_see_or_enter_closure_days(
    client: Client, world: World, role: Role
) -> None:
    client.force_login(world.user(role))
    assert client.get(closures_url(world)).status_code == 403
    posted = client.post(closures_url(world), {"closure-date": "2026-12-23", "closure-reason": "x"})
    assert posted.status_code == 403
    assert not CourtClosure.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_strangers_may_not_enter_another_courts_closure_days(
    client: Client, world: World, role: Role
) -> None:
    client.force_login(world.strangers[role])
    assert client.get(closures_url(world)).status_code == 403
    posted = client.post(closures_url(world), {"closure-date": "2026-12-23", "closure-reason": "x"})
    assert posted.status_code == 403
    missing = reverse("deadlines:closures", args=[999_999])
    assert client.get(missing).status_code == 404
    assert not CourtClosure.objects.exists()


# --- notifications ---------------------------------------------------------------------------


def notify(user: User, title: str, *, case: Case | None = None, read: bool = False) -> Notification:
    """A notification to `user` of a shared note reading `title` on `case` (the world's own
    case by default); it reads as the note does, through the user's walls."""
    case = case or Case.objects.get(docket_number="1:26-cr-00001")
    note = Note.objects.create(
        case=case,
        visibility=Visibility.SHARED,
        body=title,
        author=User.objects.get(username="prosecutor"),
    )
    return Notification.objects.create(
        recipient=user,
        subject="record",
        case=case,
        params={"note": note.pk},
        read_at=timezone.now() if read else None,
    )


def badge(html: str) -> str | None:
    match = re.search(r'<span class="nav-badge" id="unread-count">(\d+)<', html)
    return match.group(1) if match else None


@pytest.mark.parametrize("role", ROLES)
def test_inbox_shows_my_notifications_and_the_badge_counts_unread(
    client: Client, world: World, role: Role
) -> None:
    me = world.user(role)
    notify(me, "Plea hearing moved", case=world.case)
    notify(me, "Reminder: discovery due", case=world.case, read=True)
    notify(world.strangers[role], "Someone else's")
    client.force_login(me)
    response = client.get(reverse("deadlines:notifications"))
    assert response.status_code == 200
    html = html_of(response)
    assert "Plea hearing moved" in html and "Reminder: discovery due" in html
    assert "Someone else" not in html
    assert badge(html) == "1"
    assert 'aria-current="page"' in html
    assert "1 unread." in html
    assert "EST" in html  # in the case's court time


def test_badge_is_on_every_page_and_absent_when_all_is_read(client: Client, world: World) -> None:
    me = world.user(Role.DEFENSE_COUNSEL)
    notify(me, "One", case=world.case)
    notify(me, "Two", case=world.case)
    client.force_login(me)
    for url in (reverse("dashboard"), reverse("cases:detail", args=[world.case.pk])):
        assert badge(html_of(client.get(url))) == "2"
    Notification.objects.update(read_at=timezone.now())
    assert badge(html_of(client.get(reverse("dashboard")))) is None


def test_mark_one_read_and_all_read(client: Client, world: World) -> None:
    me = world.user(Role.PROSECUTOR)
    first = notify(me, "First", case=world.case)
    notify(me, "Second", case=world.case)
    client.force_login(me)
    response = client.post(reverse("deadlines:notification-read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(recipient=me, read_at__isnull=True).count() == 1
    opened = client.post(reverse("deadlines:notification-read", args=[first.pk]), {"open": "1"})
    note = first.params["note"]
    assert opened["Location"] == reverse("records:notes", args=[world.case.pk]) + f"#note-{note}"
    all_read = client.post(reverse("deadlines:notifications-read-all"))
    assert all_read.status_code == 302
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    page = html_of(client.get(reverse("deadlines:notifications")))
    assert "1 notification marked as read." in page and "All read." in page


@pytest.mark.parametrize("role", ROLES)
def test_nobody_marks_someone_elses_notification(client: Client, world: World, role: Role) -> None:
    theirs = notify(world.user(Role.DEFENSE_COUNSEL), "Private", case=world.case)
    client.force_login(world.strangers[role] if role == Role.DEFENSE_COUNSEL else world.user(role))
    response = client.post(reverse("deadlines:notification-read", args=[theirs.pk]))
    assert response.status_code == 404
    client.post(reverse("deadlines:notifications-read-all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_signed_out_visitors_have_no_inbox(client: Client, world: World) -> None:
    assert client.get(reverse("deadlines:notifications")).status_code == 302
    assert client.get(reverse("deadlines:alert-settings")).status_code == 302


@pytest.mark.parametrize("rows", [1, 12])
def test_inbox_queries_do_not_grow(
    client: Client, world: World, django_assert_num_queries: Any, rows: int
) -> None:
    me = world.user(Role.DEFENSE_COUNSEL)
    for n in range(rows):
        notify(me, f"Note {n}", case=world.case)
    client.force_login(me)
    # session, user; the header: profile, organization, unread count; the notifications with
    # their cases and courts; the reader's walls on those cases (visible cases, participations);
    # the notes they name.
    with django_assert_num_queries(9):
        response = client.get(reverse("deadlines:notifications"))
    assert len(response.context["notifications"]) == rows


# --- alert preferences -------------------------------------------------------------------------


def preferences_post(**overrides: str) -> dict[str, str]:
    data: dict[str, str] = {"digest_hour": "7", "time_zone": "America/New_York"}
    kinds = [k for k, _ in HearingKind.choices] + [k for k, _ in DeadlineKind.choices]
    for kind in kinds:
        data[f"{kind}-lead"] = "7d, 2d, 1d, 2h"
        data[f"{kind}-in_app"] = "on"
        data[f"{kind}-email"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v != "-"}


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sets_their_lead_times_and_digest(
    client: Client, world: World, role: Role
) -> None:
    me = world.user(role)
    client.force_login(me)
    page = client.get(reverse("deadlines:alert-settings"))
    assert page.status_code == 200
    html = html_of(page)
    assert 'value="7d, 2d, 1d, 2h"' in html  # the defaults, written the way people type them
    assert '<label for="id_trial-lead" class="visually-hidden">Lead times before trial</label>' in (
        html
    )
    response = client.post(
        reverse("deadlines:alert-settings"),
        preferences_post(
            **{"trial-lead": "14d, 3d, 90m", "trial-email": "-", "daily_digest": "on"}
        ),
    )
    assert response.status_code == 302
    trial = AlertPreference.objects.get(user=me, kind="trial")
    assert trial.lead_minutes == [14 * 1440, 3 * 1440, 90]
    assert (trial.in_app, trial.email) == (True, False)
    settings_ = AlertSettings.objects.get(user=me)
    assert (settings_.daily_digest, settings_.digest_hour, settings_.time_zone) == (
        True,
        7,
        "America/New_York",
    )
    again = html_of(client.get(reverse("deadlines:alert-settings")))
    assert 'value="14d, 3d, 90m"' in again
    assert [p.lead_minutes for p in alerts.preferences_of(me) if p.kind == "trial"] == [
        (20160, 4320, 90)
    ]


def test_bad_preferences_are_refused_per_field_and_nothing_is_saved(
    client: Client, world: World
) -> None:
    me = world.user(Role.DEFENSE_COUNSEL)
    client.force_login(me)
    response = client.post(
        reverse("deadlines:alert-settings"),
        preferences_post(
            **{"trial-lead": "7x", "sentencing-lead": "", "digest_hour": "24", "time_zone": "Mars"}
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"trial-lead", "sentencing-lead", "digest_hour", "time_zone"}
    assert "“7x” is not a lead time" in errors["trial-lead"][0]
    assert 'id="id_trial-lead_error"' in html_of(response)
    assert not AlertPreference.objects.filter(user=me).exists()
    assert not AlertSettings.objects.filter(user=me).exists()
    too_far = client.post(
        reverse("deadlines:alert-settings"), preferences_post(**{"trial-lead": "90d"})
    )
    assert too_far.status_code == 400
    assert not AlertPreference.objects.filter(user=me).exists()
