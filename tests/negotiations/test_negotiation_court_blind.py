"""The court reads nothing of the negotiation before an agreement is submitted to it.

Fed. R. Crim. P. 11(c)(1): "An attorney for the government and the defendant's attorney ... may
discuss and reach a plea agreement. The court must not participate in these discussions." Under
CPL art. 201 the Chinese court reviews the result, not the talks. So nothing a judge, a clerk or
the court's docket system can read may reveal that offers were sent, countered, rejected or
accepted, or that an agreement was signed: not the case's status, not its status history (reasons,
rows, who, when), not its last-changed time or ETag, not its history (page, API, CSV, JSON Lines),
not the change feed. From the submission on, the court reads the agreement, and the case follows.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Case, CaseStatus
from negotiations import services
from negotiations.models import PleaAgreement
from parties.models import Role
from tests.conftest import World, api_as
from tests.integration_helpers import bearer, court_client
from tests.negotiation_helpers import (
    CHECKLIST_ALL,
    counter_input,
    draft_offer,
    sent_offer,
)

# What reading the history itself records; not the negotiation's doing.
READING = {"history.exported", "case.sealed_viewed"}


def _history(api: APIClient, case: Case) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    url: str | None = reverse("case-history", args=[case.pk])
    while url:
        body = api.get(url).json()
        rows += [
            (e["id"], e["kind"], e["summary"], e["occurred_at"])
            for e in body["results"]
            if e["kind"] not in READING
        ]
        url = body.get("next")
    return rows


def _export(api: APIClient, case: Case, fmt: str) -> list[tuple[Any, ...]]:
    response = api.get(reverse("case-history-export", args=[case.pk]), {"as": fmt})
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    if fmt == "csv":
        records = list(csv.DictReader(io.StringIO(text)))
    else:
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [(str(r["id"]), r["kind"], r["summary"]) for r in records if r["kind"] not in READING]


def _court_view(world: World, api: APIClient, *, page_user: User | None) -> dict[str, Any]:
    case = world.case
    detail = api.get(reverse("case-detail", args=[case.pk]))
    listed = api.get(reverse("case-list"), {"status": CaseStatus.INTAKE})
    view: dict[str, Any] = {
        "status": detail.json()["status"],
        "updated_at": detail.json()["updated_at"],
        "etag": detail.headers.get("ETag"),
        "listed_as_intake": case.pk in [c["id"] for c in listed.json()["results"]],
        "history": _history(api, case),
        "csv": _export(api, case, "csv"),
        "jsonl": _export(api, case, "jsonl"),
        "feed": [
            (e["type"], e["subject"], e["subject_id"])
            for e in api.get("/api/v1/events/", {"case": case.pk}).json()["results"]
        ],
    }
    if page_user is not None:
        page = _page(page_user, case)
        section = page.split('id="status"', 1)[-1].split("</section>", 1)[0]
        view["page_status_section"] = re.sub(
            r'name="csrfmiddlewaretoken" value="[^"]*"', "", section
        )
    return view


def _page(user: User, case: Case) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def _negotiate_to_a_signed_agreement(world: World) -> PleaAgreement:
    """Every move of a negotiation short of the submission: a draft, an offer sent, countered,
    the counter rejected, a suggestion, a new offer, accepted, checked and signed."""
    prosecutor, defense = world.user(Role.PROSECUTOR), world.user(Role.DEFENSE_COUNSEL)
    draft_offer(world)
    first = sent_offer(world)
    counter = services.offer_counter(
        offer=first, by=defense, data=counter_input(world), response="Too long for a first offence."
    )
    services.offer_reject(offer=counter, by=prosecutor, reason="Probation is off the table.")
    suggestion = services.suggestion_submit(
        case=world.case, by=defense, text="Consider the defendant's employment."
    )
    services.suggestion_respond(
        suggestion=suggestion, by=prosecutor, response="Considered; custody stays."
    )
    offer = services.offer_send(
        offer=services.offer_create(
            case=world.case,
            by=prosecutor,
            data=counter_input(world, custody_min_months=3, custody_max_months=6),
        ),
        by=prosecutor,
    )
    agreement = services.offer_accept(offer=offer, by=defense)
    services.agreement_checklist_complete(agreement=agreement, by=defense, items=CHECKLIST_ALL)
    for role in (Role.DEFENDANT, Role.DEFENSE_COUNSEL, Role.PROSECUTOR):
        services.agreement_sign(agreement=agreement, by=world.user(role))
    agreement.refresh_from_db()
    return agreement


def _court_readers(world: World) -> list[tuple[str, APIClient, User | None]]:
    _client, key = court_client(world)
    return [
        ("judge", api_as(world.user(Role.JUDGE)), world.user(Role.JUDGE)),
        ("clerk", api_as(world.user(Role.COURT_STAFF)), world.user(Role.COURT_STAFF)),
        ("docket system", bearer(key), None),
    ]


def test_the_court_reads_nothing_of_the_negotiation_before_the_submission(world: World) -> None:
    readers = _court_readers(world)
    before = {name: _court_view(world, api, page_user=user) for name, api, user in readers}

    agreement = _negotiate_to_a_signed_agreement(world)

    after = {name: _court_view(world, api, page_user=user) for name, api, user in readers}
    for name in before:
        for key in before[name]:
            assert (name, key, after[name][key]) == (name, key, before[name][key])
    assert before["judge"]["status"] == CaseStatus.INTAKE
    # The parties, meanwhile, read every move in their history.
    party_history = _history(api_as(world.user(Role.DEFENSE_COUNSEL)), world.case)
    assert any(kind == "offer.created" for _, kind, _, _ in party_history)
    assert agreement.status == "signed"


def test_the_status_history_keeps_no_trace_of_offers(world: World) -> None:
    _negotiate_to_a_signed_agreement(world)

    assert not world.case.status_changes.exists()
    assert Case.objects.get(pk=world.case.pk).status == CaseStatus.INTAKE


def test_from_the_submission_the_court_reads_the_agreement_and_the_case_follows(
    world: World,
) -> None:
    agreement = _negotiate_to_a_signed_agreement(world)
    judge = api_as(world.user(Role.JUDGE))
    before = _court_view(world, judge, page_user=None)

    services.agreement_submit(agreement=agreement, by=world.user(Role.PROSECUTOR))

    after = _court_view(world, judge, page_user=None)
    assert (before["status"], after["status"]) == (CaseStatus.INTAKE, CaseStatus.AGREEMENT)
    assert after["updated_at"] != before["updated_at"]
    (change,) = world.case.status_changes.all()
    assert (change.from_status, change.to_status, change.reason) == (
        CaseStatus.INTAKE,
        CaseStatus.AGREEMENT,
        "The plea agreement was submitted to the court.",
    )
    assert ("agreement.submitted", "agreement", agreement.pk) in after["feed"]
    page = _page(world.user(Role.JUDGE), world.case)
    assert "The plea agreement was submitted to the court." in page


def test_a_withdrawal_before_the_submission_moves_nothing_the_court_reads(world: World) -> None:
    readers = _court_readers(world)
    agreement = _negotiate_to_a_signed_agreement(world)
    before = {name: _court_view(world, api, page_user=user) for name, api, user in readers}

    services.agreement_withdraw(
        agreement=agreement, by=world.user(Role.DEFENDANT), reason="I want a trial."
    )

    after = {name: _court_view(world, api, page_user=user) for name, api, user in readers}
    assert after == before


def test_a_withdrawal_after_the_submission_sends_the_case_back_to_negotiating(
    world: World,
) -> None:
    agreement = _negotiate_to_a_signed_agreement(world)
    services.agreement_submit(agreement=agreement, by=world.user(Role.PROSECUTOR))

    services.agreement_withdraw(
        agreement=agreement, by=world.user(Role.DEFENDANT), reason="I want a trial."
    )

    case = Case.objects.get(pk=world.case.pk)
    assert case.status == CaseStatus.NEGOTIATING
    assert [c.reason for c in case.status_changes.order_by("id")] == [
        "The plea agreement was submitted to the court.",
        "The defendant withdrew from the plea agreement.",
    ]
