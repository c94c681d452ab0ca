"""/api/v1/participants/: who takes part in a case; adding grants access, ending revokes it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from cases import party_services
from cases import services as case_services
from parties.models import CaseParticipant, Defendant, Role, Side, UserProfile
from tests import factories
from tests.api_helpers import (
    CASE_MANAGERS,
    COURT_ONLY_PARTICIPANT_ROLES,
    MISSING_ID,
    NOT_CASE_MANAGERS,
    PARTICIPANT_ROLES_MANAGED_BY,
    PERSONA_IDS,
    PERSONAS,
    cases_seen,
    cases_unseen,
    counting_queries,
    ids,
    persona,
)
from tests.conftest import ROLES, World, api_as, make_user

# For court staff (a judge here): the courts whose rows the list walks
# (party_selectors.courts_listed_for), then one SELECT of the page's participants with user,
# profile, organization and defendant.
PARTICIPANT_LIST_QUERIES = 2


def participants_url(**params: Any) -> str:
    query = urlencode(params, doseq=True)
    return reverse("participant-list") + (f"?{query}" if query else "")


def participant_url(pk: object) -> str:
    return reverse("participant-detail", args=[pk])


def end_url(pk: object) -> str:
    return reverse("participant-end", args=[pk])


def case_url(pk: object) -> str:
    return reverse("case-detail", args=[pk])


def participant_rows() -> list[Any]:
    return list(CaseParticipant.objects.values().order_by("pk"))


def participation(world: World, role: str) -> CaseParticipant:
    """The own case's participation of the party persona in `role`."""
    if role == Role.DEFENDANT:
        return CaseParticipant.objects.get(case=world.case, defendant=world.defendant)
    return CaseParticipant.objects.get(case=world.case, user=world.user(role))


def participation_to_end(world: World, role: str) -> CaseParticipant:
    """As participation(); the world's clerk keeps the docket without sitting on the case,
    so for court staff the clerk is put on it first (by the court, the only one who may)."""
    if role == Role.COURT_STAFF:
        clerk = world.user(Role.COURT_STAFF)
        return party_services.participant_add(
            case=world.case, by=clerk, role=Role.COURT_STAFF, user=clerk
        )
    return participation(world, role)


def new_duty_lawyer(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "case": world.case.pk,
        "role": "duty_lawyer",
        "user": world.strangers[Role.DUTY_LAWYER].pk,
        **changes,
    }


def newcomer(world: World, role: str, by: User) -> dict[str, Any]:
    """A request to add someone new to the own case in `role`, whom `by` may name: a person
    of that kind (sitting in the court, for its roles), or a defendant `by` entered."""
    if role == Role.DEFENDANT:
        defendant = factories.DefendantFactory.create(created_by=by)
        return {"case": world.case.pk, "role": role, "defendant": defendant.pk}
    # A prosecutor belongs to an office of the court's jurisdiction (cases.permissions).
    office = world.orgs["da"] if role == Role.PROSECUTOR else None
    person = make_user(f"new_{role}", role, office)
    if role in (Role.JUDGE, Role.COURT_STAFF):
        case_services.court_member_add(court=world.court, user=person)
    return {"case": world.case.pk, "role": role, "user": person.pk}


def only_the_court(role: str) -> dict[str, str]:
    """The 403 a prosecutor gets for a role that the court alone assigns and releases."""
    return {
        "detail": f"Only the court adds or removes a {Role(role).label.lower()} on a case.",
        "code": "permission_denied",
    }


NOT_YOURS = {"detail": "You may not do this on this case.", "code": "permission_denied"}


# --- who reads which participation -------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_participant_list_shows_the_people_on_the_cases_the_user_may_see(
    world: World, who: str, role: str
) -> None:
    response = api_as(persona(world, who, role)).get(participants_url())

    assert response.status_code == 200
    assert set(ids(response)) == set(
        CaseParticipant.objects.filter(case__in=cases_seen(world, who, role)).values_list(
            "pk", flat=True
        )
    )


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_participant_on_a_case_the_user_may_not_see_answers_404_like_a_missing_one(
    world: World, who: str, role: str
) -> None:
    client = api_as(persona(world, who, role))
    missing = client.get(participant_url(MISSING_ID))
    assert missing.status_code == 404

    for participant in CaseParticipant.objects.filter(case__in=cases_unseen(world, who, role)):
        response = client.get(participant_url(participant.pk))
        assert (response.status_code, response.json()) == (404, missing.json())


def test_participant_body_names_the_person_and_their_office(world: World) -> None:
    response = api_as(world.user(Role.DEFENDANT)).get(
        participant_url(participation(world, Role.DEFENSE_COUNSEL).pk)
    )

    body = response.json()
    assert {k: body[k] for k in ("role", "side", "is_lead", "organization", "end_date")} == {
        "role": "defense_counsel",
        "side": "defense",
        "is_lead": True,
        "organization": "Federal Defender",
        "end_date": None,
    }


def test_defendant_participation_is_named_by_the_defendant(world: World) -> None:
    response = api_as(world.user(Role.JUDGE)).get(
        participant_url(participation(world, Role.DEFENDANT).pk)
    )

    body = response.json()
    assert (body["name"], body["defendant"], body["user"]) == ("Jane Doe", world.defendant.pk, None)


@pytest.mark.parametrize("bad_id", ["abc", "1e3", "99999999999999999999"])
def test_participant_ids_that_are_not_ids_answer_404_not_500(world: World, bad_id: str) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    missing = client.get(participant_url(MISSING_ID)).json()

    answers = [client.get(participant_url(bad_id)), client.post(end_url(bad_id), {})]

    assert [(r.status_code, r.json()) for r in answers] == [(404, missing)] * 2


# --- adding a participant ----------------------------------------------------------------


def test_court_staff_may_add_a_duty_lawyer_who_then_sees_the_case(world: World) -> None:
    duty_lawyer = world.strangers[Role.DUTY_LAWYER]
    assert api_as(duty_lawyer).get(case_url(world.case.pk)).status_code == 404

    response = api_as(world.user(Role.COURT_STAFF)).post(
        participants_url(), new_duty_lawyer(world, start_date="2026-01-20"), format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["role"], body["side"], body["user"], body["start_date"]) == (
        "duty_lawyer",
        "defense",
        duty_lawyer.pk,
        "2026-01-20",
    )
    assert api_as(duty_lawyer).get(case_url(world.case.pk)).status_code == 200


@pytest.mark.parametrize("role", COURT_ONLY_PARTICIPANT_ROLES)
def test_prosecutor_may_not_add_a_participant_the_court_assigns(world: World, role: str) -> None:
    payload = newcomer(world, role, world.user(Role.PROSECUTOR))
    before = participant_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(participants_url(), payload, format="json")

    assert (response.status_code, response.json()) == (403, only_the_court(role))
    assert participant_rows() == before
    if role not in (Role.JUDGE, Role.COURT_STAFF):  # the court sees its cases anyway
        newcomer_client = api_as(User.objects.get(pk=payload["user"]))
        assert newcomer_client.get(case_url(world.case.pk)).status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("by", CASE_MANAGERS)
def test_who_may_add_whom(world: World, by: str, role: str) -> None:
    payload = newcomer(world, role, world.user(by))
    before = participant_rows()

    response = api_as(world.user(by)).post(participants_url(), payload, format="json")

    if role in PARTICIPANT_ROLES_MANAGED_BY[by]:
        assert response.status_code == 201
        assert (response.json()["role"], response.json()["end_date"]) == (role, None)
        assert len(participant_rows()) == len(before) + 1
    else:
        assert (response.status_code, response.json()) == (403, only_the_court(role))
        assert participant_rows() == before


def test_prosecution_may_add_a_second_prosecutor_who_then_sees_the_case(world: World) -> None:
    second = make_user("second_prosecutor", Role.PROSECUTOR, world.orgs["da"])
    assert api_as(second).get(case_url(world.case.pk)).status_code == 404

    response = api_as(world.user(Role.PROSECUTOR)).post(
        participants_url(),
        {"case": world.case.pk, "role": "prosecutor", "user": second.pk},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["role"], response.json()["side"]) == ("prosecutor", "prosecution")
    assert api_as(second).get(case_url(world.case.pk)).status_code == 200


@pytest.mark.parametrize("role", NOT_CASE_MANAGERS)
def test_party_who_does_not_manage_the_case_may_not_add_a_participant(
    world: World, role: str
) -> None:
    before = participant_rows()

    response = api_as(world.user(role)).post(
        participants_url(), new_duty_lawyer(world), format="json"
    )

    assert (response.status_code, response.json()) == (403, NOT_YOURS)
    assert participant_rows() == before


@pytest.mark.parametrize("role", ROLES)
def test_judge_may_add_no_one_not_even_to_the_court(world: World, role: str) -> None:
    payload = newcomer(world, role, world.user(Role.JUDGE))
    before = participant_rows()

    response = api_as(world.user(Role.JUDGE)).post(participants_url(), payload, format="json")

    assert (response.status_code, response.json()) == (403, NOT_YOURS)
    assert participant_rows() == before


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_adding_to_a_case_the_user_may_not_see_is_refused_like_a_missing_case(
    world: World, who: str, role: str
) -> None:
    client = api_as(persona(world, who, role))
    missing = client.post(participants_url(), new_duty_lawyer(world, case=MISSING_ID))
    assert missing.status_code == 400
    before = participant_rows()

    for case in cases_unseen(world, who, role):
        response = client.post(participants_url(), new_duty_lawyer(world, case=case.pk))
        body = str(response.json()).replace(str(case.pk), str(MISSING_ID))
        assert (response.status_code, body) == (400, str(missing.json()))

    assert participant_rows() == before


def test_defendant_the_user_may_not_see_is_refused_like_a_missing_one(world: World) -> None:
    hidden = factories.DefendantFactory.create(created_by=world.strangers[Role.PROSECUTOR])
    client = api_as(world.user(Role.PROSECUTOR))
    payload = {"case": world.case.pk, "role": "defendant"}

    invisible = client.post(participants_url(), {**payload, "defendant": hidden.pk})
    missing = client.post(participants_url(), {**payload, "defendant": MISSING_ID})

    assert invisible.status_code == missing.status_code == 400
    assert str(invisible.json()).replace(str(hidden.pk), str(MISSING_ID)) == str(missing.json())
    assert not CaseParticipant.objects.filter(defendant=hidden).exists()


def test_prosecutor_may_add_a_defendant_they_entered(world: World) -> None:
    co_defendant = factories.DefendantFactory.create(created_by=world.user(Role.PROSECUTOR))

    response = api_as(world.user(Role.PROSECUTOR)).post(
        participants_url(),
        {"case": world.case.pk, "role": "defendant", "defendant": co_defendant.pk},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["name"] == co_defendant.full_name


# Changes to a good request and the fields the 400 must name; None leaves a field out.
BAD_NEW_PARTICIPANTS: dict[str, tuple[dict[str, Any], set[str]]] = {
    "role that is not the person's": ({"role": "defense_counsel"}, {"role"}),
    "role that does not exist": ({"role": "witness"}, {"role"}),
    "unknown person": ({"user": MISSING_ID}, {"user"}),
    "start before the case was opened": ({"start_date": "2025-12-31"}, {"start_date"}),
    "malformed start date": ({"start_date": "20 January 2026"}, {"start_date"}),
    "second lead for the defense": ({"is_lead": True}, {"is_lead"}),
    "no one named": ({"user": None}, {"user"}),
    "a user named as a defendant": ({"role": "defendant"}, {"defendant", "user"}),
    "missing case and role": ({"case": None, "role": None}, {"case", "role"}),
}


@pytest.mark.parametrize("label", BAD_NEW_PARTICIPANTS)
def test_participant_with_bad_input_is_refused_field_by_field(world: World, label: str) -> None:
    changes, fields = BAD_NEW_PARTICIPANTS[label]
    payload = {k: v for k, v in new_duty_lawyer(world, **changes).items() if v is not None}
    before = participant_rows()

    # The court assigns duty lawyers, so the court is the one whose input is judged.
    response = api_as(world.user(Role.COURT_STAFF)).post(participants_url(), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert participant_rows() == before


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"user": "other_defense"}, {"role"}),
        ({"user": "prosecutor"}, {"user"}),
        ({"start_date": "2025-12-31"}, {"start_date"}),
        ({"is_lead": True}, {"is_lead"}),
    ],
    ids=["not a prosecutor", "already on the case", "start too early", "second lead"],
)
def test_prosecutor_adding_a_prosecutor_with_bad_input_is_refused_field_by_field(
    world: World, changes: dict[str, Any], fields: set[str]
) -> None:
    second = make_user("second_prosecutor", Role.PROSECUTOR, world.orgs["da"])
    payload = {"case": world.case.pk, "role": "prosecutor", "user": second.pk, **changes}
    if isinstance(payload["user"], str):
        payload["user"] = User.objects.get(username=payload["user"]).pk
    before = participant_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(participants_url(), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert participant_rows() == before


def test_person_already_on_the_case_in_that_role_is_refused(world: World) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).post(
        participants_url(),
        new_duty_lawyer(world, user=world.user(Role.DUTY_LAWYER).pk),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"user": ["duty already takes part in this role."]}


def test_judge_of_another_court_cannot_be_added(world: World) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).post(
        participants_url(),
        {"case": world.case.pk, "role": "judge", "user": world.strangers[Role.JUDGE].pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"user": ["other_judge does not sit in District Court."]}


# --- ending a participation --------------------------------------------------------------


def test_court_staff_may_end_a_participation_which_revokes_access(world: World) -> None:
    duty = participation(world, Role.DUTY_LAWYER)
    last_day = duty.start_date.isoformat()

    response = api_as(world.user(Role.COURT_STAFF)).post(
        end_url(duty.pk), {"end_date": last_day}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["end_date"] == last_day
    assert api_as(world.user(Role.DUTY_LAWYER)).get(case_url(world.case.pk)).status_code == 404


@pytest.mark.parametrize("role", [Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.JUDGE])
def test_prosecutor_may_not_end_a_participation_the_court_assigned(world: World, role: str) -> None:
    # The prosecution cannot cut the defense's (or the bench's) access to the case.
    before = participant_rows()

    response = api_as(world.user(Role.PROSECUTOR)).post(
        end_url(participation(world, role).pk), {}, format="json"
    )

    assert (response.status_code, response.json()) == (403, only_the_court(role))
    assert participant_rows() == before
    assert api_as(world.user(role)).get(case_url(world.case.pk)).status_code == 200


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("by", CASE_MANAGERS)
def test_who_may_end_whose_participation(world: World, by: str, role: str) -> None:
    target = participation_to_end(world, role)
    before = participant_rows()

    response = api_as(world.user(by)).post(end_url(target.pk), {}, format="json")

    if role in PARTICIPANT_ROLES_MANAGED_BY[by]:
        assert (response.status_code, response.json()["id"]) == (200, target.pk)
        target.refresh_from_db()
        assert target.end_date is not None
    else:
        assert (response.status_code, response.json()) == (403, only_the_court(role))
        assert participant_rows() == before


@pytest.mark.parametrize("role", ROLES)
def test_judge_may_end_no_participation(world: World, role: str) -> None:
    target = participation_to_end(world, role)
    before = participant_rows()

    response = api_as(world.user(Role.JUDGE)).post(end_url(target.pk), {}, format="json")

    assert (response.status_code, response.json()) == (403, NOT_YOURS)
    assert participant_rows() == before


def test_ending_the_defendants_participation_revokes_their_login(world: World) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).post(
        end_url(participation(world, Role.DEFENDANT).pk), {}, format="json"
    )

    assert response.status_code == 200
    assert api_as(world.user(Role.DEFENDANT)).get(case_url(world.case.pk)).status_code == 404


@pytest.mark.parametrize("role", NOT_CASE_MANAGERS)
def test_party_who_does_not_manage_the_case_may_not_end_their_participation(
    world: World, role: str
) -> None:
    before = participant_rows()

    response = api_as(world.user(role)).post(
        end_url(participation(world, role).pk), {}, format="json"
    )

    assert (response.status_code, response.json()) == (403, NOT_YOURS)
    assert participant_rows() == before


@pytest.mark.parametrize(("who", "role"), PERSONAS, ids=PERSONA_IDS)
def test_ending_a_participation_the_user_may_not_see_answers_404(
    world: World, who: str, role: str
) -> None:
    client = api_as(persona(world, who, role))
    missing = client.post(end_url(MISSING_ID), {}, format="json").json()
    before = participant_rows()

    for participant in CaseParticipant.objects.filter(case__in=cases_unseen(world, who, role)):
        response = client.post(end_url(participant.pk), {}, format="json")
        assert (response.status_code, response.json()) == (404, missing)

    assert participant_rows() == before


def test_prosecutor_may_step_off_their_own_case(world: World) -> None:
    # The answer describes the ended participation, though its author can no longer see it.
    lead = participation(world, Role.PROSECUTOR)

    response = api_as(world.user(Role.PROSECUTOR)).post(end_url(lead.pk), {}, format="json")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["end_date"] is not None) == (lead.pk, True)
    assert api_as(world.user(Role.PROSECUTOR)).get(case_url(world.case.pk)).status_code == 404


def test_ending_an_ended_participation_is_a_409(world: World) -> None:
    duty = participation(world, Role.DUTY_LAWYER)
    client = api_as(world.user(Role.COURT_STAFF))
    assert client.post(end_url(duty.pk), {}, format="json").status_code == 200
    before = participant_rows()

    response = client.post(end_url(duty.pk), {}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This participation has already ended.",
        "code": "participation_ended",
    }
    assert participant_rows() == before


@pytest.mark.parametrize("end_date", ["the day before it started", "tomorrow"])
def test_participation_end_date_must_be_a_date_after_it_started(
    world: World, end_date: str
) -> None:
    duty = participation(world, Role.DUTY_LAWYER)
    if end_date == "the day before it started":
        end_date = (duty.start_date - dt.timedelta(days=1)).isoformat()
    before = participant_rows()

    response = api_as(world.user(Role.COURT_STAFF)).post(
        end_url(duty.pk), {"end_date": end_date}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["end_date"]
    assert participant_rows() == before


# --- filters and the query count ---------------------------------------------------------


def test_participants_filtered_by_case_role_and_side(world: World) -> None:
    client = api_as(world.user(Role.JUDGE))

    on_other_case = ids(client.get(participants_url(case=world.other_case.pk)))
    defense = ids(client.get(participants_url(case=world.case.pk, side=Side.DEFENSE)))
    duty = ids(client.get(participants_url(role=Role.DUTY_LAWYER)))

    assert on_other_case == list(
        CaseParticipant.objects.filter(case=world.other_case).values_list("pk", flat=True)
    )
    assert set(defense) == {
        participation(world, r).pk for r in (Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT)
    }
    assert duty == [participation(world, Role.DUTY_LAWYER).pk]


def test_participants_filtered_by_person(world: World) -> None:
    client = api_as(world.user(Role.DEFENDANT))

    counsel = ids(client.get(participants_url(user=world.user(Role.DEFENSE_COUNSEL).pk)))
    defendant = ids(client.get(participants_url(defendant=world.defendant.pk)))

    assert counsel == [participation(world, Role.DEFENSE_COUNSEL).pk]
    assert defendant == [participation(world, Role.DEFENDANT).pk]


@pytest.mark.parametrize("field", ["case", "user", "defendant"])
def test_filtering_by_something_the_user_may_not_see_answers_like_a_missing_one(
    world: World, field: str
) -> None:
    hidden = {
        "case": world.other_case.pk,
        "user": world.strangers[Role.PROSECUTOR].pk,
        "defendant": factories.DefendantFactory.create().pk,
    }[field]
    client = api_as(world.user(Role.DEFENSE_COUNSEL))

    invisible = client.get(participants_url(**{field: hidden}))
    missing = client.get(participants_url(**{field: MISSING_ID}))

    assert (invisible.status_code, invisible.json()) == (missing.status_code, missing.json())
    assert ids(invisible) == []


def test_participant_filter_with_a_bad_id_is_a_400(world: World) -> None:
    response = api_as(world.user(Role.JUDGE)).get(participants_url(case="abc"))

    assert (response.status_code, list(response.json())) == (400, ["case"])


def _bulk_participants(world: World, n: int) -> None:
    """`n` more people on the other case: counsel with an office, and defendants."""
    users = User.objects.bulk_create(User(username=f"bulk{i}") for i in range(n // 2))
    UserProfile.objects.bulk_create(
        UserProfile(user=u, role_kind=Role.DEFENSE_COUNSEL, organization=world.orgs["pd"])
        for u in users
    )
    defendants = Defendant.objects.bulk_create(
        Defendant(first_name="Bulk", last_name=f"Defendant {i}") for i in range(n - len(users))
    )
    start = dt.date(2026, 1, 6)
    CaseParticipant.objects.bulk_create(
        [
            CaseParticipant(
                case=world.other_case,
                user=u,
                role=Role.DEFENSE_COUNSEL,
                side=Side.DEFENSE,
                start_date=start,
            )
            for u in users
        ]
        + [
            CaseParticipant(
                case=world.other_case,
                defendant=d,
                role=Role.DEFENDANT,
                side=Side.DEFENSE,
                start_date=start,
            )
            for d in defendants
        ]
    )


def test_participant_list_query_count_is_the_same_for_one_and_fifty(world: World) -> None:
    client = api_as(world.user(Role.JUDGE))
    url = participants_url(case=world.other_case.pk)
    one, queries_for_one = counting_queries(lambda: client.get(url))

    _bulk_participants(world, 49)
    fifty, queries_for_fifty = counting_queries(lambda: client.get(url))

    assert (len(ids(one)), len(ids(fifty))) == (1, 50)
    assert queries_for_one == queries_for_fifty == PARTICIPANT_LIST_QUERIES


# For a party (who sits in no court): the courts query (none), the page of participations
# read from the array of their own cases, then what the rows show for that page alone:
# users, their profiles, organizations, and defendants (prefetched after the slice, so that
# a busy prosecutor's thousands of participations are not each joined before the sort).
PARTY_PARTICIPANT_LIST_QUERIES = 6


def _bulk_participants_on(world: World, case: Any, n: int) -> None:
    users = User.objects.bulk_create(User(username=f"bulkparty{i}") for i in range(n))
    UserProfile.objects.bulk_create(
        UserProfile(user=u, role_kind=Role.DEFENSE_COUNSEL, organization=world.orgs["pd"])
        for u in users
    )
    defendants = Defendant.objects.bulk_create(
        Defendant(first_name="Bulk", last_name=f"Party {i}") for i in range(n)
    )
    start = dt.date(2026, 1, 6)
    rows = [
        CaseParticipant(
            case=case, user=u, role=Role.DEFENSE_COUNSEL, side=Side.DEFENSE, start_date=start
        )
        for u in users
    ] + [
        CaseParticipant(
            case=case, defendant=d, role=Role.DEFENDANT, side=Side.DEFENSE, start_date=start
        )
        for d in defendants
    ]
    # Ended at once: a case holds one active defendant and one lead per side, and an ended
    # participation is still listed.
    for row in rows:
        row.end_date = start
    CaseParticipant.objects.bulk_create(rows)


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.DEFENSE_COUNSEL])
def test_a_partys_participant_list_costs_the_same_whatever_its_size(
    world: World, role: str
) -> None:
    client = api_as(world.user(role))
    url = participants_url()
    few, queries_for_few = counting_queries(lambda: client.get(url))
    _bulk_participants_on(world, world.case, 30)
    many, queries_for_many = counting_queries(lambda: client.get(url))
    assert few.status_code == many.status_code == 200
    assert len(ids(many)) == min(50, len(ids(few)) + 60)
    assert queries_for_few == queries_for_many == PARTY_PARTICIPANT_LIST_QUERIES
    # What the rows show came with them: names and organizations.
    rows = many.json()["results"]
    assert any(row["name"] == "Bulk Party 0" for row in rows)
    assert any(row["organization"] for row in rows if row["user"])
