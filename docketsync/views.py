"""Court staff pages of docket sync: upload a CSV, see the dry run, apply it, see the results.

The web tier keeps nothing on local disk between requests: the upload is read, tried as a dry
run, and its records (not the file) are kept in the session under a one-time token until the
clerk applies them or uploads another file. Applying runs the same records for real; what
changed in between (someone else's edit) shows in the results, which are what happened.

Who may use the pages is cases.permissions.may_sync_docket (the court's staff); anyone else
signed in gets 403, an unknown court 404.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import permissions
from cases.models import Court
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from docketsync import csvfile
from docketsync.forms import ApplyForm, UploadForm
from docketsync.records import COLUMNS
from docketsync.services import Outcome, RecordResult, docket_import, summary_of

# Records a page upload may hold. The preview and the apply each run every record within one
# request (gunicorn's 30-second timeout): a batch of new hearings takes 5 to 10 seconds
# (bench/docket_import.py). Larger files go through the command or the API.
PAGE_MAX_RECORDS = 1000


def _session_key(court: Court) -> str:
    return f"docketsync:{court.pk}"


def _court_for(user: User, court_id: int) -> Court:
    court = Court.objects.select_related("jurisdiction").filter(pk=court_id).first()
    if court is None:
        raise Http404(_("No such court."))
    permissions.require_docket_syncer(user, court)
    return court


def _rows(results: list[RecordResult], lines: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "line": lines[result.index],
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


@login_required
@require_GET
def csv_template(request: HttpRequest, court_id: int) -> HttpResponse:
    """An empty CSV file with every column, to fill in."""
    _court_for(signed_in_user(request), court_id)
    response = HttpResponse(csvfile.template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="docket-sync-template.csv"'
    return response
