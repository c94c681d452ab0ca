"""The docket sync endpoint: a court's docket system posts batches of records.

Thin: read the envelope, find the court, call docketsync.services.docket_upsert (or, for a
batch larger than a request should hold, docket_job_start), render. Who may
sync is decided in cases.permissions (the court's staff, people or API clients); each record's
fate is the service's, so a bad record is an `error` result in a 200, never a failed batch.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any, cast

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Court
from docketsync import selectors, services
from docketsync.api import serializers

if TYPE_CHECKING:
    from django.contrib.auth.models import User

EXAMPLE_BATCH = {
    "court": 3,
    "dry_run": False,
    "records": [
        {
            "type": "case",
            "external_id": "CR-2026-000123",
            "docket_number": "1:26-cr-00123",
            "caption": "United States v. Alvarez",
            "opened_on": "2026-03-02",
        },
        {
            "type": "charge",
            "external_id": "CR-2026-000123-C1",
            "case_external_id": "CR-2026-000123",
            "count": 1,
            "statute": "21 U.S.C. 841(a)(1)",
            "description": "Distribution of a controlled substance",
        },
        {
            "type": "party",
            "external_id": "P-88412",
            "case_external_id": "CR-2026-000123",
            "role": "defendant",
            "first_name": "Maria",
            "last_name": "Alvarez",
            "date_of_birth": "1991-07-14",
            "custody_status": "released",
        },
        {
            "type": "party",
            "case_external_id": "CR-2026-000123",
            "role": "defense_counsel",
            "user": "j.okafor@fd.example.org",
            "is_lead": True,
        },
        {
            "type": "hearing",
            "external_id": "H-551902",
            "case_external_id": "CR-2026-000123",
            "kind": "arraignment",
            "starts_at": "2026-03-16T09:30:00-04:00",
            "ends_at": "2026-03-16T10:00:00-04:00",
            "courtroom": "Courtroom 4B",
            "judge": "judge.hale",
        },
    ],
}

EXAMPLE_RESULT = {
    "dry_run": False,
    "summary": {"created": 3, "updated": 1, "unchanged": 0, "error": 1},
    "results": [
        {
            "index": 0,
            "type": "case",
            "external_id": "CR-2026-000123",
            "result": "created",
            "id": 812,
            "changed": [],
            "errors": {},
        },
        {
            "index": 1,
            "type": "charge",
            "external_id": "CR-2026-000123-C1",
            "result": "created",
            "id": 2301,
            "changed": [],
            "errors": {},
        },
        {
            "index": 2,
            "type": "party",
            "external_id": "P-88412",
            "result": "updated",
            "id": 4410,
            "changed": ["custody_status"],
            "errors": {},
        },
        {
            "index": 3,
            "type": "party",
            "external_id": None,
            "result": "created",
            "id": 4411,
            "changed": [],
            "errors": {},
        },
        {
            "index": 4,
            "type": "hearing",
            "external_id": "H-551902",
            "result": "error",
            "id": None,
            "changed": [],
            "errors": {"courtroom": ["District Court has no courtroom “Courtroom 4B”; …"]},
        },
    ],
}


_JOB_RESPONSE = OpenApiResponse(
    response=serializers.DocketSyncJobSerializer,
    description="The batch became a background job: poll its `url` (also in `Location`).",
)


def _court(data: dict[str, Any]) -> Court:
    court = Court.objects.filter(pk=data["court"]).first()
    if court is None:
        raise Http404(_("No such court."))
    return court


def _job_started(request: Request, data: dict[str, Any]) -> Response:
    job = services.docket_job_start(
        court=_court(data),
        by=cast("User", request.user),
        records=data["records"],
        dry_run=data["dry_run"],
    )
    shown = selectors.docket_job_for_user(request.user, job.pk)
    body = serializers.DocketSyncJobSerializer(shown, context={"request": request}).data
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class DocketSyncView(APIView):
    """Bulk upsert from a court's docket system."""

    @extend_schema(
        tags=["docket sync"],
        operation_id="docket_sync",
        request=serializers.DocketSyncSerializer,
        responses={
            200: serializers.DocketSyncResultSerializer,
            202: _JOB_RESPONSE,
            400: OpenApiResponse(
                description="A malformed envelope (messages per field), or more than 1,000 "
                "records. A bad record is not a 400: it gets its own `error` result."
            ),
            403: OpenApiResponse(description="Only the court's staff (and its API clients) sync."),
            404: OpenApiResponse(description="No such court."),
        },
        examples=[
            OpenApiExample("A batch", value=EXAMPLE_BATCH, request_only=True),
            OpenApiExample("Its results", value=EXAMPLE_RESULT, response_only=True),
        ],
    )
    def post(self, request: Request) -> Response:
        """Create or update a court's cases, charges, parties and hearings by their docket ids.

        Up to 1,000 records a batch, applied in the order sent (a charge, party or hearing may
        name a case created earlier in the batch), each on its own: one result per record,
        `created`, `updated` (with the fields changed), `unchanged` or `error` (messages per
        field). Sending the same batch again gives `unchanged` for every record. With
        `dry_run` every record is tried and nothing is kept. Up to 500 records are applied
        within the request (200); a larger batch becomes a background job (202, the job to
        poll). The record format is in docs/docket-sync.md."""
        envelope = serializers.DocketSyncSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        data = envelope.validated_data
        if len(data["records"]) > services.SYNC_LIMIT:
            return _job_started(request, data)
        court = _court(data)
        results = services.docket_upsert(
            court=court,
            by=cast("User", request.user),
            records=data["records"],
            dry_run=data["dry_run"],
        )
        body = {
            "dry_run": data["dry_run"],
            "summary": services.summary_of(results),
            "results": [asdict(result) for result in results],
        }
        return Response(serializers.DocketSyncResultSerializer(body).data)


class DocketJobsView(APIView):
    """A docket import too large for one request, run in the background."""

    @extend_schema(
        tags=["docket sync"],
        operation_id="docket_job_create",
        request=serializers.DocketJobSerializer,
        responses={
            202: _JOB_RESPONSE,
            400: OpenApiResponse(
                description="A malformed envelope, or more than 20,000 records (nothing runs)."
            ),
            403: OpenApiResponse(description="Only the court's staff (and its API clients) sync."),
            404: OpenApiResponse(description="No such court."),
        },
    )
    def post(self, request: Request) -> Response:
        """Import up to 20,000 records in the background, whatever their number: the same
        envelope and records as `docket/sync/`, applied by a worker in batches of 1,000 (each
        committed on its own), with progress and, once done, every record's result on the
        job."""
        envelope = serializers.DocketJobSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        return _job_started(request, envelope.validated_data)


class DocketJobView(APIView):
    @extend_schema(
        tags=["docket sync"],
        operation_id="docket_job_retrieve",
        parameters=[serializers.JobResultsQuerySerializer],
        responses={
            200: serializers.DocketSyncJobSerializer,
            404: OpenApiResponse(description="No such job among your courts'."),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        """A docket sync job: its status, progress and the results of the records done so
        far, 1,000 at a time (`results_next`). Seen by the staff of its court."""
        query = serializers.JobResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start = query.validated_data["results_from"]
        job = selectors.docket_job_for_user(request.user, pk, results_from=start)
        context = {"request": request, "results_from": start}
        return Response(serializers.DocketSyncJobSerializer(job, context=context).data)
