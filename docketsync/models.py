"""A docket sync job: a batch too large for one web request, run by a Celery worker.

The records wait in the row until a worker claims it; the worker writes its progress (records
done, and how many of each outcome) after every batch it commits, and the per-record results
once it is done, so the docket system polls one resource (GET /api/v1/docket/jobs/<id>/).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class DocketSyncJob(ChoiceLabels, models.Model):
    id = models.BigAutoField(primary_key=True)
    court = models.ForeignKey("cases.Court", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dry_run = models.BooleanField(default=False)
    # A dry run whose records are kept, once it is done, to be applied (the court staff page's
    # preview of a large file: docket_job_apply); any other job empties them when it finishes.
    applicable = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    # The records as sent, as JSON text (text, not jsonb: a record may hold what jsonb refuses,
    # a NUL or a lone surrogate, and gets its own error for it); emptied once the job is
    # finished (the results say what became of each), except by an applicable dry run, which
    # keeps them until they are applied.
    records = models.TextField()
    total = models.PositiveIntegerField()
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    results = models.JSONField(null=True, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The worker's claim, and when it last reported: a running job silent for longer than its
    # lease was left by a worker that died, and may be claimed again (and carries on from the
    # first batch not done).
    claim = models.UUIDField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="docketsyncjob_done_within_total"
            ),
            models.CheckConstraint(
                condition=Q(
                    done=F("created") + F("updated") + F("unchanged") + F("errors"),
                ),
                name="docketsyncjob_outcomes_add_up",
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="docketsyncjob_status_known"
            ),
            models.CheckConstraint(
                condition=Q(applicable=False) | Q(dry_run=True),
                name="docketsyncjob_applicable_is_a_dry_run",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FINISHED_STATUSES, finished_at__isnull=False)
                | Q(~Q(status__in=FINISHED_STATUSES), finished_at__isnull=True),
                name="docketsyncjob_finished_when_finished",
            ),
            models.CheckConstraint(
                condition=Q(status=JobStatus.QUEUED) | Q(started_at__isnull=False),
                name="docketsyncjob_started_unless_queued",
            ),
            models.CheckConstraint(
                condition=Q(status=JobStatus.SUCCEEDED, results__isnull=False, done=F("total"))
                | ~Q(status=JobStatus.SUCCEEDED),
                name="docketsyncjob_succeeded_has_results",
            ),
        ]
        indexes = [models.Index(fields=["court", "-created_at"], name="docketsyncjob_court_new")]

    def __str__(self) -> str:
        return f"docket sync job {self.pk} ({self.status})"
