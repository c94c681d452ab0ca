"""The two edit pages of court dates, for every role of the `world`:

- /hearings/<id>/edit/: the judge (or none) and the notes of a hearing still to be held;
- /deadlines/<id>/edit/: the title and notes of an open deadline, the last day of one set by
  hand, or the trigger date of one computed from a dated event (the rule counts again).

The court's judges and staff keep the calendar and see an edit link on the detail page; the
parties see no link and get 403; strangers find nothing (404). Bad input comes back 400 with the
message next to its field and nothing written; the negotiation's deadlines and dates no longer
open are refused with a 409 that says why. The clock is frozen on Monday 2026-12-14 at 10:00 in
New York (the world court's zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, Jurisdiction
from deadlines import services
from deadlines.computation import OUT_OF_RANGE
from deadlines.models import (
    Courtroom,
    Deadline,
    DeadlineChange,
    DeadlineChangeKind,
    DeadlineKind,
    Hearing,
    HearingChange,
)
from negotiations import services as negotiation_services
from parties.models import Role
from tests.conftest import ROLES, World
from tests.deadline_helpers import (
    US_TRIAL_70,
    at,
    clerk,
    courtroom,
    event_deadline,
    hearing,
    hearing_deadline,
    manual_deadline,
    rule,
    sentencing,
)
from tests.negotiation_helpers import sent_offer

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


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def name_of(user: User) -> str:
    return user.get_full_name() or user.get_username()


def snapshot(case: Case) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Everything the court-date pages write on a case, to show a refusal changed nothing."""
    return (
        list(Hearing.objects.filter(case=case).values().order_by("id")),
        list(HearingChange.objects.filter(hearing__case=case).values().order_by("id")),
        list(Deadline.objects.filter(case=case).values().order_by("id")),
        list(DeadlineChange.objects.filter(deadline__case=case).values().order_by("id")),
    )


# --- a hearing's judge and notes -----------------------------------------------------------------


def edit_hearing_url(plea: Hearing) -> str:
    return reverse("deadlines:hearing-edit", args=[plea.pk])


def hearing_page(client: Client, plea: Hearing) -> str:
    response = client.get(reverse("deadlines:hearing", args=[plea.pk]))
    assert response.status_code == 200
    return html_of(response)


@pytest.mark.parametrize("role", COURT_ROLES)
def test_the_court_assigns_a_judge_and_writes_notes(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    plea = hearing(world, room=room)
    judge = world.user(Role.JUDGE)
    keeper = world.user(role)
    client.force_login(keeper)
    assert edit_hearing_url(plea) in hearing_page(client, plea)
    assert "Edit judge and notes" in hearing_page(client, plea)

    page = client.get(edit_hearing_url(plea))
    assert page.status_code == 200
    choices = [str(label) for _, label in page.context["form"].fields["judge"].choices]
    # The court's judges only: not the judge of the other court.
    assert choices == ["No judge assigned", name_of(judge)]

    response = client.post(
        edit_hearing_url(plea), {"judge": str(judge.pk), "notes": "  Interpreter booked.  "}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("deadlines:hearing", args=[plea.pk])
    stored = Hearing.objects.get(pk=plea.pk)
    assert (stored.judge_id, stored.notes, stored.sequence) == (
        judge.pk,
        "Interpreter booked.",
        plea.sequence + 1,
    )
    change = stored.changes.latest("id")
    assert (change.reason, change.changed_by_id) == (
        f"Judge: no judge → {name_of(judge)}",
        keeper.pk,
    )
    assert (change.from_starts_at, change.to_starts_at) == (plea.starts_at, plea.starts_at)
    followed = client.get(response["Location"])
    assert messages_of(followed) == [f"Plea hearing: judge now {name_of(judge)}; notes saved."]


def test_the_court_removes_the_judge(client: Client, world: World, room: Courtroom) -> None:
    judge = world.user(Role.JUDGE)
    plea = hearing(world, room=room, judge_user=judge, notes="Bring the file.")
    client.force_login(clerk(world))
    page = client.get(edit_hearing_url(plea))
    assert page.context["form"].initial == {"judge": judge.pk, "notes": "Bring the file."}
    response = client.post(edit_hearing_url(plea), {"judge": "", "notes": "Bring the file."})
    assert response.status_code == 302
    stored = Hearing.objects.get(pk=plea.pk)
    assert (stored.judge_id, stored.notes, stored.sequence) == (
        None,
        "Bring the file.",
        plea.sequence + 1,
    )
    assert stored.changes.latest("id").reason == f"Judge: {name_of(judge)} → no judge"
    followed = client.get(response["Location"])
    assert messages_of(followed) == ["Plea hearing: judge removed."]
    assert "None assigned" in html_of(followed)


def test_notes_alone_leave_the_judge_and_write_no_judge_change(
    client: Client, world: World, room: Courtroom
) -> None:
    judge = world.user(Role.JUDGE)
    plea = hearing(world, room=room, judge_user=judge)
    changes_before = plea.changes.count()
    client.force_login(clerk(world))
    response = client.post(
        edit_hearing_url(plea), {"judge": str(judge.pk), "notes": "Defendant in custody."}
    )
    assert response.status_code == 302
    stored = Hearing.objects.get(pk=plea.pk)
    assert (stored.judge_id, stored.notes, stored.sequence) == (
        judge.pk,
        "Defendant in custody.",
        plea.sequence + 1,
    )
    assert stored.changes.count() == changes_before
    assert messages_of(client.get(response["Location"])) == ["Plea hearing: notes saved."]


def test_a_judge_who_left_the_court_stays_while_the_notes_change(
    client: Client, world: World, room: Courtroom
) -> None:
    judge = world.user(Role.JUDGE)
    plea = hearing(world, room=room, judge_user=judge)
    case_services.court_member_remove(court=world.court, user=judge)
    client.force_login(clerk(world))
    page = client.get(edit_hearing_url(plea))
    assert f'<option value="{judge.pk}" selected>' in html_of(page)
    response = client.post(edit_hearing_url(plea), {"judge": str(judge.pk), "notes": "Visiting."})
    assert response.status_code == 302
    stored = Hearing.objects.get(pk=plea.pk)
    assert (stored.judge_id, stored.notes) == (judge.pk, "Visiting.")


def test_saving_the_same_judge_and_notes_changes_nothing(
    client: Client, world: World, room: Courtroom
) -> None:
    plea = hearing(world, room=room, notes="As is.")
    before = snapshot(world.case)
    client.force_login(clerk(world))
    response = client.post(edit_hearing_url(plea), {"judge": "", "notes": "As is."})
    assert response.status_code == 302
    assert snapshot(world.case) == before
    assert messages_of(client.get(response["Location"])) == [
        "Nothing changed: the judge and the notes were already so."
    ]


def test_a_judge_of_another_court_is_refused_next_to_the_field(
    client: Client, world: World, room: Courtroom
) -> None:
    plea = hearing(world, room=room)
    before = snapshot(world.case)
    client.force_login(clerk(world))
    response = client.post(
        edit_hearing_url(plea),
        {"judge": str(world.strangers[Role.JUDGE].pk), "notes": "x" * 5001},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors == {
        "judge": ["Choose one of the court's judges, or no judge."],
        "notes": ["Ensure this value has at most 5000 characters (it has 5001)."],
    }
    html = html_of(response)
    assert 'id="id_judge_error"' in html and 'id="id_notes_error"' in html
    assert 'aria-describedby="id_notes_helptext id_notes_error"' in html
    assert "Please correct the fields below." in html
    assert snapshot(world.case) == before


@pytest.mark.parametrize("role", PARTY_ROLES)
def test_parties_may_not_edit_a_hearing(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    plea = hearing(world, room=room)
    before = snapshot(world.case)
    client.force_login(world.user(role))
    page = hearing_page(client, plea)
    assert edit_hearing_url(plea) not in page and "Edit judge and notes" not in page
    assert client.get(edit_hearing_url(plea)).status_code == 403
    posted = client.post(
        edit_hearing_url(plea), {"judge": str(world.user(Role.JUDGE).pk), "notes": "Mine"}
    )
    assert posted.status_code == 403
    assert snapshot(world.case) == before


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_no_hearing_to_edit(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    plea = hearing(world, room=room)
    before = snapshot(world.case)
    client.force_login(world.strangers[role])
    assert client.get(edit_hearing_url(plea)).status_code == 404
    assert client.post(edit_hearing_url(plea), {"judge": "", "notes": "Mine"}).status_code == 404
    assert snapshot(world.case) == before


def test_an_unknown_hearing_is_not_found(client: Client, world: World) -> None:
    client.force_login(clerk(world))
    assert client.get(reverse("deadlines:hearing-edit", args=[999999])).status_code == 404


def test_a_cancelled_hearing_keeps_its_judge_and_notes(
    client: Client, world: World, room: Courtroom
) -> None:
    plea = hearing(world, room=room)
    services.hearing_cancel(hearing=plea, by=clerk(world), reason="Resolved by plea.")
    before = snapshot(world.case)
    client.force_login(world.user(Role.JUDGE))
    assert edit_hearing_url(plea) not in hearing_page(client, plea)
    page = client.get(edit_hearing_url(plea))
    assert page.status_code == 409
    assert page.context["form"] is None
    assert "This hearing is cancelled; it cannot be changed." in html_of(page)
    posted = client.post(edit_hearing_url(plea), {"judge": "", "notes": "Too late."})
    assert posted.status_code == 409
    assert "This hearing is cancelled; it cannot be changed." in html_of(posted)
    assert snapshot(world.case) == before


def test_the_hearing_edit_goes_back_where_it_came_from_when_that_is_ours(
    client: Client, world: World, room: Courtroom
) -> None:
    plea = hearing(world, room=room)
    client.force_login(clerk(world))
    case_page = reverse("cases:detail", args=[world.case.pk])
    page = client.get(edit_hearing_url(plea), {"next": case_page})
    assert f'<input type="hidden" name="next" value="{case_page}">' in html_of(page)
    back = client.post(edit_hearing_url(plea), {"judge": "", "notes": "A", "next": case_page})
    assert back["Location"] == case_page
    away = client.post(
        edit_hearing_url(plea), {"judge": "", "notes": "B", "next": "https://evil.example/"}
    )
    assert away["Location"] == reverse("deadlines:hearing", args=[plea.pk])


# --- a deadline's title, notes and date ----------------------------------------------------------


def edit_deadline_url(deadline: Deadline) -> str:
    return reverse("deadlines:deadline-edit", args=[deadline.pk])


def deadline_page(client: Client, deadline: Deadline) -> str:
    response = client.get(reverse("deadlines:deadline", args=[deadline.pk]))
    assert response.status_code == 200
    return html_of(response)


def change_kinds(deadline: Deadline) -> list[str]:
    return list(deadline.changes.values_list("kind", flat=True).order_by("id"))


@pytest.mark.parametrize("role", COURT_ROLES)
def test_the_court_moves_a_deadline_set_by_hand_with_a_reason(
    client: Client, world: World, role: Role
) -> None:
    discovery = manual_deadline(world, due_date=dt.date(2026, 12, 18))
    keeper = world.user(role)
    client.force_login(keeper)
    detail = deadline_page(client, discovery)
    assert edit_deadline_url(discovery) in detail and "Edit deadline" in detail

    page = client.get(edit_deadline_url(discovery))
    assert page.status_code == 200
    assert list(page.context["form"].fields) == ["title", "due_date", "notes", "reason"]
    assert 'value="2026-12-18"' in html_of(page)

    response = client.post(
        edit_deadline_url(discovery),
        {
            "title": "Discovery, second production",
            "due_date": "2026-12-22",
            "notes": "Lab reports included.",
            "reason": "Order of 2026-12-14 extends time.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("deadlines:deadline", args=[discovery.pk])
    stored = Deadline.objects.get(pk=discovery.pk)
    assert (stored.title, stored.due_date, stored.notes, stored.sequence) == (
        "Discovery, second production",
        dt.date(2026, 12, 22),
        "Lab reports included.",
        discovery.sequence + 1,
    )
    assert change_kinds(stored) == [DeadlineChangeKind.CREATED, DeadlineChangeKind.EDITED]
    edited = stored.changes.latest("id")
    assert (edited.from_date, edited.to_date, edited.reason, edited.changed_by_id) == (
        dt.date(2026, 12, 18),
        dt.date(2026, 12, 22),
        "Order of 2026-12-14 extends time.",
        keeper.pk,
    )
    followed = client.get(response["Location"])
    assert messages_of(followed) == ["“Discovery, second production” now ends on 2026-12-22."]


def test_title_and_notes_alone_are_an_edit_without_dates(client: Client, world: World) -> None:
    discovery = manual_deadline(world)
    client.force_login(clerk(world))
    response = client.post(
        edit_deadline_url(discovery),
        {"title": "Discovery due (Brady)", "due_date": "2026-12-18", "notes": "", "reason": ""},
    )
    assert response.status_code == 302
    stored = Deadline.objects.get(pk=discovery.pk)
    assert (stored.title, stored.due_date, stored.sequence) == (
        "Discovery due (Brady)",
        dt.date(2026, 12, 18),
        discovery.sequence + 1,
    )
    edited = stored.changes.latest("id")
    assert (edited.kind, edited.from_date, edited.to_date, edited.reason) == (
        DeadlineChangeKind.EDITED,
        None,
        None,
        "",
    )
    assert messages_of(client.get(response["Location"])) == ["“Discovery due (Brady)” saved."]


def test_saving_an_unchanged_deadline_writes_nothing(client: Client, world: World) -> None:
    discovery = manual_deadline(world)
    before = snapshot(world.case)
    client.force_login(clerk(world))
    response = client.post(
        edit_deadline_url(discovery),
        {"title": "Discovery due", "due_date": "2026-12-18", "notes": "", "reason": "None."},
    )
    assert response.status_code == 302
    assert snapshot(world.case) == before
    assert messages_of(client.get(response["Location"])) == [
        "Nothing changed: the deadline was already so."
    ]


def test_a_new_trigger_date_recomputes_the_last_day(client: Client, world: World) -> None:
    trial = event_deadline(world, code=US_TRIAL_70, trigger_date=dt.date(2026, 11, 2))
    assert trial.due_date == dt.date(2027, 1, 11)  # 70 days after 2026-11-02
    keeper = world.user(Role.JUDGE)
    client.force_login(keeper)
    page = client.get(edit_deadline_url(trial))
    assert page.status_code == 200
    form = page.context["form"]
    assert list(form.fields) == ["title", "trigger_date", "notes", "reason"]
    assert form.fields["trigger_date"].help_text == (
        f"Counted from: {rule(US_TRIAL_70).trigger_label}. "
        "The rule counts the last day again from the new date."
    )
    assert 'name="due_date"' not in html_of(page)

    response = client.post(
        edit_deadline_url(trial),
        {
            "title": trial.title,
            "trigger_date": "2026-11-16",
            "notes": "",
            "reason": "Superseding indictment.",
            "due_date": "2026-12-31",  # not on the form: ignored
        },
    )
    assert response.status_code == 302
    stored = Deadline.objects.get(pk=trial.pk)
    assert (stored.trigger_date, stored.computed_date, stored.due_date, stored.sequence) == (
        dt.date(2026, 11, 16),
        dt.date(2027, 1, 25),
        dt.date(2027, 1, 25),
        trial.sequence + 1,
    )
    moved = stored.changes.latest("id")
    assert (moved.kind, moved.from_date, moved.to_date, moved.reason, moved.changed_by_id) == (
        DeadlineChangeKind.TRIGGER_MOVED,
        dt.date(2027, 1, 11),
        dt.date(2027, 1, 25),
        "Trigger date 2026-11-02 → 2026-11-16. Superseding indictment.",
        keeper.pk,
    )
    assert messages_of(client.get(response["Location"])) == [
        "Trigger date moved to 2026-11-16: the computed last day is 2027-01-25."
    ]


def test_an_override_stays_when_the_trigger_date_moves(client: Client, world: World) -> None:
    trial = event_deadline(world, code=US_TRIAL_70, trigger_date=dt.date(2026, 11, 2))
    services.deadline_override(
        deadline=trial, by=clerk(world), due_date=dt.date(2027, 2, 1), reason="Continuance order."
    )
    client.force_login(clerk(world))
    page = client.get(edit_deadline_url(trial))
    assert "The last day is overridden to 2027-02-01" in html_of(page)
    response = client.post(
        edit_deadline_url(trial),
        {"title": trial.title, "trigger_date": "2026-11-16", "notes": "", "reason": ""},
    )
    assert response.status_code == 302
    stored = Deadline.objects.get(pk=trial.pk)
    assert (stored.computed_date, stored.due_date, stored.override_reason) == (
        dt.date(2027, 1, 25),
        dt.date(2027, 2, 1),
        "Continuance order.",
    )
    assert messages_of(client.get(response["Location"])) == [
        "Trigger date moved to 2026-11-16: the computed last day is 2027-01-25; "
        "the override to 2027-02-01 stays."
    ]


def test_a_deadline_counted_from_a_hearing_has_no_date_fields(
    client: Client, world: World, room: Courtroom
) -> None:
    psr = hearing_deadline(world, sentencing(world, room=room))
    client.force_login(clerk(world))
    page = client.get(edit_deadline_url(psr))
    assert page.status_code == 200
    assert list(page.context["form"].fields) == ["title", "notes"]
    html = html_of(page)
    for name in ("due_date", "trigger_date", "reason"):
        assert f'name="{name}"' not in html
    assert "it moves when the hearing is rescheduled" in html
    response = client.post(
        edit_deadline_url(psr),
        {
            "title": "PSR to the parties",
            "notes": "Probation office notified.",
            "due_date": "2027-01-04",
            "trigger_date": "2027-01-04",
            "reason": "Ignored.",
        },
    )
    assert response.status_code == 302
    stored = Deadline.objects.get(pk=psr.pk)
    assert (stored.title, stored.notes, stored.due_date, stored.computed_date) == (
        "PSR to the parties",
        "Probation office notified.",
        psr.due_date,
        psr.computed_date,
    )
    assert stored.changes.latest("id").reason == ""


def test_a_deadline_with_a_time_of_day_has_no_date_field(client: Client, world: World) -> None:
    filing = manual_deadline(
        world, due_date=dt.date(2026, 12, 18), due_at=at(2026, 12, 18, 17), title="Filing by 5pm"
    )
    client.force_login(clerk(world))
    page = client.get(edit_deadline_url(filing))
    assert list(page.context["form"].fields) == ["title", "notes"]
    assert "This deadline ends at a time of day" in html_of(page)


def test_deadline_edit_errors_are_shown_per_field(client: Client, world: World) -> None:
    discovery = manual_deadline(world)
    before = snapshot(world.case)
    client.force_login(clerk(world))
    response = client.post(
        edit_deadline_url(discovery),
        {"title": "  ", "due_date": "soon", "notes": "", "reason": ""},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors == {"title": ["Give the deadline a title."], "due_date": ["Enter a valid date."]}
    html = html_of(response)
    assert 'id="id_title_error"' in html and 'id="id_due_date_error"' in html
    assert "Please correct the fields below." in html
    far = client.post(
        edit_deadline_url(discovery),
        {"title": "Discovery due", "due_date": "1850-01-01", "notes": "", "reason": ""},
    )
    assert far.status_code == 400
    assert far.context["form"].errors == {"due_date": [OUT_OF_RANGE]}
    trial = event_deadline(world)
    before = snapshot(world.case)
    bad_trigger = client.post(
        edit_deadline_url(trial),
        {"title": trial.title, "trigger_date": "", "notes": "", "reason": ""},
    )
    assert bad_trigger.status_code == 400
    assert set(bad_trigger.context["form"].errors) == {"trigger_date"}
    assert 'id="id_trigger_date_error"' in html_of(bad_trigger)
    assert snapshot(world.case) == before


@pytest.mark.parametrize("role", PARTY_ROLES)
def test_parties_may_not_edit_deadlines(
    client: Client, world: World, room: Courtroom, role: Role
) -> None:
    manual = manual_deadline(world)
    computed = event_deadline(world)
    from_hearing = hearing_deadline(world, sentencing(world, room=room))
    before = snapshot(world.case)
    client.force_login(world.user(role))
    for deadline in (manual, computed, from_hearing):
        page = deadline_page(client, deadline)
        assert edit_deadline_url(deadline) not in page and "Edit deadline" not in page
        assert client.get(edit_deadline_url(deadline)).status_code == 403
        posted = client.post(
            edit_deadline_url(deadline),
            {"title": "Mine", "due_date": "2027-01-04", "trigger_date": "2026-11-20"},
        )
        assert posted.status_code == 403
    assert snapshot(world.case) == before


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_no_deadline_to_edit(client: Client, world: World, role: Role) -> None:
    discovery = manual_deadline(world)
    before = snapshot(world.case)
    client.force_login(world.strangers[role])
    assert client.get(edit_deadline_url(discovery)).status_code == 404
    posted = client.post(edit_deadline_url(discovery), {"title": "Mine", "due_date": "2027-01-04"})
    assert posted.status_code == 404
    assert snapshot(world.case) == before


def offer_expiry(world: World) -> Deadline:
    return Deadline.objects.get(offer=sent_offer(world))


def suggestion_response(world: World) -> Deadline:
    suggestion = negotiation_services.suggestion_submit(
        case=world.case, by=world.user(Role.DEFENSE_COUNSEL), text="Consider diversion."
    )
    return Deadline.objects.get(suggestion=suggestion)


NEGOTIATION_DEADLINES: dict[str, tuple[Callable[[World], Deadline], str, str]] = {
    DeadlineKind.OFFER_EXPIRY: (offer_expiry, "Offer expiry", "the offer"),
    DeadlineKind.SUGGESTION_RESPONSE_DUE: (
        suggestion_response,
        "Response due to a defense suggestion",
        "the suggestion",
    ),
}


@pytest.mark.parametrize("kind", list(NEGOTIATION_DEADLINES))
def test_the_negotiations_deadlines_are_not_edited_by_hand(
    client: Client, world: World, kind: str
) -> None:
    # Where the court reads offers it sees these deadlines, but they follow the negotiation.
    Jurisdiction.objects.filter(code="us-fed").update(court_sees_offers_before_agreement=True)
    make, label, follows = NEGOTIATION_DEADLINES[kind]
    deadline = make(world)
    assert deadline.kind == kind and DeadlineKind(kind).label == label
    before = snapshot(world.case)
    for role in COURT_ROLES:
        client.force_login(world.user(role))
        page = deadline_page(client, deadline)
        assert edit_deadline_url(deadline) not in page and "Edit deadline" not in page
        shown = client.get(edit_deadline_url(deadline))
        assert shown.status_code == 409
        assert shown.context["form"] is None
        assert (
            f"{label} follows the negotiation ({follows}); it is not changed by hand."
            in html_of(shown)
        )
        posted = client.post(
            edit_deadline_url(deadline),
            {"title": "Mine", "notes": "x", "trigger_date": "2026-12-20", "reason": "x"},
        )
        assert posted.status_code == 409
        assert (
            f"{label} follows the negotiation ({follows}); it is not changed by hand."
            in html_of(posted)
        )
    for role in PARTY_ROLES:
        client.force_login(world.user(role))
        assert edit_deadline_url(deadline) not in deadline_page(client, deadline)
        assert client.post(edit_deadline_url(deadline), {"title": "Mine"}).status_code == 403
    assert snapshot(world.case) == before


def test_where_the_court_does_not_read_offers_it_finds_no_expiry_to_edit(
    client: Client, world: World
) -> None:
    expiry = offer_expiry(world)
    for role in COURT_ROLES:
        client.force_login(world.user(role))
        assert client.get(edit_deadline_url(expiry)).status_code == 404
        assert client.post(edit_deadline_url(expiry), {"title": "Mine"}).status_code == 404


def test_a_met_deadline_is_reopened_before_it_is_edited(client: Client, world: World) -> None:
    discovery = manual_deadline(world)
    services.deadline_complete(deadline=discovery, by=clerk(world))
    before = snapshot(world.case)
    client.force_login(clerk(world))
    assert edit_deadline_url(discovery) not in deadline_page(client, discovery)
    shown = client.get(edit_deadline_url(discovery))
    assert shown.status_code == 409
    assert shown.context["form"] is None
    assert "This deadline is met; reopen it first." in html_of(shown)
    posted = client.post(
        edit_deadline_url(discovery),
        {"title": "Discovery due", "due_date": "2027-01-04", "notes": "", "reason": "Late."},
    )
    assert posted.status_code == 409
    assert "This deadline is met; reopen it first." in html_of(posted)
    assert snapshot(world.case) == before


def test_the_deadline_edit_goes_back_where_it_came_from_when_that_is_ours(
    client: Client, world: World
) -> None:
    discovery = manual_deadline(world)
    client.force_login(clerk(world))
    case_page = reverse("cases:detail", args=[world.case.pk])
    data = {"title": "Discovery due", "due_date": "2026-12-21", "notes": "", "reason": ""}
    back = client.post(edit_deadline_url(discovery), {**data, "next": case_page})
    assert back["Location"] == case_page
    away = client.post(
        edit_deadline_url(discovery), {**data, "due_date": "2026-12-22", "next": "//evil.example"}
    )
    assert away["Location"] == reverse("deadlines:deadline", args=[discovery.pk])
