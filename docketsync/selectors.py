"""Reads of docket sync: a job, for those who may see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from cases import permissions
from docketsync.models import DocketSyncJob

if TYPE_CHECKING:
    from core.types import AnyUser


def docket_job_for_user(user: AnyUser, job_id: int) -> DocketSyncJob:
    """The job, read among those of the courts whose docket `user` imports; 404 for any other
    (the same for a job that does not exist)."""
    job = (
        DocketSyncJob.objects.filter(court__in=permissions.courts_docket_synced_by(user))
        .defer("records")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise Http404("No such job.")
    return job
