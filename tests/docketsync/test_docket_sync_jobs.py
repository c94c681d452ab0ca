"""Docket sync jobs: a batch larger than a request should hold is answered 202 with a job,
which a worker (the task, run here directly) applies batch by batch, with progress, and once
done the per-record results; who may start and see a job, for every role; the claim that makes
a repeated task harmless, and a job taken over from a worker that died."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case, Court
from deadlines.models import Hearing
from docketsync import services, tasks
from docketsync.models import DocketSyncJob, JobStatus
from docketsync.services import MAX_BATCH, SYNC_LIMIT, docket_upsert
from parties.models import Role
from tests.conftest import ROLES, World, api_as
from tests.deadline_helpers import courtroom, ensure_seeded_rules
from tests.docketsync.test_docket_sync import case_record, hearing_record
from tests.integration_helpers import bearer, court_client

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
SYNC_URL = "/api/v1/docket/sync/"
JOBS_URL = "/api/v1/docket/jobs/"


@pytest.fixture(autouse=True)
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerk(world: World) -> Any:
    ensure_seeded_rules()
    courtroom(world, "Courtroom 4B")
    return world.user(Role.COURT_STAFF)


def cases(n: int, first: int = 0) -> list[dict[str, Any]]:
    return [case_record(f"CR-{i}") for i in range(first, first + n)]


def start(api: APIClient, records: list[Any], url: str = JOBS_URL, **extra: Any) -> Any:
    court = extra.pop("court", None) or Court.objects.get(name="District Court").pk
    return api.post(url, {"court": court, **extra, "records": records}, format="json")


def job_url(job_id: int) -> str:
    return reverse("docket-job", args=[job_id])


# --- starting a job ------------------------------------------------------------------------------


def test_a_batch_over_the_limit_is_answered_202_with_the_job(world: World, clerk: Any) -> None:
    response = start(api_as(clerk), cases(SYNC_LIMIT + 1), url=SYNC_URL)

    assert response.status_code == 202, response.json()
    body = response.json()
    job = DocketSyncJob.objects.get(pk=body["id"])
    assert response["Location"] == body["url"] == f"http://testserver{job_url(job.pk)}"
    assert (body["status"], body["total"], body["done"], body["results"]) == (
        "queued",
        SYNC_LIMIT + 1,
        0,
        None,
    )
    assert body["summary"] == {"created": 0, "updated": 0, "unchanged": 0, "error": 0}
    assert (job.court, job.created_by, job.dry_run) == (world.court, clerk, False)
    assert not Case.objects.filter(external_id="CR-0").exists()  # nothing ran in the request


def test_a_batch_at_the_limit_runs_in_the_request(world: World, clerk: Any) -> None:
    response = start(api_as(clerk), cases(SYNC_LIMIT), url=SYNC_URL)

    assert response.status_code == 200
    assert response.json()["summary"]["created"] == SYNC_LIMIT
    assert not DocketSyncJob.objects.exists()


def test_the_job_is_queued_once_committed(
    world: World, clerk: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    sent: list[tuple[str, list[Any]]] = []
    monkeypatch.setattr(
        services.current_app, "send_task", lambda name, args: sent.append((name, args))
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = start(api_as(clerk), cases(3))

    assert sent == [(services.RUN_JOB_TASK, [response.json()["id"]])]


def test_more_records_than_a_job_takes_are_refused(world: World, clerk: Any) -> None:
    response = start(api_as(clerk), [{}] * (services.MAX_JOB + 1))

    assert response.status_code == 400
    assert response.json() == {"records": ["Send at most 20,000 records in a job."]}
    assert not DocketSyncJob.objects.exists()


def test_an_unknown_court_is_404(world: World, clerk: Any) -> None:
    response = start(api_as(clerk), cases(1), court=999_999)

    assert response.status_code == 404


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.COURT_STAFF])
def test_only_court_staff_start_a_job(world: World, clerk: Any, role: Role) -> None:
    response = start(api_as(world.user(role)), cases(SYNC_LIMIT + 1), url=SYNC_URL)

    assert response.status_code == 403
    assert not DocketSyncJob.objects.exists()


def test_staff_of_another_court_may_not_start_a_job(world: World, clerk: Any) -> None:
    response = start(api_as(world.strangers[Role.COURT_STAFF]), cases(1))

    assert response.status_code == 403


def test_signed_out_is_401(world: World) -> None:
    assert start(APIClient(), cases(1)).status_code in (401, 403)


# --- running it --------------------------------------------------------------------------------


def job_of(response: Any) -> DocketSyncJob:
    assert response.status_code == 202, response.json()
    return DocketSyncJob.objects.get(pk=response.json()["id"])


def test_the_worker_applies_the_records_and_keeps_every_result(world: World, clerk: Any) -> None:
    records = [*cases(MAX_BATCH + 5), hearing_record("H-1", case="CR-0"), {"type": "x"}]
    job = job_of(start(api_as(clerk), records))

    tasks.run_job(job.pk)

    body = api_as(clerk).get(job_url(job.pk)).json()
    assert (body["status"], body["done"], body["total"]) == (
        "succeeded",
        len(records),
        len(records),
    )
    assert body["summary"] == {"created": MAX_BATCH + 6, "updated": 0, "unchanged": 0, "error": 1}
    job.refresh_from_db()
    results = job.results or []
    assert [r["index"] for r in results] == list(range(len(records)))
    assert results[MAX_BATCH + 5]["id"] == Hearing.objects.get(external_id="H-1").pk
    assert results[MAX_BATCH + 4]["id"] == Case.objects.get(external_id=f"CR-{MAX_BATCH + 4}").pk
    assert results[-1]["errors"] == {"type": ["Choose one of: case, charge, party, hearing."]}
    assert body["started_at"] is not None and body["finished_at"] is not None
    assert job.records == ""


def test_the_results_are_those_of_the_same_batch_sent_in_a_request(
    world: World, clerk: Any
) -> None:
    records = [*cases(3), case_record("CR-1", caption="Another caption"), {"type": "case"}]
    preview = docket_upsert(court=world.court, by=clerk, records=records, dry_run=True)
    job = job_of(start(api_as(clerk), records))

    tasks.run_job(job.pk)

    job.refresh_from_db()
    assert [(r["index"], r["result"], r["changed"], r["errors"]) for r in job.results or []] == [
        (r.index, r.result, r.changed, r.errors) for r in preview
    ]
    assert [r["result"] for r in job.results or []] == ["created"] * 3 + ["updated", "error"]


def test_a_text_jsonb_cannot_hold_comes_back_as_its_record_error(world: World, clerk: Any) -> None:
    # The API refuses a lone surrogate (400) before it gets here; another caller of the
    # service may not, and the record then gets its own error, as in a batch.
    records = [case_record(caption="\ud800"), case_record("CR-2")]
    job = services.docket_job_start(court=world.court, by=clerk, records=records)

    tasks.run_job(job.pk)

    job.refresh_from_db()
    assert job.results is not None
    assert job.results[0]["errors"] == {
        "non_field_errors": ["The record holds text that is not valid Unicode."]
    }
    assert job.results[1]["result"] == "created"


def test_a_dry_run_job_writes_nothing_and_reports_what_would_happen(
    world: World, clerk: Any
) -> None:
    job = job_of(start(api_as(clerk), cases(3), dry_run=True))

    tasks.run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.created, job.done) == (JobStatus.SUCCEEDED, 3, 3)
    assert [r["id"] for r in job.results or []] == [None, None, None]
    assert not Case.objects.filter(external_id="CR-0").exists()
    # Only the court staff page's preview keeps its records to apply them.
    assert (job.applicable, job.records) == (False, "")


def test_running_the_task_again_does_nothing(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(2)))
    tasks.run_job(job.pk)
    job.refresh_from_db()
    finished = (job.finished_at, job.results)

    tasks.run_job(job.pk)

    job.refresh_from_db()
    assert (job.finished_at, job.results) == finished


def test_a_job_running_under_a_live_claim_is_left_alone(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(2)))
    DocketSyncJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )

    tasks.run_job(job.pk)

    assert not Case.objects.filter(external_id="CR-0").exists()


def test_a_job_whose_worker_died_carries_on_from_its_first_batch_not_done(
    world: World, clerk: Any, frozen: time_machine.Traveller
) -> None:
    records = cases(MAX_BATCH + 2)
    job = job_of(start(api_as(clerk), records))
    # The first batch was done (and committed with its progress) before the worker died.
    first = docket_upsert(court=world.court, by=clerk, records=records[:MAX_BATCH])
    DocketSyncJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        done=MAX_BATCH,
        created=MAX_BATCH,
        results=[{**r.__dict__} for r in first],
    )
    frozen.shift(services.JOB_LEASE + dt.timedelta(seconds=1))

    tasks.run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.done, job.created, job.unchanged) == (
        JobStatus.SUCCEEDED,
        MAX_BATCH + 2,
        MAX_BATCH + 2,
        0,
    )
    assert [r["index"] for r in job.results or []] == list(range(MAX_BATCH + 2))


def test_a_run_past_its_time_hands_over_to_the_next(
    world: World, clerk: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = job_of(start(api_as(clerk), cases(MAX_BATCH + 2)))
    monkeypatch.setattr(services, "JOB_RUN_SECONDS", -1)
    sent: list[Any] = []
    monkeypatch.setattr(services.current_app, "send_task", lambda name, args: sent.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        tasks.run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.QUEUED, 0)
    assert sent == [[job.pk]]


def test_a_clerk_who_left_the_court_fails_the_job(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(2)))
    clerk.groups.remove(world.court.group)

    tasks.run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.failure) == (
        JobStatus.FAILED,
        "Only the court's staff import its docket.",
    )
    assert job.finished_at is not None
    assert not Case.objects.filter(external_id="CR-0").exists()


# --- seeing it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.COURT_STAFF])
def test_only_court_staff_see_a_job(world: World, clerk: Any, role: Role) -> None:
    job = job_of(start(api_as(clerk), cases(1)))

    assert api_as(world.user(role)).get(job_url(job.pk)).status_code == 404


def test_staff_of_another_court_do_not_see_a_job(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(1)))

    assert api_as(world.strangers[Role.COURT_STAFF]).get(job_url(job.pk)).status_code == 404


def test_another_clerk_of_the_court_sees_the_job(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(1)))
    colleague = world.strangers[Role.COURT_STAFF]
    colleague.groups.add(world.court.group)

    assert api_as(colleague).get(job_url(job.pk)).status_code == 200


def test_a_missing_job_is_404(world: World, clerk: Any) -> None:
    assert api_as(clerk).get(job_url(999_999)).status_code == 404


def test_signed_out_may_not_see_a_job(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(1)))

    assert APIClient().get(job_url(job.pk)).status_code in (401, 403)


def test_reading_a_job_costs_a_fixed_number_of_queries(
    world: World, clerk: Any, django_assert_num_queries: Any
) -> None:
    job = job_of(start(api_as(clerk), cases(30)))
    tasks.run_job(job.pk)
    api = api_as(clerk)
    api.get(job_url(job.pk))

    # One: the job, among the courts whose docket the clerk imports (a subquery).
    with django_assert_num_queries(JOB_READ_QUERIES):
        assert api.get(job_url(job.pk)).status_code == 200


JOB_READ_QUERIES = 1


# --- the database guards it ----------------------------------------------------------------------


def test_progress_never_passes_the_total(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(1)))

    with pytest.raises(IntegrityError), transaction.atomic():
        DocketSyncJob.objects.filter(pk=job.pk).update(done=2, created=2)


def test_a_finished_job_has_its_finishing_time(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(1)))

    with pytest.raises(IntegrityError), transaction.atomic():
        DocketSyncJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, started_at=timezone.now()
        )


def test_a_succeeded_job_has_its_results(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(1)))

    with pytest.raises(IntegrityError), transaction.atomic():
        DocketSyncJob.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            started_at=timezone.now(),
            finished_at=timezone.now(),
            done=1,
            created=1,
        )


# --- the schema ----------------------------------------------------------------------------------


def test_the_schema_describes_the_job(world: World) -> None:
    schema = (
        api_as(world.user(Role.COURT_STAFF))
        .get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )

    assert "202" in schema["paths"][SYNC_URL]["post"]["responses"]
    assert set(schema["paths"][JOBS_URL]["post"]["responses"]) >= {"202", "400", "403", "404"}
    assert set(schema["paths"]["/api/v1/docket/jobs/{id}/"]["get"]["responses"]) >= {"200", "404"}
    job = schema["components"]["schemas"]["DocketSyncJob"]
    assert {"url", "status", "done", "total", "summary", "results"} <= set(job["properties"])


def test_the_same_post_with_its_idempotency_key_answers_the_same_job(
    world: World, clerk: Any
) -> None:
    _client, key = court_client(world)  # a docket system's token
    api = bearer(key)
    body = {"court": world.court.pk, "records": cases(2)}

    first = api.post(JOBS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="job-1")
    again = api.post(JOBS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="job-1")

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] == first.json()["id"]
    assert again["Location"] == first["Location"]
    assert DocketSyncJob.objects.count() == 1


def test_a_large_jobs_results_come_a_thousand_at_a_time(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(MAX_BATCH + 3)))
    tasks.run_job(job.pk)
    api = api_as(clerk)

    first = api.get(job_url(job.pk)).json()
    rest = api.get(first["results_next"]).json()

    assert [r["index"] for r in first["results"]] == list(range(MAX_BATCH))
    assert first["results_next"] == f"http://testserver{job_url(job.pk)}?results_from={MAX_BATCH}"
    assert [r["index"] for r in rest["results"]] == [MAX_BATCH, MAX_BATCH + 1, MAX_BATCH + 2]
    assert rest["results_next"] is None


def test_a_bad_results_from_is_400(world: World, clerk: Any) -> None:
    job = job_of(start(api_as(clerk), cases(1)))

    response = api_as(clerk).get(job_url(job.pk), {"results_from": "-1"})

    assert response.status_code == 400
    assert "results_from" in response.json()
