"""The court staff page with a file larger than a request should hold: its preview and its
apply run as background jobs (the API's job path), the browser follows each on a progress page
polled with htmx, and no request runs the records itself. For every role of the world, and
strangers, signed-out visitors and another court's staff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Case
from docketsync import tasks
from docketsync.models import DocketSyncJob, JobStatus
from docketsync.services import SYNC_LIMIT
from parties.models import Role
from tests.conftest import ROLES, World
from tests.deadline_helpers import courtroom, ensure_seeded_rules

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
# One more record than a request runs: SYNC_LIMIT cases, then a case record in error (no
# caption) on line 2 + SYNC_LIMIT + 1 of the file (a blank line before it).
RECORDS = SYNC_LIMIT + 1
LARGE = (
    "type,external_id,docket_number,caption\r\n"
    + "".join(f"case,CR-{n},2:99-cr-{n:05d},United States v. D{n}\r\n" for n in range(SYNC_LIMIT))
    + "\r\ncase,CR-BAD,2:99-cr-99999,\r\n"
)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerk(world: World) -> Any:
    ensure_seeded_rules()
    courtroom(world, "Courtroom 4B")
    return world.user(Role.COURT_STAFF)


def browser_as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, world: World, content: str = LARGE) -> Any:
    return client.post(
        reverse("docketsync:sync", args=[world.court.pk]),
        {"file": SimpleUploadedFile("big.csv", content.encode(), content_type="text/csv")},
    )


def job_page(world: World, job: DocketSyncJob) -> str:
    return reverse("docketsync:job", args=[world.court.pk, job.pk])


def apply_url(world: World, job: DocketSyncJob) -> str:
    return reverse("docketsync:job_apply", args=[world.court.pk, job.pk])


def previewed(client: Client, world: World) -> DocketSyncJob:
    """A large file uploaded and its dry-run job run by the worker (the task, run here)."""
    response = upload(client, world)
    assert response.status_code == 302, response.content.decode()[:500]
    job = DocketSyncJob.objects.get()
    tasks.run_job(job.pk)
    return job


def test_a_large_file_becomes_a_dry_run_job_and_the_request_writes_nothing(
    world: World, clerk: Any
) -> None:
    cases = Case.objects.count()

    response = upload(browser_as(clerk), world)

    job = DocketSyncJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_page(world, job)
    assert (job.court, job.created_by, job.dry_run, job.applicable, job.status, job.total) == (
        world.court,
        clerk,
        True,
        True,
        JobStatus.QUEUED,
        RECORDS,
    )
    assert Case.objects.count() == cases


def test_a_file_within_the_limit_is_still_previewed_in_the_request(
    world: World, clerk: Any
) -> None:
    small = "type,external_id,docket_number,caption\r\ncase,CR-1,1:26-cr-1,United States v. A\r\n"

    response = upload(browser_as(clerk), world, small)

    assert response.status_code == 200
    assert response.context["summary"]["created"] == 1
    assert not DocketSyncJob.objects.exists()


def test_the_progress_page_polls_while_the_job_waits(world: World, clerk: Any) -> None:
    client = browser_as(clerk)
    upload(client, world)
    job = DocketSyncJob.objects.get()

    page = client.get(job_page(world, job))
    poll = client.get(job_page(world, job), headers={"HX-Request": "true"})

    assert page.status_code == 200
    content = page.content.decode()
    assert f"0 of {RECORDS} records" in content
    assert 'hx-trigger="every 2s"' in content
    assert "Waiting for a worker" in content
    assert poll.status_code == 200
    assert "<html" not in poll.content.decode()
    assert 'id="job-progress"' in poll.content.decode()
    assert "HX-Refresh" not in poll


def test_once_done_the_page_shows_each_record_with_its_line_and_offers_to_apply(
    world: World, clerk: Any
) -> None:
    client = browser_as(clerk)
    job = previewed(client, world)

    poll = client.get(job_page(world, job), headers={"HX-Request": "true"})
    page = client.get(job_page(world, job))

    assert poll["HX-Refresh"] == "true"
    assert page.context["summary"] == {
        "created": SYNC_LIMIT,
        "updated": 0,
        "unchanged": 0,
        "error": 1,
    }
    rows = page.context["rows"]
    assert [(row["line"], row["result"].result) for row in rows[:2]] == [
        (2, "created"),
        (3, "created"),
    ]
    # The blank line is skipped: the last record is on line 2 + SYNC_LIMIT + 1.
    assert (rows[-1]["line"], rows[-1]["result"].result) == (SYNC_LIMIT + 3, "error")
    content = page.content.decode()
    assert 'hx-trigger="every' not in content
    assert f"Apply {SYNC_LIMIT} changes" in content
    assert not Case.objects.filter(external_id="CR-0").exists()


def test_applying_runs_a_job_of_its_own_once(world: World, clerk: Any) -> None:
    client = browser_as(clerk)
    preview = previewed(client, world)

    response = client.post(apply_url(world, preview))

    applied = DocketSyncJob.objects.exclude(pk=preview.pk).get()
    assert response.status_code == 302
    assert response["Location"] == job_page(world, applied)
    assert (applied.dry_run, applied.applicable, applied.total, applied.created_by) == (
        False,
        False,
        RECORDS,
        clerk,
    )
    assert not Case.objects.filter(external_id="CR-0").exists()  # the worker applies it
    tasks.run_job(applied.pk)
    assert Case.objects.filter(court=world.court, external_id__startswith="CR-").count() == (
        SYNC_LIMIT
    )
    page = client.get(job_page(world, applied))
    assert page.context["summary"]["created"] == SYNC_LIMIT
    assert page.context["rows"][0]["line"] == 2  # the lines follow the file to the new job
    assert "What became of each record" in page.content.decode()

    again = client.post(apply_url(world, preview))

    assert again.status_code == 409
    assert "already been applied" in again.content.decode()
    assert DocketSyncJob.objects.count() == 2
    assert "This preview has been applied." in client.get(job_page(world, preview)).content.decode()


def test_a_preview_still_running_cannot_be_applied(world: World, clerk: Any) -> None:
    client = browser_as(clerk)
    upload(client, world)
    job = DocketSyncJob.objects.get()

    response = client.post(apply_url(world, job))

    assert response.status_code == 409
    assert DocketSyncJob.objects.count() == 1


def test_another_clerk_of_the_court_sees_the_job_by_record_number(world: World, clerk: Any) -> None:
    job = previewed(browser_as(clerk), world)
    colleague = world.strangers[Role.COURT_STAFF]
    world.court.group.user_set.add(colleague)

    page = browser_as(colleague).get(job_page(world, job))

    assert page.status_code == 200
    assert (page.context["rows"][0]["line"], page.context["rows"][0]["number"]) == (None, 1)
    assert "#1" in page.content.decode()


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.COURT_STAFF])
def test_other_roles_are_refused_the_job_pages(world: World, clerk: Any, role: Role) -> None:
    job = previewed(browser_as(clerk), world)
    client = browser_as(world.user(role))

    assert client.get(job_page(world, job)).status_code == 403
    assert client.post(apply_url(world, job)).status_code == 403
    assert DocketSyncJob.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_strangers_are_refused_the_job_pages(world: World, clerk: Any, role: Role) -> None:
    job = previewed(browser_as(clerk), world)
    client = browser_as(world.strangers[role])

    assert client.get(job_page(world, job)).status_code == 403
    assert client.post(apply_url(world, job)).status_code == 403
    assert DocketSyncJob.objects.count() == 1


def test_another_courts_staff_find_no_such_job_in_their_court(world: World, clerk: Any) -> None:
    job = previewed(browser_as(clerk), world)
    other = world.strangers[Role.COURT_STAFF]
    world.other_court.group.user_set.add(other)
    client = browser_as(other)

    assert (
        client.get(reverse("docketsync:job", args=[world.other_court.pk, job.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("docketsync:job_apply", args=[world.other_court.pk, job.pk])
        ).status_code
        == 404
    )
    assert DocketSyncJob.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(world: World, clerk: Any) -> None:
    job = previewed(browser_as(clerk), world)

    response = Client().get(job_page(world, job))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
