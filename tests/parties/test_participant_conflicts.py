"""Conflict of interest when a person is added to a case
(cases.party_services.participant_conflicts).

Connected cases share a defendant. Flagged: a part that ended on the other side of the same
case; a part on the other side of a connected case; defending on a connected case whose
defendants differ (another party). A flagged addition is refused (409) until someone gives a
reason, and the participation keeps what was flagged, the reason and who gave it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases import party_services
from cases import services as case_services
from cases.models import Case
from core.exceptions import Conflict
from parties import selectors as party_selectors
from parties.models import CaseParticipant, Defendant, Organization, Role
from parties.services import profile_set
from tests import factories
from tests.conftest import World, api_as

DOCKET = "1:26-cr-00001"  # the world's case, with defendant Jane Doe
CONNECTED = "1:26-cr-00050"
LEFT_ON = dt.date(2026, 1, 20)
ASK_FOR_A_REASON = "To add them anyway, give a reason to override the conflict."


def person(username: str, role: str, first: str, last: str, org: Organization | None) -> User:
    user = factories.UserFactory.create(username=username, first_name=first, last_name=last)
    profile_set(user=user, role_kind=role, organization=org)
    return User.objects.select_related("profile").get(pk=user.pk)


def now_works_as(world: World, user: User, role: str, org: Organization | None = None) -> User:
    """The person changed jobs: their profile says so, and the court seats its new judges."""
    profile_set(user=user, role_kind=role, organization=org)
    if role in (Role.JUDGE, Role.COURT_STAFF):
        case_services.court_member_add(court=world.court, user=user)
    return User.objects.select_related("profile").get(pk=user.pk)


def name(user: User) -> str:
    return user.get_full_name()


def clerk(world: World) -> User:
    return world.user(Role.COURT_STAFF)


def case_with(world: World, docket: str, *defendants: Defendant, sealed: bool = False) -> Case:
    """Another case of the world's court, opened by the clerk, with these defendants on it."""
    case = case_services.case_open(
        court=world.court,
        docket_number=docket,
        caption=f"United States v. {docket}",
        by=clerk(world),
        opened_on=dt.date(2026, 1, 8),
        sealed=sealed,
    )
    for defendant in defendants:
        party_services.participant_add(
            case=case,
            by=clerk(world),
            role=Role.DEFENDANT,
            defendant=defendant,
            start_date=dt.date(2026, 1, 8),
        )
    return case


def co_defendant() -> Defendant:
    return factories.DefendantFactory.create(first_name="John", last_name="Roe")


def add(
    world: World,
    case: Case,
    role: str,
    user: User,
    start_date: dt.date = dt.date(2026, 1, 21),
    **extra: Any,
) -> CaseParticipant:
    """The court adds `user` to `case` in `role` (the court may add every role)."""
    return party_services.participant_add(
        case=case, by=clerk(world), role=role, user=user, start_date=start_date, **extra
    )


def refused_for(world: World, case: Case, role: str, user: User, **extra: Any) -> Conflict:
    before = CaseParticipant.objects.count()
    with pytest.raises(Conflict) as refused:
        add(world, case, role, user, **extra)
    assert CaseParticipant.objects.count() == before
    assert refused.value.code == "conflict_of_interest"
    return refused.value


def rows() -> list[Any]:
    return list(CaseParticipant.objects.values().order_by("pk"))


@pytest.fixture
def ex_prosecutor(world: World) -> User:
    """Ann Lee prosecuted the world's case from 2026-01-06 to 2026-01-20, then became a
    federal defender."""
    ann = person("ann", Role.PROSECUTOR, "Ann", "Lee", world.orgs["da"])
    prosecutor = world.user(Role.PROSECUTOR)
    part = party_services.participant_add(
        case=world.case,
        by=prosecutor,
        role=Role.PROSECUTOR,
        user=ann,
        start_date=dt.date(2026, 1, 6),
    )
    party_services.participant_end(participant=part, by=prosecutor, end_date=LEFT_ON)
    return now_works_as(world, ann, Role.DEFENSE_COUNSEL, world.orgs["pd"])


# --- what is flagged ---------------------------------------------------------------------


def test_former_prosecutor_of_the_case_joining_its_defense_is_flagged(
    world: World, ex_prosecutor: User
) -> None:
    conflict = refused_for(world, world.case, Role.DEFENSE_COUNSEL, ex_prosecutor)

    flagged = f"Ann Lee was prosecutor on this case ({DOCKET}) until 2026-01-20."
    assert conflict.details == {"conflicts": [flagged]}
    assert conflict.message == (
        f"Adding Ann Lee as defense counsel may be a conflict of interest. {flagged} "
        f"{ASK_FOR_A_REASON}"
    )


@pytest.mark.parametrize("part", ["ended", "active"])
def test_prosecutor_of_a_connected_case_joining_the_defense_is_flagged(
    world: World, ex_prosecutor: User, part: str
) -> None:
    connected = case_with(world, CONNECTED, world.defendant)
    if part == "ended":
        prosecutor = ex_prosecutor
        held = "was prosecutor until 2026-01-20"
    else:  # still on the world's case, though their profile already says defense counsel
        prosecutor = now_works_as(world, world.user(Role.PROSECUTOR), Role.DEFENSE_COUNSEL)
        held = "is prosecutor"

    conflict = refused_for(world, connected, Role.DEFENSE_COUNSEL, prosecutor)

    assert conflict.details["conflicts"] == [
        f"On {DOCKET}, a case that shares a defendant with this one, {name(prosecutor)} {held}."
    ]


def test_defense_counsel_of_a_connected_case_sitting_as_judge_is_flagged(world: World) -> None:
    connected = case_with(world, CONNECTED, world.defendant)
    counsel = now_works_as(world, world.user(Role.DEFENSE_COUNSEL), Role.JUDGE)

    conflict = refused_for(world, connected, Role.JUDGE, counsel)

    assert conflict.details["conflicts"] == [
        f"On {DOCKET}, a case that shares a defendant with this one, {name(counsel)} is "
        "defense counsel."
    ]


@pytest.mark.parametrize("role", [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER])
def test_counsel_of_a_connected_case_with_other_defendants_is_flagged(
    world: World, role: str
) -> None:
    # Jane Doe's lawyer on her own case is asked to defend a case she shares with John Roe.
    connected = case_with(world, CONNECTED, world.defendant, co_defendant())
    lawyer = world.user(role)

    conflict = refused_for(world, connected, role, lawyer)

    assert conflict.details["conflicts"] == [
        f"On {DOCKET}, a case that shares a defendant with this one but whose defendants "
        f"differ, {name(lawyer)} is {Role(role).label.lower()} and may represent another party."
    ]


def test_counsel_who_left_a_case_of_a_co_defendant_is_flagged_in_the_past_tense(
    world: World,
) -> None:
    connected = case_with(world, CONNECTED, world.defendant, co_defendant())
    lawyer = person("ben", Role.DUTY_LAWYER, "Ben", "Ode", world.orgs["aid"])
    part = party_services.participant_add(
        case=world.case,
        by=clerk(world),
        role=Role.DUTY_LAWYER,
        user=lawyer,
        start_date=dt.date(2026, 1, 6),
    )
    party_services.participant_end(participant=part, by=clerk(world), end_date=LEFT_ON)

    conflict = refused_for(world, connected, Role.DUTY_LAWYER, lawyer)

    assert conflict.details["conflicts"] == [
        f"On {DOCKET}, a case that shares a defendant with this one but whose defendants "
        "differ, Ben Ode was duty lawyer until 2026-01-20 and may have represented another "
        "party."
    ]


def test_every_conflict_is_listed(world: World) -> None:
    # Eve Kay prosecuted Jane Doe on the world's case until 2026-01-20 and still does on
    # another of her cases; as a defender she would face both.
    connected = case_with(world, CONNECTED, world.defendant)
    eve = person("eve", Role.PROSECUTOR, "Eve", "Kay", world.orgs["da"])
    part = add(world, world.case, Role.PROSECUTOR, eve, start_date=dt.date(2026, 1, 6))
    party_services.participant_end(participant=part, by=clerk(world), end_date=LEFT_ON)
    add(world, connected, Role.PROSECUTOR, eve)
    eve = now_works_as(world, eve, Role.DEFENSE_COUNSEL, world.orgs["pd"])

    conflict = refused_for(world, world.case, Role.DEFENSE_COUNSEL, eve)

    assert conflict.details["conflicts"] == [
        f"Eve Kay was prosecutor on this case ({DOCKET}) until 2026-01-20.",
        f"On {CONNECTED}, a case that shares a defendant with this one, Eve Kay is prosecutor.",
    ]


def test_a_sealed_connected_case_is_not_named(world: World) -> None:
    # The sentences are shown to everyone who sees the parties list of the case joined.
    sealed = case_with(world, CONNECTED, world.defendant, sealed=True)
    counsel = world.user(Role.DEFENSE_COUNSEL)
    add(world, sealed, Role.DEFENSE_COUNSEL, counsel)
    judge = now_works_as(world, counsel, Role.JUDGE)
    unsealed = case_with(world, "1:26-cr-00051", world.defendant)

    conflict = refused_for(world, unsealed, Role.JUDGE, judge)

    assert conflict.details["conflicts"] == [
        f"On {DOCKET}, a case that shares a defendant with this one, {name(judge)} is defense "
        "counsel.",
        f"On another case that shares a defendant with this one, {name(judge)} is defense counsel.",
    ]
    assert CONNECTED not in conflict.message


def test_a_defendant_who_left_a_case_still_connects_it(world: World, ex_prosecutor: User) -> None:
    connected = case_with(world, CONNECTED, world.defendant)
    jane = CaseParticipant.objects.get(case=connected, defendant=world.defendant)
    party_services.participant_end(participant=jane, by=clerk(world), end_date=LEFT_ON)

    assert list(party_selectors.connected_case_ids(connected.pk)) == [world.case.pk]
    refused_for(world, connected, Role.DEFENSE_COUNSEL, ex_prosecutor)


# --- overriding --------------------------------------------------------------------------


def test_a_reason_overrides_the_conflict_and_is_kept_with_who_gave_it(
    world: World, ex_prosecutor: User
) -> None:
    part = add(
        world,
        world.case,
        Role.DEFENSE_COUNSEL,
        ex_prosecutor,
        conflict_override_reason="  The defendant waived the conflict in writing.  ",
    )

    part.refresh_from_db()
    # Kept as facts; said to each reader (party_services.participant_conflict_sentences).
    assert (part.role, part.end_date, part.conflicts, part.conflict_override_reason) == (
        Role.DEFENSE_COUNSEL,
        None,
        [{"kind": "this_case", "case": world.case.pk, "role": "prosecutor", "until": "2026-01-20"}],
        "The defendant waived the conflict in writing.",
    )
    assert party_services.participant_conflict_sentences([part], reader=clerk(world)) == {
        part.pk: [f"Ann Lee was prosecutor on this case ({DOCKET}) until 2026-01-20."]
    }
    assert part.conflict_overridden_by == clerk(world)
    # Added like anyone else: she sees the case again.
    assert api_as(ex_prosecutor).get(reverse("case-detail", args=[world.case.pk])).status_code == (
        200
    )


@pytest.mark.parametrize("reason", ["", "   \n\t "])
def test_a_blank_reason_does_not_override(world: World, ex_prosecutor: User, reason: str) -> None:
    refused_for(
        world, world.case, Role.DEFENSE_COUNSEL, ex_prosecutor, conflict_override_reason=reason
    )


def test_the_database_refuses_conflicts_kept_without_a_reason(world: World) -> None:
    judge = CaseParticipant.objects.filter(case=world.case, role=Role.JUDGE)

    with pytest.raises(IntegrityError), transaction.atomic():
        judge.update(conflicts=["Flagged, and never explained."])

    judge.update(conflicts=["Flagged."], conflict_override_reason="Explained.")
    assert judge.get().conflicts == ["Flagged."]


def test_a_part_on_the_other_side_that_is_still_active_stays_refused(world: World) -> None:
    # One person on two sides of one case at once is never allowed, reason or not.
    prosecutor = now_works_as(world, world.user(Role.PROSECUTOR), Role.DEFENSE_COUNSEL)
    before = rows()

    with pytest.raises(ValidationError) as refused:
        add(world, world.case, Role.DEFENSE_COUNSEL, prosecutor, conflict_override_reason="Why")

    assert refused.value.message_dict == {
        "user": ["prosecutor already takes part on another side of this case."]
    }
    assert rows() == before


def test_who_may_not_add_the_role_is_refused_before_any_conflict_is_looked_at(
    world: World, ex_prosecutor: User
) -> None:
    before = rows()

    with pytest.raises(PermissionDenied):
        party_services.participant_add(
            case=world.case,
            by=world.user(Role.PROSECUTOR),
            role=Role.DEFENSE_COUNSEL,
            user=ex_prosecutor,
        )

    assert rows() == before


# --- what is not flagged -----------------------------------------------------------------


def test_counsel_of_the_same_defendant_on_a_connected_case_is_not_flagged(world: World) -> None:
    connected = case_with(world, CONNECTED, world.defendant)

    part = add(
        world,
        connected,
        Role.DEFENSE_COUNSEL,
        world.user(Role.DEFENSE_COUNSEL),
        conflict_override_reason="Not needed, so not kept.",
    )

    part.refresh_from_db()
    assert (part.conflicts, part.conflict_override_reason, part.conflict_overridden_by) == (
        [],
        "",
        None,
    )


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.JUDGE])
def test_the_same_side_on_a_connected_case_with_other_defendants_is_not_flagged(
    world: World, role: str
) -> None:
    connected = case_with(world, CONNECTED, world.defendant, co_defendant())

    part = add(world, connected, role, world.user(role))

    assert part.conflicts == []


def test_a_former_prosecutor_who_comes_back_to_the_prosecution_is_not_flagged(
    world: World,
) -> None:
    cal = person("cal", Role.PROSECUTOR, "Cal", "Ray", world.orgs["da"])
    part = add(world, world.case, Role.PROSECUTOR, cal, start_date=dt.date(2026, 1, 6))
    party_services.participant_end(participant=part, by=clerk(world), end_date=LEFT_ON)

    again = add(world, world.case, Role.PROSECUTOR, cal)

    assert (again.conflicts, again.end_date) == ([], None)


def test_cases_that_share_no_defendant_are_not_connected(world: World, ex_prosecutor: User) -> None:
    unrelated = case_with(world, CONNECTED, co_defendant())

    on_unrelated = add(world, unrelated, Role.DEFENSE_COUNSEL, ex_prosecutor)
    on_other_case = add(world, world.other_case, Role.DEFENSE_COUNSEL, ex_prosecutor)

    assert list(party_selectors.connected_case_ids(unrelated.pk)) == []
    assert (on_unrelated.conflicts, on_other_case.conflicts) == ([], [])


# --- API ---------------------------------------------------------------------------------


def participants_url() -> str:
    return reverse("participant-list")


def test_api_answers_409_with_the_conflicts_then_201_with_a_reason(
    world: World, ex_prosecutor: User
) -> None:
    client = api_as(clerk(world))
    payload = {"case": world.case.pk, "role": "defense_counsel", "user": ex_prosecutor.pk}
    flagged = f"Ann Lee was prosecutor on this case ({DOCKET}) until 2026-01-20."
    before = rows()

    refused = client.post(participants_url(), payload, format="json")

    assert (refused.status_code, refused.json()) == (
        409,
        {
            "detail": "Adding Ann Lee as defense counsel may be a conflict of interest. "
            f"{flagged} {ASK_FOR_A_REASON}",
            "code": "conflict_of_interest",
            "conflicts": [flagged],
        },
    )
    assert rows() == before

    reason = "Ms Doe was told and agreed in writing on 2026-01-21."
    added = client.post(
        participants_url(), {**payload, "conflict_override_reason": reason}, format="json"
    )

    assert added.status_code == 201
    body = added.json()
    assert (body["user"], body["conflicts"], body["conflict_override_reason"]) == (
        ex_prosecutor.pk,
        [flagged],
        reason,
    )
    row = CaseParticipant.objects.get(pk=body["id"])
    assert (row.conflicts, row.conflict_override_reason, row.conflict_overridden_by_id) == (
        [{"kind": "this_case", "case": world.case.pk, "role": "prosecutor", "until": "2026-01-20"}],
        reason,
        clerk(world).pk,
    )


@pytest.mark.parametrize("reason", ["", "  "])
def test_api_blank_reason_is_still_a_409(world: World, ex_prosecutor: User, reason: str) -> None:
    payload = {
        "case": world.case.pk,
        "role": "defense_counsel",
        "user": ex_prosecutor.pk,
        "conflict_override_reason": reason,
    }

    response = api_as(clerk(world)).post(participants_url(), payload, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "conflict_of_interest")


def test_api_shows_the_overridden_conflict_to_whoever_sees_the_case(
    world: World, ex_prosecutor: User
) -> None:
    part = add(world, world.case, Role.DEFENSE_COUNSEL, ex_prosecutor, conflict_override_reason="R")
    plain = CaseParticipant.objects.get(case=world.case, role=Role.JUDGE)

    client = api_as(world.user(Role.DEFENDANT))
    flagged = client.get(reverse("participant-detail", args=[part.pk])).json()
    unflagged = client.get(reverse("participant-detail", args=[plain.pk])).json()

    assert (flagged["conflicts"], flagged["conflict_override_reason"]) == (
        [f"Ann Lee was prosecutor on this case ({DOCKET}) until 2026-01-20."],
        "R",
    )
    assert (unflagged["conflicts"], unflagged["conflict_override_reason"]) == ([], "")


@pytest.mark.parametrize(
    ("by", "answer"),
    [
        (
            Role.PROSECUTOR,
            {
                "detail": "Only the court adds or removes a defense counsel on a case.",
                "code": "permission_denied",
            },
        ),
        (Role.JUDGE, {"detail": "You may not do this on this case.", "code": "permission_denied"}),
        (
            Role.DEFENSE_COUNSEL,
            {"detail": "You may not do this on this case.", "code": "permission_denied"},
        ),
    ],
)
def test_api_who_may_not_add_the_role_gets_403_not_the_conflict(
    world: World, ex_prosecutor: User, by: str, answer: dict[str, str]
) -> None:
    payload = {"case": world.case.pk, "role": "defense_counsel", "user": ex_prosecutor.pk}
    before = rows()

    for extra in ({}, {"conflict_override_reason": "Because."}):
        response = api_as(world.user(by)).post(
            participants_url(), {**payload, **extra}, format="json"
        )
        assert (response.status_code, response.json()) == (403, answer)

    assert rows() == before


def test_api_schema_documents_the_conflict_and_the_override(db: None) -> None:
    schema = APIClient().get(reverse("api-schema"), {"format": "json"}).json()

    create = schema["paths"]["/api/v1/participants/"]["post"]
    body = create["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/ConflictOfInterest")
    conflict = schema["components"]["schemas"]["ConflictOfInterest"]["properties"]
    assert set(conflict) == {"detail", "code", "conflicts"}
    request = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request_fields = schema["components"]["schemas"][request.rsplit("/", 1)[1]]["properties"]
    assert "conflict_override_reason" in request_fields
    participant = schema["components"]["schemas"]["Participant"]["properties"]
    assert participant["conflicts"]["readOnly"] is True


# --- the case page -----------------------------------------------------------------------


def add_url(world: World) -> str:
    return reverse("cases:participant-add", args=[world.case.pk])


def form(user: User, role: str = Role.DEFENSE_COUNSEL, **extra: str) -> dict[str, Any]:
    return {"participant-role": role, "participant-user": user.pk, **extra}


def warning(html: str) -> str:
    """The conflict warning of the add-participant form."""
    start = html.index('id="participant-conflicts"')
    return html[html.rindex("<div", 0, start) : html.index("</div>", start)]


def shown_for(html: str) -> str:
    found = re.search(r'name="participant-override_for" value="([^"]*)"', html)
    assert found is not None
    return found.group(1)


def test_page_conflict_lists_the_conflicts_and_asks_for_a_reason(
    client: Client, world: World, ex_prosecutor: User
) -> None:
    client.force_login(clerk(world))
    before = rows()

    response = client.post(add_url(world), form(ex_prosecutor))

    assert response.status_code == 409
    html = response.content.decode()
    alert = warning(html)
    assert 'role="alert"' in alert
    assert f"<li>Ann Lee was prosecutor on this case ({DOCKET}) until 2026-01-20.</li>" in alert
    assert '<label for="id_participant-conflict_override_reason">' in html
    assert "Reason to override the conflict" in html
    assert shown_for(html) == f"defense_counsel:{ex_prosecutor.pk}"
    assert rows() == before


def test_page_conflict_keeps_the_chosen_person_checked_in_the_picker(
    client: Client, world: World, ex_prosecutor: User
) -> None:
    # The person picker lists no one until searched; the form that comes back with the
    # conflicts shows the person chosen, checked, so that a reason is all that is left to give.
    client.force_login(clerk(world))

    response = client.post(
        add_url(world), form(ex_prosecutor, **{"participant-person_search": "ann"})
    )

    assert response.status_code == 409
    html = response.content.decode()
    picker = html[html.index('id="id_participant-user-results"') :]
    picker = picker[: picker.index("</fieldset>")]
    assert re.findall(
        r'<input type="radio" name="participant-user" value="(\d+)"[^>]*>', picker
    ) == [str(ex_prosecutor.pk)]
    assert (
        f'value="{ex_prosecutor.pk}" id="id_participant-user_{ex_prosecutor.pk}" checked>' in picker
    )
    assert "Ann Lee" in picker
    assert "Federal Defender" in picker
    assert 'value="ann"' in html  # the search typed, kept


def test_page_override_with_a_reason_adds_the_participant_and_shows_it_in_the_parties_list(
    client: Client, world: World, ex_prosecutor: User
) -> None:
    client.force_login(clerk(world))
    first = client.post(add_url(world), form(ex_prosecutor)).content.decode()
    reason = "Ms Doe waived the conflict in writing."

    response = client.post(
        add_url(world),
        form(
            ex_prosecutor,
            **{
                "participant-conflict_override_reason": reason,
                "participant-override_for": shown_for(first),
            },
        ),
    )

    assert response.status_code == 302
    part = CaseParticipant.objects.get(case=world.case, user=ex_prosecutor, end_date=None)
    assert (part.conflict_override_reason, part.conflict_overridden_by) == (reason, clerk(world))
    # Whoever sees the parties list sees the marker, the conflicts and the reason.
    client.force_login(world.user(Role.DEFENDANT))
    page = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    marker = page.index("Conflict overridden")
    row = page[page.rindex('<th scope="row">', 0, marker) : page.index("</details>", marker)]
    assert row.startswith('<th scope="row">Ann Lee')
    assert f"<li>Ann Lee was prosecutor on this case ({DOCKET}) until 2026-01-20.</li>" in row
    assert f"Overridden by {name(clerk(world))}: {reason}" in row
    assert page.count("Conflict overridden") == 1


def test_page_blank_reason_asks_again(client: Client, world: World, ex_prosecutor: User) -> None:
    client.force_login(clerk(world))
    first = client.post(add_url(world), form(ex_prosecutor)).content.decode()
    before = rows()

    response = client.post(
        add_url(world),
        form(
            ex_prosecutor,
            **{
                "participant-conflict_override_reason": "   ",
                "participant-override_for": shown_for(first),
            },
        ),
    )

    assert response.status_code == 409
    assert "Ann Lee was prosecutor" in warning(response.content.decode())
    assert rows() == before


def test_page_reason_given_for_one_person_does_not_override_anothers_conflicts(
    client: Client, world: World, ex_prosecutor: User
) -> None:
    connected = case_with(world, CONNECTED, world.defendant, co_defendant())
    # Ann is flagged on the connected case; the world's duty lawyer would be flagged too.
    client.force_login(clerk(world))
    url = reverse("cases:participant-add", args=[connected.pk])
    first = client.post(url, form(ex_prosecutor)).content.decode()
    duty = world.user(Role.DUTY_LAWYER)
    before = rows()

    response = client.post(
        url,
        form(
            duty,
            Role.DUTY_LAWYER,
            **{
                "participant-conflict_override_reason": "Written for Ann Lee.",
                "participant-override_for": shown_for(first),
            },
        ),
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert f"{name(duty)} is duty lawyer and may represent another party." in warning(html)
    assert shown_for(html) == f"duty_lawyer:{duty.pk}"
    assert rows() == before


def test_page_without_a_conflict_adds_without_asking(client: Client, world: World) -> None:
    newcomer = person("dee", Role.DUTY_LAWYER, "Dee", "Fox", world.orgs["aid"])
    client.force_login(clerk(world))

    page = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    response = client.post(add_url(world), form(newcomer, Role.DUTY_LAWYER))

    assert "Reason to override the conflict" not in page
    assert "Conflict overridden" not in page
    assert response.status_code == 302
    assert CaseParticipant.objects.get(user=newcomer).conflicts == []


@pytest.mark.parametrize(("by", "status"), [(Role.JUDGE, 403), (Role.PROSECUTOR, 400)])
def test_page_who_may_not_add_the_role_is_refused_as_before(
    client: Client, world: World, ex_prosecutor: User, by: str, status: int
) -> None:
    # The judge manages no participant (403); the prosecutor's form does not offer the
    # court's roles, so posting one is refused on the field (400). Neither sees a conflict.
    client.force_login(world.user(by))
    before = rows()

    response = client.post(
        add_url(world),
        form(ex_prosecutor, **{"participant-conflict_override_reason": "Because."}),
    )

    assert response.status_code == status
    assert 'id="participant-conflicts"' not in response.content.decode()
    assert rows() == before
