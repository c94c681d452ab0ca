"""The docket sync envelope and its results.

The records themselves are read by docketsync.records (the same reader serves CSV files), so
a record that is wrong gets its own `error` result rather than failing the batch: the envelope
accepts any JSON value as a record. The record serializers below describe the format in the
OpenAPI schema; they never parse a request.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from cases.models import CaseStatus, Disposition
from deadlines.models import HearingKind, HearingStatus
from docketsync.models import JobStatus
from docketsync.records import EXTERNAL_ID_MAX, TEXT_MAX
from docketsync.services import MAX_BATCH, MAX_JOB, SYNC_LIMIT, Outcome
from parties.models import CitizenshipStatus, CustodyStatus, Role

MAX_ID = 2**63 - 1


def _id(help_text: str, *, required: bool = True) -> serializers.CharField:
    return serializers.CharField(max_length=EXTERNAL_ID_MAX, required=required, help_text=help_text)


def _records_in_batch(limit: int) -> str:
    return gettext("Send at most %(limit)s records in a batch.") % {"limit": f"{limit:,}"}


def _records_in_job(limit: int) -> str:
    return gettext("Send at most %(limit)s records in a job.") % {"limit": f"{limit:,}"}


# Worded when the error is raised, in the request's language.
_at_most_in_batch = lazy(_records_in_batch, str)
_at_most_in_job = lazy(_records_in_job, str)


class CaseRecordSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["case"])
    external_id = _id("The case's id in the docket system; unique in the court.")
    docket_number = serializers.CharField(
        max_length=64, required=False, help_text="Required to create; never changed."
    )
    caption = serializers.CharField(max_length=300, required=False, help_text="Required to create.")
    opened_on = serializers.DateField(required=False, help_text="Default today; never changed.")
    sealed = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(
        choices=CaseStatus.choices,
        required=False,
        help_text="Parley walks its workflow to this status, one recorded move at a time.",
    )
    status_reason = serializers.CharField(max_length=2000, required=False)


class ChargeRecordSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["charge"])
    external_id = _id("The charge's id in the docket system; unique in its case.")
    case_external_id = _id("The external id of its case.")
    count = serializers.IntegerField(
        min_value=1, max_value=32767, required=False, help_text="Default the next count."
    )
    statute = serializers.CharField(
        max_length=100,
        required=False,
        help_text="A citation of the court's statute catalogue. Required to create.",
    )
    description = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    disposition = serializers.ChoiceField(choices=Disposition.choices, required=False)
    disposition_date = serializers.DateField(required=False)


class PartyRecordSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["party"])
    external_id = _id(
        "For a defendant, the person's id in the docket system (unique in the court); for "
        "any other role optional and only echoed.",
        required=False,
    )
    case_external_id = _id("The external id of the case the party takes part in.")
    role = serializers.ChoiceField(choices=Role.choices)
    user = serializers.CharField(
        max_length=254,
        required=False,
        help_text="Every role but defendant: the username or e-mail of a Parley user.",
    )
    is_lead = serializers.BooleanField(required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, help_text="Ends the participation.")
    conflict_override_reason = serializers.CharField(max_length=2000, required=False)
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    custody_status = serializers.ChoiceField(choices=CustodyStatus.choices, required=False)
    preferred_language = serializers.CharField(max_length=64, required=False)
    interpreter_needed = serializers.BooleanField(required=False)
    citizenship_status = serializers.ChoiceField(choices=CitizenshipStatus.choices, required=False)


class HearingRecordSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["hearing"])
    external_id = _id("The hearing's id in the docket system; unique in its case.")
    case_external_id = _id("The external id of its case.")
    kind = serializers.ChoiceField(choices=HearingKind.choices, required=False)
    starts_at = serializers.DateTimeField(
        required=False, help_text="With an offset, or without one for the court's own time."
    )
    ends_at = serializers.DateTimeField(required=False)
    courtroom = serializers.CharField(
        max_length=100, required=False, help_text="The name of one of the court's courtrooms."
    )
    judge = serializers.CharField(
        max_length=254, required=False, allow_null=True, help_text="Username or e-mail; null: none."
    )
    notes = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=HearingStatus.choices,
        required=False,
        help_text="`cancelled` cancels the hearing, `held` marks it held.",
    )
    reason = serializers.CharField(
        max_length=2000, required=False, help_text="Why it moved or was cancelled."
    )


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="DocketRecord",
        serializers={
            "case": CaseRecordSerializer,
            "charge": ChargeRecordSerializer,
            "party": PartyRecordSerializer,
            "hearing": HearingRecordSerializer,
        },
        resource_type_field_name="type",
    )
)
class RecordField(serializers.JSONField):
    """One record, as sent: read (and refused if wrong) record by record by the service."""


class DocketSyncSerializer(serializers.Serializer[Any]):
    court = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The court's id.")
    dry_run = serializers.BooleanField(
        default=False, help_text="Try every record, report what would happen, write nothing."
    )
    records = serializers.ListField(
        child=RecordField(),
        max_length=MAX_BATCH,
        error_messages={"max_length": _at_most_in_batch(MAX_BATCH)},
        help_text=f"Up to {SYNC_LIMIT:,} records are applied within the request (200); more "
        "become a background job (202).",
    )


class DocketJobSerializer(DocketSyncSerializer):
    records = serializers.ListField(
        child=RecordField(),
        max_length=MAX_JOB,
        error_messages={"max_length": _at_most_in_job(MAX_JOB)},
    )


class RecordResultSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField(help_text="The record's position in `records`, from 0.")
    type = serializers.CharField()
    external_id = serializers.CharField(allow_null=True)
    result = serializers.ChoiceField(choices=Outcome.choices)
    id = serializers.IntegerField(
        allow_null=True,
        help_text="Parley's id of the case, charge, hearing or (party) participation; null for "
        "an error and, in a dry run, for what would be created.",
    )
    changed = serializers.ListField(
        child=serializers.CharField(), help_text="For `updated`: the fields that changed."
    )
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For `error`: messages per field (`non_field_errors` for the whole record).",
    )


class SummarySerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    error = serializers.IntegerField()


class DocketSyncResultSerializer(serializers.Serializer[Any]):
    dry_run = serializers.BooleanField(help_text="True: nothing was written.")
    summary = SummarySerializer()
    results = RecordResultSerializer(many=True)


class JobResultsQuerySerializer(serializers.Serializer[Any]):
    results_from = serializers.IntegerField(
        min_value=0,
        max_value=MAX_JOB,
        default=0,
        help_text="The index of the first result to show.",
    )


class DocketSyncJobSerializer(serializers.Serializer[Any]):
    """A docket sync job: where it stands, and once it has succeeded, every record's result."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="Poll this until `status` is finished.")
    court = serializers.IntegerField(source="court_id")
    status = serializers.ChoiceField(
        choices=JobStatus.choices,
        help_text="`queued`, `running`, then `succeeded` (with `results`) or `failed` (with "
        "`failure`; the batches of 1,000 done before stand).",
    )
    dry_run = serializers.BooleanField()
    total = serializers.IntegerField(help_text="Records sent.")
    done = serializers.IntegerField(
        help_text="Records applied so far (a dry run shows them only once it is done)."
    )
    summary = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    failure = serializers.CharField(help_text="Why a failed job stopped.")
    results = RecordResultSerializer(
        source="results_page",
        many=True,
        allow_null=True,
        help_text="The results of the records done, in the order sent, 1,000 at a time from "
        "`?results_from=` (default 0); null until the first batch is done.",
    )
    results_next = serializers.SerializerMethodField(
        help_text="The URL of the next 1,000 results, while there are more."
    )

    def get_url(self, job: Any) -> str:
        from django.urls import reverse

        path = reverse("docket-job", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_results_next(self, job: Any) -> str | None:
        from django.urls import reverse

        shown = self.context.get("results_from", 0) + len(job.results_page or [])
        if not job.results_page or shown >= job.done:
            return None
        path = f"{reverse('docket-job', args=[job.pk])}?results_from={shown}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(SummarySerializer)
    def get_summary(self, job: Any) -> dict[str, int]:
        return {
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "error": job.errors,
        }
