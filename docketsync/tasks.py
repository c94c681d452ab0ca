"""Celery tasks of docket sync. Thin: each calls one service with ids, and is safe to repeat
(docketsync.services.docket_job_run claims the job before it acts)."""

from __future__ import annotations

from celery import shared_task

from docketsync import services


# A run stops itself after JOB_RUN_SECONDS and queues the next: the limits are for a database
# that stops answering.
@shared_task(name=services.RUN_JOB_TASK, ignore_result=True, soft_time_limit=900, time_limit=960)
def run_job(job_id: int) -> None:
    """Apply a docket sync job's records (queued by docket_job_start once it is committed)."""
    services.docket_job_run(job_id=job_id)
