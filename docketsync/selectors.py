"""Reads of docket sync: a job, for those who may see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import BooleanField, ExpressionWrapper, F, Func, JSONField, Q, Value
from django.http import Http404
from django.utils.translation import gettext as _

from cases import permissions
from docketsync.models import DocketSyncJob

if TYPE_CHECKING:
    from core.types import AnyUser


# Results shown in one answer: a page of a large job's results, not all 20,000.
RESULTS_PAGE = 1000


def docket_job_for_user(user: AnyUser, job_id: int, *, results_from: int = 0) -> DocketSyncJob:
    """The job, read among those of the courts whose docket `user` imports; 404 for any other
    (the same for a job that does not exist). `results_page` holds RESULTS_PAGE of its results
    from `results_from`, sliced by PostgreSQL (the records and the other results stay there);
    `records_kept` says whether it still holds its records (a dry run not yet applied)."""
    last = results_from + RESULTS_PAGE - 1
    job = (
        DocketSyncJob.objects.filter(court__in=permissions.courts_docket_synced_by(user))
        .defer("records", "results")
        .annotate(
            # Whether a dry run still holds its records to apply, without reading them.
            records_kept=ExpressionWrapper(~Q(records=""), output_field=BooleanField()),
            results_page=Func(
                F("results"),
                Func(Value(f"$[{results_from} to {last}]"), template="%(expressions)s::jsonpath"),
                function="jsonb_path_query_array",
                output_field=JSONField(),
            ),
        )
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise Http404(_("No such job."))
    return job
