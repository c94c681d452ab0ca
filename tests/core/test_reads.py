"""core.reads: the facts a permission rests on are read once per GET request, and afresh
everywhere else."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import party_services
from core.reads import ReadOnceMiddleware, remembered
from parties.models import CaseParticipant, Role
from tests.conftest import World


def _reads_through(method: str) -> int:
    calls = 0

    def read() -> int:
        nonlocal calls
        calls += 1
        return calls

    def view(request: HttpRequest) -> HttpResponse:
        remembered(("fact", 1), read)
        remembered(("fact", 1), read)
        remembered(("other fact", 1), read)
        return HttpResponse()

    request = RequestFactory().generic(method, "/")
    ReadOnceMiddleware(view)(request)
    return calls


@pytest.mark.parametrize(("method", "reads"), [("GET", 2), ("HEAD", 2), ("POST", 3), ("PUT", 3)])
def test_a_fact_is_read_once_per_get_request_only(method: str, reads: int) -> None:
    assert _reads_through(method) == reads


def test_outside_a_request_every_read_is_fresh() -> None:
    answers = iter(range(10))
    assert remembered("k", lambda: next(answers)) == 0
    assert remembered("k", lambda: next(answers)) == 1


def test_one_request_does_not_see_anothers_reads() -> None:
    assert _reads_through("GET") == 2
    assert _reads_through("GET") == 2


def _participation_reads(captured: Any) -> int:
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].startswith('SELECT "parties_caseparticipant"."role"')
    )


@pytest.mark.django_db
def test_the_case_page_reads_the_readers_participations_once(world: World) -> None:
    client = Client()
    client.force_login(world.user(Role.PROSECUTOR))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("cases:detail", args=[world.case.pk])).status_code == 200
    assert _participation_reads(captured) == 1


@pytest.mark.django_db
def test_a_participation_ended_between_two_pages_is_seen_by_the_second(world: World) -> None:
    counsel = world.user(Role.DEFENSE_COUNSEL)
    client = Client()
    client.force_login(counsel)
    page = reverse("cases:detail", args=[world.case.pk])
    assert client.get(page).status_code == 200
    participation = CaseParticipant.objects.get(case=world.case, user=counsel, end_date=None)
    party_services.participant_end(participant=participation, by=world.user(Role.COURT_STAFF))
    assert client.get(page).status_code == 404
