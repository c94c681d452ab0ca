"""The court's docket calendar (day and week, per courtroom and judge) and rescheduling a hearing
from it: for the court's judges and staff only, every other role refused, nothing changed.

The clock is frozen on Monday 2026-12-14 at 10:00 in New York (the world court's zone).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from deadlines import services
from deadlines.models import Hearing, HearingChange, HearingKind, HearingStatus
from parties.models import Role
from tests.conftest import ROLES, World
from tests.deadline_helpers import at, clerk, courtroom, hearing

COURT_ROLES = (Role.JUDGE, Role.COURT_STAFF)
PARTY_ROLES = (Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT)
NOW = at(2026, 12, 14, 10)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def docket(world: World) -> dict[str, Hearing]:
    """Two courtrooms; a plea hearing on the world case (Tuesday 09:00, room 1, the judge), a
    status conference on the other case (Wednesday 14:30, room 2), and a hearing in the other
    court that no one of this court sees."""
    room1 = courtroom(world, "Courtroom 1")
    room2 = courtroom(world, "Courtroom 2")
    foreign_room = courtroom(world, "Room A", court=world.other_court)
    return {
        "plea": hearing(world, room=room1, judge_user=world.user(Role.JUDGE)),
        "status": hearing(
            world,
            kind=HearingKind.STATUS_CONFERENCE,
            starts_at=at(2026, 12, 16, 14, 30),
            minutes=30,
            room=room2,
            case=world.other_case,
        ),
        "foreign": hearing(
            world,
            kind=HearingKind.ARRAIGNMENT,
            starts_at=at(2026, 12, 15, 9, zone=dt.timezone(dt.timedelta(hours=-6))),
            room=foreign_room,
            case=world.foreign_case,
            by=world.strangers[Role.COURT_STAFF],
        ),
    }


def get(client: Client, **params: Any) -> Any:
    return client.get(reverse("deadlines:docket"), params)


def hearing_ids(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/hearings/(\d+)/"', html)}


# --- who sees the docket ------------------------------------------------------------------------


@pytest.mark.parametrize("role", COURT_ROLES)
def test_the_court_sees_its_week_by_courtroom(
    client: Client, world: World, docket: dict[str, Hearing], role: Role
) -> None:
    client.force_login(world.user(role))
    response = get(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert hearing_ids(html) == {docket["plea"].pk, docket["status"].pk}
    # Court time with the zone's abbreviation, in a time element with the exact moment.
    assert '<time datetime="2026-12-15T09:00:00-05:00">09:00 EST</time>' in html
    assert '<time datetime="2026-12-16T14:30:00-05:00">14:30 EST</time>' in html
    assert "Week of" in html and "Mon 14 Dec 2026" in html
    assert response.context["view"] == "week"
    assert [row.courtroom.name for row in response.context["rows"]] == [
        "Courtroom 1",
        "Courtroom 2",
    ]
    # Monday to Friday: nothing sits at the weekend.
    assert [d.day.isoformat() for d in response.context["columns"]] == [
        "2026-12-14",
        "2026-12-15",
        "2026-12-16",
        "2026-12-17",
        "2026-12-18",
    ]
    assert 'aria-current="date"' in html  # today's column
    assert "1:26-cr-00001" in html and "United States v. Doe" in html
    assert ">Scheduled<" in html  # the status in words, not only in colour


@pytest.mark.parametrize("role", PARTY_ROLES)
def test_parties_may_not_see_the_docket(
    client: Client, world: World, docket: dict[str, Hearing], role: Role
) -> None:
    client.force_login(world.user(role))
    response = get(client)
    assert response.status_code == 403
    assert "United States v. Roe" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_strangers_see_only_their_own_courts_docket(
    client: Client, world: World, docket: dict[str, Hearing], role: Role
) -> None:
    client.force_login(world.strangers[role])
    response = get(client)
    if role not in COURT_ROLES:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert response.context["court"] == world.other_court
    assert hearing_ids(response.content.decode()) == {docket["foreign"].pk}
    # Chicago time, labelled as such.
    assert "09:00 CST" in response.content.decode()
    # Another court's docket: the same answer as a court that does not exist.
    assert get(client, court=world.court.pk).status_code == 404
    assert get(client, court=999_999).status_code == 404
    assert get(client, court="x").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, world: World) -> None:
    response = get(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_clerk_of_two_courts_picks_the_court(
    client: Client, world: World, docket: dict[str, Hearing]
) -> None:
    from cases import services as case_services

    busy = clerk(world)
    case_services.court_member_add(court=world.other_court, user=busy)
    client.force_login(busy)
    first = get(client)
    assert first.context["court"] == world.court  # "District Court" before "Other ..."
    html = first.content.decode()
    assert 'aria-label="Courts"' in html
    assert f"court={world.other_court.pk}" in html
    other = get(client, court=world.other_court.pk)
    assert other.status_code == 200
    assert hearing_ids(other.content.decode()) == {docket["foreign"].pk}


# --- views, filters, navigation -----------------------------------------------------------------


def test_day_view_lists_each_courtroom(
    client: Client, world: World, docket: dict[str, Hearing]
) -> None:
    client.force_login(world.user(Role.JUDGE))
    response = get(client, view="day", date="2026-12-15")
    assert response.status_code == 200
    html = response.content.decode()
    assert hearing_ids(html) == {docket["plea"].pk}
    assert "Tuesday 15 December 2026" in html
    assert 'id="room-' in html and "Courtroom 2" in html and "No hearings." in html
    links = response.context["links"]
    assert "date=2026-12-14" in links["previous"] and "view=day" in links["previous"]
    assert "date=2026-12-16" in links["next"]
    assert "date=2026-12-14" in links["today"]


def test_week_navigation_moves_by_seven_days(
    client: Client, world: World, docket: dict[str, Hearing]
) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    response = get(client, date="2026-12-16")
    links = response.context["links"]
    assert "date=2026-12-09" in links["previous"]
    assert "date=2026-12-23" in links["next"]
    later = get(client, date="2026-12-23")
    assert hearing_ids(later.content.decode()) == set()
    # Christmas Day is a federal holiday: the column says the court does not sit.
    assert "No court: Christmas Day" in later.content.decode()


def test_filters_by_courtroom_and_judge(
    client: Client, world: World, docket: dict[str, Hearing]
) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    room2 = docket["status"].courtroom
    by_room = get(client, courtroom=room2.pk)
    assert hearing_ids(by_room.content.decode()) == {docket["status"].pk}
    assert [r.courtroom.pk for r in by_room.context["rows"]] == [room2.pk]
    by_judge = get(client, judge=world.user(Role.JUDGE).pk)
    assert hearing_ids(by_judge.content.decode()) == {docket["plea"].pk}
    assert "before Judge" in by_judge.content.decode()
    # A courtroom of another court is not a choice: the filter is ignored, not a 500.
    foreign = get(client, courtroom=docket["foreign"].courtroom_id)
    assert foreign.status_code == 200
    assert hearing_ids(foreign.content.decode()) == {docket["plea"].pk, docket["status"].pk}


def test_closure_days_show_on_the_docket(
    client: Client, world: World, docket: dict[str, Hearing]
) -> None:
    services.closure_add(
        court=world.court, by=clerk(world), date=dt.date(2026, 12, 17), reason="Snow emergency"
    )
    client.force_login(world.user(Role.JUDGE))
    assert "No court: Court closed: Snow emergency" in get(client).content.decode()


def test_cancelled_hearings_stay_on_the_docket_struck_through(
    client: Client, world: World, docket: dict[str, Hearing]
) -> None:
    services.hearing_cancel(hearing=docket["plea"], by=clerk(world), reason="Plea withdrawn")
    client.force_login(world.user(Role.COURT_STAFF))
    html = get(client).content.decode()
    assert "hearing-card--cancelled" in html
    assert ">Cancelled<" in html
    card = html[html.index("hearing-card--cancelled") :]
    card = card[: card.index("</article>")]
    assert "Reschedule" not in card


@pytest.mark.parametrize("extra", [0, 8])
def test_docket_queries_do_not_grow_with_hearings(
    client: Client,
    world: World,
    docket: dict[str, Hearing],
    django_assert_num_queries: Any,
    extra: int,
) -> None:
    room = courtroom(world, "Courtroom 3")
    for n in range(extra):
        hearing(world, starts_at=at(2026, 12, 14 + n % 5, 11 + n // 5), minutes=30, room=room)
    client.force_login(world.user(Role.COURT_STAFF))
    # session, user; the header: profile, organization, unread count; the court's role check
    # (role, group membership: 2), the courts sat in; courtrooms for the rows and for the filter
    # (2), judges for the filter; the hearings; closure days. (may_manage_closures asks again
    # about the group membership, which a GET request reads once: core.reads.)
    with django_assert_num_queries(13):
        response = get(client)
    assert response.status_code == 200
    assert response.context["hearing_count"] == 2 + extra


# --- rescheduling from the docket ------------------------------------------------------------


def reschedule_url(h: Hearing) -> str:
    return reverse("deadlines:hearing-reschedule", args=[h.pk])


def reschedule_form(h: Hearing, **overrides: Any) -> dict[str, Any]:
    data = {
        "date": "2026-12-17",
        "time": "11:00",
        "duration": "45",
        "courtroom": str(h.courtroom_id),
        "reason": "Defense counsel in trial elsewhere.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_docket_links_each_hearing_to_its_reschedule_page(
    client: Client, world: World, docket: dict[str, Hearing]
) -> None:
    client.force_login(world.user(Role.COURT_STAFF))
    html = get(client).content.decode()
    assert f'href="{reschedule_url(docket["plea"])}?next=' in html
    assert 'aria-label="Reschedule plea hearing in 1:26-cr-00001 at 09:00"' in html


@pytest.mark.parametrize("role", COURT_ROLES)
def test_the_court_reschedules_a_hearing_with_a_reason(
    client: Client, world: World, docket: dict[str, Hearing], role: Role
) -> None:
    plea = docket["plea"]
    client.force_login(world.user(role))
    page = client.get(reschedule_url(plea))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["date"] == dt.date(2026, 12, 15)
    assert form.initial["time"] == dt.time(9, 0)
    assert form.initial["duration"] == 60
    assert "America/New_York" in page.content.decode()

    back = reverse("deadlines:docket") + "?view=week&date=2026-12-14"
    response = client.post(reschedule_url(plea), reschedule_form(plea, next=back))
    assert response.status_code == 302
    assert response["Location"] == back
    plea.refresh_from_db()
    assert plea.starts_at == at(2026, 12, 17, 11)
    assert plea.ends_at == at(2026, 12, 17, 11, 45)
    assert plea.status == HearingStatus.CONTINUED
    change = HearingChange.objects.filter(hearing=plea).latest("id")
    assert change.reason == "Defense counsel in trial elsewhere."
    assert change.from_starts_at == at(2026, 12, 15, 9)
    assert change.to_starts_at == at(2026, 12, 17, 11)
    followed = client.get(back)
    assert "moved to 2026-12-17 11:00 EST in Courtroom 1" in followed.content.decode()


def test_rescheduling_without_a_reason_is_refused_next_to_the_field(
    client: Client, world: World, docket: dict[str, Hearing]
) -> None:
    plea = docket["plea"]
    client.force_login(clerk(world))
    response = client.post(reschedule_url(plea), reschedule_form(plea, reason="", time="25:00"))
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"reason", "time"}
    html = response.content.decode()
    assert 'id="id_reason_error"' in html and 'id="id_time_error"' in html
    plea.refresh_from_db()
    assert plea.starts_at == at(2026, 12, 15, 9) and plea.status == HearingStatus.SCHEDULED
    assert not HearingChange.objects.filter(hearing=plea).exclude(to_status="scheduled").exists()


def test_rescheduling_onto_another_hearing_says_which(
    client: Client, world: World, docket: dict[str, Hearing]
) -> None:
    plea, status = docket["plea"], docket["status"]
    client.force_login(clerk(world))
    response = client.post(
        reschedule_url(plea),
        reschedule_form(plea, date="2026-12-16", time="14:45", courtroom=str(status.courtroom_id)),
    )
    assert response.status_code == 409
    assert "1:26-cr-00002" in response.content.decode() or "Status conference" in (
        response.content.decode()
    )
    plea.refresh_from_db()
    assert plea.starts_at == at(2026, 12, 15, 9)
    assert plea.courtroom_id != status.courtroom_id


@pytest.mark.parametrize("role", PARTY_ROLES)
def test_parties_may_not_reschedule(
    client: Client, world: World, docket: dict[str, Hearing], role: Role
) -> None:
    plea = docket["plea"]
    client.force_login(world.user(role))
    assert client.get(reschedule_url(plea)).status_code == 403
    assert client.post(reschedule_url(plea), reschedule_form(plea)).status_code == 403
    plea.refresh_from_db()
    assert plea.starts_at == at(2026, 12, 15, 9) and plea.status == HearingStatus.SCHEDULED


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_no_hearing_to_reschedule(
    client: Client, world: World, docket: dict[str, Hearing], role: Role
) -> None:
    plea = docket["plea"]
    client.force_login(world.strangers[role])
    assert client.get(reschedule_url(plea)).status_code == 404
    assert client.post(reschedule_url(plea), reschedule_form(plea)).status_code == 404
    plea.refresh_from_db()
    assert plea.starts_at == at(2026, 12, 15, 9)


def test_an_outside_next_address_is_not_followed(
    client: Client, world: World, docket: dict[str, Hearing]
) -> None:
    plea = docket["plea"]
    client.force_login(clerk(world))
    response = client.post(
        reschedule_url(plea), reschedule_form(plea, next="https://evil.example/")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("deadlines:hearing", args=[plea.pk])
