"""Court staff pages of docket sync: upload a CSV, see the dry run, apply it, see the results.

The web tier keeps nothing on local disk between requests: the upload is read, tried as a dry
run, and its records (not the file) are kept in the session under a one-time token until the
clerk applies them or uploads another file. Applying runs the same records for real; what
changed in between (someone else's edit) shows in the results, which are what happened.

A file of more records than a request should hold (docketsync.services.SYNC_LIMIT) takes the
API's job path instead, so that no request runs past the web server's timeout: its dry run is
a job (docket_job_start) that a worker runs while the browser shows its progress page, polled
with htmx; once done the page shows what each record would do and offers to apply it, which
is another job (docket_job_apply) with its own progress page. The file's line numbers are kept
in the session, keyed by the job.

Who may use the pages is cases.permissions.may_sync_docket (the court's staff); anyone else
signed in gets 403, an unknown court 404.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases.models import Court
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from core.exceptions import Conflict
from docketsync import csvfile, selectors
from docketsync.forms import ApplyForm, UploadForm
from docketsync.models import FINISHED_STATUSES, DocketSyncJob, JobStatus
from docketsync.records import COLUMNS
from docketsync.services import (
    MAX_JOB,
    SYNC_LIMIT,
    Outcome,
    RecordResult,
    docket_import,
    docket_job_apply,
    docket_job_start,
    summary_of,
)

# Records a page upload may hold: up to SYNC_LIMIT the preview and the apply each run within
# the request; a larger file, up to a job's most, runs as background jobs.
PAGE_MAX_RECORDS = MAX_JOB
# How often a job's progress page asks again while the job runs.
POLL_SECONDS = 2


def _session_key(court: Court) -> str:
    return f"docketsync:{court.pk}"


def _court_for(user: User, court_id: int) -> Court:
    court = Court.objects.select_related("jurisdiction").filter(pk=court_id).first()
    if court is None:
        raise Http404(_("No such court."))
    permissions.require_docket_syncer(user, court)
    return court


def _job_key(job_id: int) -> str:
    return f"docketsync:job:{job_id}"


def _rows(results: list[RecordResult], lines: list[int] | None) -> list[dict[str, Any]]:
    return [
        {
            # A job page opened in another session knows the record's place, not its line.
            "line": lines[result.index] if lines and result.index < len(lines) else None,
            "number": result.index + 1,
            "result": result,
            "errors": [
                (name if name != "non_field_errors" else "", " ".join(messages))
                for name, messages in result.errors.items()
            ],
        }
        for result in results
    ]


def _render(
    request: HttpRequest,
    court: Court,
    *,
    form: UploadForm | None = None,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    context = {
        "court": court,
        "form": form or UploadForm(),
        "columns": COLUMNS,
        "max_records": PAGE_MAX_RECORDS,
        "sync_limit": SYNC_LIMIT,
        **context,
    }
    with timezone.override(court.time_zone):
        return render(request, "docketsync/sync.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def docket_sync(request: HttpRequest, court_id: int) -> HttpResponse:
    """GET: the upload form. POST: read the file, try it as a dry run, show the preview."""
    user = signed_in_user(request)
    court = _court_for(user, court_id)
    if request.method == "GET":
        return _render(request, court)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, court, form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        parsed = csvfile.read_csv(upload.read(), max_records=PAGE_MAX_RECORDS)
    except csvfile.CsvError as error:
        form.add_error("file", str(error))
        return _render(request, court, form=form, status=400)
    if len(parsed.records) > SYNC_LIMIT:
        job = docket_job_start(
            court=court, by=user, records=parsed.records, dry_run=True, applicable=True
        )
        request.session[_job_key(job.pk)] = {"name": upload.name, "lines": parsed.lines}
        return HttpResponseRedirect(reverse("docketsync:job", args=[court.pk, job.pk]))
    results = docket_import(court=court, by=user, records=parsed.records, dry_run=True)
    token = secrets.token_urlsafe(16)
    request.session[_session_key(court)] = {
        "token": token,
        "name": upload.name,
        "records": parsed.records,
        "lines": parsed.lines,
    }
    summary = summary_of(results)
    return _render(
        request,
        court,
        preview=True,
        file_name=upload.name,
        summary=summary,
        rows=_rows(results, parsed.lines),
        apply_form=ApplyForm(initial={"token": token}),
        nothing_to_apply=not (summary[Outcome.CREATED] or summary[Outcome.UPDATED]),
    )


@login_required
@require_POST
def docket_sync_apply(request: HttpRequest, court_id: int) -> HttpResponse:
    """Apply the previewed records (once: the token is used up) and show what happened."""
    user = signed_in_user(request)
    court = _court_for(user, court_id)
    form = ApplyForm(request.POST)
    pending = request.session.get(_session_key(court))
    if not form.is_valid() or not pending or pending.get("token") != form.cleaned_data["token"]:
        return _render(
            request,
            court,
            status=409,
            conflict=_(
                "This preview has already been applied, or another file was uploaded "
                "since. Upload the file again to see what it would change now."
            ),
        )
    del request.session[_session_key(court)]
    results = docket_import(court=court, by=user, records=pending["records"])
    return _render(
        request,
        court,
        applied=True,
        file_name=pending["name"],
        summary=summary_of(results),
        rows=_rows(results, pending["lines"]),
    )


def _job_of(user: User, court: Court, job_id: int, results_from: int = 0) -> DocketSyncJob:
    job = selectors.docket_job_for_user(user, job_id, results_from=results_from)
    if job.court_id != court.pk:
        raise Http404("No such job.")
    return job


def _render_job(
    request: HttpRequest, court: Court, job: DocketSyncJob, *, status: int = 200, **context: Any
) -> HttpResponse:
    kept = request.session.get(_job_key(job.pk)) or {}
    finished = job.status in FINISHED_STATUSES
    page = (
        [RecordResult(**result) for result in (getattr(job, "results_page", None) or [])]
        if finished
        else []
    )
    results_from = page[0].index if page else 0
    summary = {
        Outcome.CREATED: job.created,
        Outcome.UPDATED: job.updated,
        Outcome.UNCHANGED: job.unchanged,
        Outcome.ERROR: job.errors,
    }
    context = {
        "court": court,
        "job": job,
        "file_name": kept.get("name", ""),
        "finished": finished,
        "succeeded": job.status == JobStatus.SUCCEEDED,
        "summary": summary,
        "rows": _rows(page, kept.get("lines")),
        "results_from": results_from,
        "next_from": results_from + len(page) if results_from + len(page) < job.done else None,
        "previous_from": max(0, results_from - selectors.RESULTS_PAGE) if results_from else None,
        "may_apply": job.applicable
        and job.status == JobStatus.SUCCEEDED
        and bool(getattr(job, "records_kept", False))
        and bool(summary[Outcome.CREATED] or summary[Outcome.UPDATED]),
        "poll_seconds": POLL_SECONDS,
        **context,
    }
    template = "docketsync/job.html"
    if getattr(request, "htmx", False) and not finished:
        template = "docketsync/partials/job_progress.html"
    with timezone.override(court.time_zone):
        response = render(request, template, context, status=status)
    if getattr(request, "htmx", False) and finished and request.method == "GET":
        # Polling found it done: the whole page, with the results, replaces the progress.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def docket_sync_job(request: HttpRequest, court_id: int, job_id: int) -> HttpResponse:
    """A job's progress while it runs; what each record did (or would do) once it is done."""
    user = signed_in_user(request)
    court = _court_for(user, court_id)
    try:
        results_from = max(0, int(request.GET.get("from", 0)))
    except ValueError:
        results_from = 0
    return _render_job(request, court, _job_of(user, court, job_id, results_from))


@login_required
@require_POST
def docket_sync_job_apply(request: HttpRequest, court_id: int, job_id: int) -> HttpResponse:
    """Apply what a finished dry-run job previewed, as a job of its own (once)."""
    user = signed_in_user(request)
    court = _court_for(user, court_id)
    job = _job_of(user, court, job_id)
    try:
        applied = docket_job_apply(job=job, by=user)
    except Conflict as error:
        return _render_job(request, court, job, status=409, conflict=error.message)
    kept = request.session.get(_job_key(job.pk))
    if kept:
        request.session[_job_key(applied.pk)] = kept
    return HttpResponseRedirect(reverse("docketsync:job", args=[court.pk, applied.pk]))


@login_required
@require_GET
def csv_template(request: HttpRequest, court_id: int) -> HttpResponse:
    """An empty CSV file with every column, to fill in."""
    _court_for(signed_in_user(request), court_id)
    response = HttpResponse(csvfile.template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="docket-sync-template.csv"'
    return response
