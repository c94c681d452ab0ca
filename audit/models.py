"""The audit trail: one append-only table, written by database triggers and by the app.

Row changes on every case-related table are recorded by the trigger function installed in
migration 0002 (see audit/sql.py), so bulk updates, raw SQL and writes from outside Django are
recorded too. Events that are not row changes (logins, downloads, exports, views of sealed
cases) are inserted by audit.services.record. Nothing updates or deletes a row: triggers
refuse UPDATE and DELETE on the table.
"""

from __future__ import annotations

from django.db import models

from cases.models import Audience as Audience

# The walls are the case's (cases.permissions decides who stands behind which); the audit
# trail files each event behind one.
from core.choices import ChoiceLabels


class AuditEvent(ChoiceLabels, models.Model):
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_default=models.Func(function="clock_timestamp"))
    # "<subject>.<verb>": note.created, offer.changed, document.downloaded, auth.login, ...
    kind = models.CharField(max_length=64)
    # For row changes: the table and the row's primary key.
    table_name = models.CharField(max_length=128, blank=True)
    row_id = models.CharField(max_length=64, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.SHARED)
    # Who: the signed-in user as the request knew them (no foreign key: users come and go,
    # the record stays), and where the write came from.
    actor_id = models.IntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    via = models.CharField(max_length=16, blank=True)  # web, api, task, command; "" = raw SQL
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    db_user = models.CharField(
        max_length=64,
        blank=True,
        db_default=models.Func(template="session_user", output_field=models.CharField()),
    )
    # Row changes: the whole row on insert (after) and delete (before); the changed columns on
    # update. App events: what they concern in `data`.
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "audit_event"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["case_id", "-id"], name="audit_event_case"),
            models.Index(fields=["actor_id", "-id"], name="audit_event_actor"),
            models.Index(fields=["kind", "-id"], name="audit_event_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.kind} {self.table_name}#{self.row_id}"

    @property
    def verb(self) -> str:
        return self.kind.rpartition(".")[2]

    @property
    def subject(self) -> str:
        return self.kind.rpartition(".")[0]
