"""Thin API views for court dates: parse with a serializer, call one service or selector, render.
Who may see and do what is decided in cases.permissions, through the services and selectors:
a hearing or deadline the caller may not see answers 404 like a missing one, an action they may
not take on one they see answers 403, a move its state does not allow 409."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from cases import selectors as case_selectors
from core.api.pagination import INVALID_CURSOR, CursorPagination, KeysetPagination
from core.api.schema import ETAG, IF_MATCH, PRECONDITION_FAILED
from core.api.versions import versioned, versioned_data
from core.versions import parse_if_match, require_data_version
from deadlines import alerts, notifications, selectors, services
from deadlines.api import filters, serializers
from deadlines.models import (
    CourtClosure,
    Courtroom,
    Deadline,
    DeadlineRule,
    Hearing,
    Notification,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_filters import FilterSet

TAGS = ["court dates"]
ALERT_TAGS = ["alerts"]


def _user(request: Request) -> User:
    # Every view requires authentication (REST_FRAMEWORK's IsAuthenticated).
    return cast("User", request.user)


def _object_id(raw: str) -> int:
    """The id in the URL. One that is not a number finds nothing: the same 404 as a missing
    object, never a 500."""
    try:
        return int(raw)
    except ValueError:
        return 0


def _get(rows: QuerySet[Any], pk: int, what: str) -> Any:
    """The row among those the caller may see, or the same 404 as for a missing one."""
    try:
        return rows.get(pk=pk)
    except rows.model.DoesNotExist:
        raise Http404(_("No such %(what)s.") % {"what": what}) from None


def _filtered(request: Request, filterset_class: type[FilterSet], rows: QuerySet[Any]) -> Any:
    """The filtered rows; bad filter values are a 400 per parameter."""
    filterset = filterset_class(request.query_params, queryset=rows, request=request)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset.qs


def _paginated(view: viewsets.GenericViewSet[Any], rows: QuerySet[Any], many: Any) -> Response:
    page = view.paginate_queryset(rows)
    return view.get_paginated_response(many(page, many=True).data)


def _given(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """The fields a PATCH names, and only those: the service keeps the others."""
    return {name: data[name] for name in names if name in data}


NOT_FOUND = OpenApiResponse(description="Missing, or not yours to see (the same answer).")
FORBIDDEN = OpenApiResponse(description="You may see this but not do this; the detail says why.")
CONFLICT = OpenApiResponse(description="Not allowed in the current state; the detail says why.")
INVALID = OpenApiResponse(description="Bad input: a list of messages per field.")


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    known = {400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}
    return {code: known[code] for code in codes}


class _DatePagination(CursorPagination):
    """The API's cursor pagination in another order."""


class AgendaPagination(KeysetPagination):
    """Hearings in the order they come: earliest first (ties by id). The cursor is a place in
    that order, (starts_at, id), from which deadlines.selectors.hearing_page_for_user walks
    its indexes: a page costs the same at any depth and in a court of any size."""

    def hearing_position(
        self, request: Request
    ) -> tuple[selectors.HearingPosition | None, selectors.HearingPosition | None]:
        """(before, after) from the cursor; a cursor Parley did not give out is a 400."""
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None, None
        try:
            kind, _, value = base64.urlsafe_b64decode(raw.encode()).decode().partition(":")
            moment, _, pk = value.partition("|")
            position = (dt.datetime.fromisoformat(moment), int(pk))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise exceptions.ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        if position[0].tzinfo is None or kind not in ("before", "after"):
            raise exceptions.ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        return (position, None) if kind == "before" else (None, position)

    def _hearing_link(self, request: Request, kind: str, hearing: Hearing) -> str:
        place = f"{kind}:{hearing.starts_at.isoformat()}|{hearing.pk}"
        token = base64.urlsafe_b64encode(place.encode()).decode()
        return replace_query_param(request.build_absolute_uri(), self.cursor_query_param, token)

    def hearing_page(
        self,
        request: Request,
        fetch: Callable[
            [selectors.HearingPosition | None, selectors.HearingPosition | None, int],
            selectors.HearingPage,
        ],
    ) -> list[Hearing]:
        """`fetch(before, after, size)` returns the page; this sets the links around it."""
        before, after = self.hearing_position(request)
        page = fetch(before, after, self._size(request))
        rows = page.hearings
        self.next_url = (
            self._hearing_link(request, "after", rows[-1]) if rows and page.has_later else None
        )
        if rows and page.has_earlier:
            self.previous_url = self._hearing_link(request, "before", rows[0])
        elif page.has_earlier:
            self.previous_url = remove_query_param(
                request.build_absolute_uri(), self.cursor_query_param
            )
        else:
            self.previous_url = None
        return rows


class DueDatePagination(_DatePagination):
    ordering = ("due_date", "id")


class ClosurePagination(_DatePagination):
    ordering = ("date", "id")


class InboxPagination(_DatePagination):
    """Newest first, along the inbox index (recipient, -created_at)."""

    ordering = ("-created_at", "-id")


# --- hearings ------------------------------------------------------------------------------------


def _hearing_detail(user: User, pk: int, code: int = status.HTTP_200_OK) -> Response:
    """The hearing as `user` sees it, with its version (ETag) for a later If-Match."""
    hearing = selectors.hearing_get_for_user(user, pk)
    return versioned(
        Response(serializers.HearingDetailSerializer(hearing).data, status=code), hearing
    )


HEARING_EXAMPLE = OpenApiExample(
    "A plea hearing",
    value={
        "id": 12,
        "case": 21,
        "docket_number": "1:26-cr-00021",
        "court": 1,
        "time_zone": "America/New_York",
        "kind": "plea_hearing",
        "kind_display": "Plea hearing",
        "starts_at": "2026-12-15T14:00:00Z",
        "ends_at": "2026-12-15T15:00:00Z",
        "courtroom": 2,
        "courtroom_name": "Courtroom 1",
        "judge": 7,
        "judge_name": "Hon. Maria Chen",
        "status": "scheduled",
        "status_display": "Scheduled",
        "notes": "",
        "sequence": 0,
        "external_id": None,
        "created_by": 6,
        "created_at": "2026-02-02T15:04:09.120331Z",
        "updated_at": "2026-02-02T15:04:09.120337Z",
        "changes": [
            {
                "id": 31,
                "from_status": "",
                "to_status": "scheduled",
                "from_starts_at": None,
                "to_starts_at": "2026-12-15T14:00:00Z",
                "from_courtroom": None,
                "from_courtroom_name": None,
                "to_courtroom": 2,
                "to_courtroom_name": "Courtroom 1",
                "reason": "",
                "changed_by": 6,
                "changed_by_name": "Catherine Perry",
                "changed_at": "2026-02-02T15:04:09.122870Z",
            }
        ],
    },
    response_only=True,
    status_codes=["200", "201"],
)
SCHEDULE_EXAMPLE = OpenApiExample(
    "Arraignment",
    value={
        "case": 21,
        "kind": "arraignment",
        "starts_at": "2026-03-02T14:00:00Z",
        "ends_at": "2026-03-02T14:30:00Z",
        "courtroom": 3,
        "judge": 7,
        "notes": "Interpreter (Spanish) requested.",
    },
    request_only=True,
)
RESCHEDULE_EXAMPLE = OpenApiExample(
    "Continuance",
    value={
        "starts_at": "2026-03-09T15:00:00Z",
        "ends_at": "2026-03-09T15:30:00Z",
        "reason": "Defense counsel in trial in another district.",
    },
    request_only=True,
)


@extend_schema(tags=TAGS)
class HearingViewSet(viewsets.GenericViewSet[Hearing]):
    """Hearings on the cases you may see, earliest first. The court (its judges and staff)
    schedules, continues, cancels and marks them held; everyone who sees the case reads them."""

    serializer_class = serializers.HearingSerializer
    filterset_class = filters.HearingFilter
    pagination_class = AgendaPagination

    def get_queryset(self) -> QuerySet[Hearing]:
        return selectors.hearings_listed_for_user(_user(self.request))

    def get_object(self) -> Hearing:
        return selectors.hearing_get_for_user(_user(self.request), _object_id(self.kwargs["pk"]))

    @extend_schema(responses={200: serializers.HearingSerializer(many=True), 400: INVALID})
    def list(self, request: Request) -> Response:
        """Times are UTC; `time_zone` is the court's. `?case=` on a case you may not see lists
        nothing, like a missing one."""
        filterset = filters.HearingFilter(
            request.query_params, queryset=Hearing.objects.all(), request=request
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        # The filters narrow the walks; which hearings are visible is the selector's to say.
        asked = filterset.form.cleaned_data
        # The status goes to the selector, which walks each courtroom by status.
        rest = Hearing.objects.all()
        for name, value in asked.items():
            if name != "status":
                rest = filterset.filters[name].filter(rest, value)
        paginator = AgendaPagination()
        rows = paginator.hearing_page(
            request,
            lambda before, after, size: selectors.hearing_page_for_user(
                _user(request),
                filtered=rest,
                case_id=asked.get("case"),
                court_id=asked.get("court"),
                courtroom_id=asked.get("courtroom"),
                statuses=asked.get("status") or (),
                before=before,
                after=after,
                size=size,
            ),
        )
        data = serializers.HearingSerializer(rows, many=True).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        responses={200: serializers.HearingDetailSerializer, 404: NOT_FOUND},
        parameters=[ETAG],
        examples=[HEARING_EXAMPLE],
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        """The hearing with its history (`changes`): continuances with their reasons, moves,
        changes of status."""
        return _hearing_detail(_user(request), _object_id(pk))

    @extend_schema(
        request=serializers.HearingCreateSerializer,
        responses={201: serializers.HearingDetailSerializer, **_errors(400, 403, 409)},
        parameters=[ETAG],
        examples=[SCHEDULE_EXAMPLE, HEARING_EXAMPLE],
    )
    def create(self, request: Request) -> Response:
        """Schedule a hearing in a courtroom of the case's court. Two hearings never overlap in
        one courtroom: 409 naming the one in the way."""
        data = serializers.HearingCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        hearing = services.hearing_schedule(by=_user(request), **data.validated_data)
        return _hearing_detail(_user(request), hearing.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.HearingUpdateSerializer,
        responses={
            200: serializers.HearingDetailSerializer,
            **_errors(400, 403, 404, 409),
            412: PRECONDITION_FAILED,
        },
        parameters=[IF_MATCH, ETAG],
        examples=[
            OpenApiExample("Assign the judge", value={"judge": 7, "notes": ""}, request_only=True),
            HEARING_EXAMPLE,
        ],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the judge (`null`: none) or the notes; what is left out stays. Send the ETag
        you read in If-Match to change only that version (412 if it changed since)."""
        hearing = self.get_object()
        data = serializers.HearingUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.hearing_update(
            hearing=hearing,
            by=_user(request),
            if_match=parse_if_match(request.headers.get("If-Match")),
            **_given(data.validated_data, "judge", "notes"),
        )
        return _hearing_detail(_user(request), hearing.pk)

    @extend_schema(
        request=serializers.HearingRescheduleSerializer,
        responses={200: serializers.HearingDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[RESCHEDULE_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str) -> Response:
        """Continue the hearing to a new time (and courtroom), with the reason. Deadlines counted
        from it move with it, and everyone who sees it is notified."""
        hearing = self.get_object()
        data = serializers.HearingRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.hearing_reschedule(hearing=hearing, by=_user(request), **data.validated_data)
        return _hearing_detail(_user(request), hearing.pk)

    @extend_schema(
        request=serializers.ChangeReasonSerializer,
        responses={200: serializers.HearingDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Cancel",
                value={"reason": "Plea agreement accepted; trial date vacated."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel the hearing, with the reason; its reminders are withdrawn."""
        hearing = self.get_object()
        data = serializers.ChangeReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.hearing_cancel(
            hearing=hearing, by=_user(request), reason=data.validated_data["reason"]
        )
        return _hearing_detail(_user(request), hearing.pk)

    @extend_schema(
        request=None,
        responses={200: serializers.HearingDetailSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def held(self, request: Request, pk: str) -> Response:
        """Record that the hearing took place."""
        hearing = services.hearing_mark_held(hearing=self.get_object(), by=_user(request))
        return _hearing_detail(_user(request), hearing.pk)


# --- deadlines -----------------------------------------------------------------------------------


def _deadline_detail(user: User, pk: int, code: int = status.HTTP_200_OK) -> Response:
    """The deadline as `user` sees it, with its version (ETag) for a later If-Match."""
    deadline = selectors.deadline_get_for_user(user, pk)
    return versioned(
        Response(serializers.DeadlineDetailSerializer(deadline).data, status=code), deadline
    )


COMPUTED_EXAMPLE = OpenApiExample(
    "Computed by a rule",
    value={
        "case": 21,
        "kind": "motion_due",
        "title": "Pretrial motions",
        "rule": 4,
        "trigger_hearing": 12,
    },
    request_only=True,
)
MANUAL_EXAMPLE = OpenApiExample(
    "Set by hand",
    value={
        "case": 21,
        "kind": "discovery_due",
        "title": "Rule 16 discovery to the defense",
        "responsible_side": "prosecution",
        "due_date": "2026-03-16",
    },
    request_only=True,
)


@extend_schema(tags=TAGS)
class DeadlineViewSet(viewsets.GenericViewSet[Deadline]):
    """Deadlines on the cases you may see, earliest first. The negotiation's own deadlines (an
    offer's expiry, the response owed to a defense suggestion) appear only to those who read
    offers, and follow their offer or suggestion: they are not edited by hand."""

    serializer_class = serializers.DeadlineSerializer
    filterset_class = filters.DeadlineFilter
    pagination_class = DueDatePagination

    def get_queryset(self) -> QuerySet[Deadline]:
        return selectors.deadlines_listed_for_user(_user(self.request))

    def get_object(self) -> Deadline:
        return selectors.deadline_get_for_user(_user(self.request), _object_id(self.kwargs["pk"]))

    @extend_schema(responses={200: serializers.DeadlineSerializer(many=True), 400: INVALID})
    def list(self, request: Request) -> Response:
        """`due_date` is a day of the court's calendar; `due_by` the moment it passes, in UTC."""
        rows = _filtered(request, filters.DeadlineFilter, self.get_queryset())
        return _paginated(self, rows, serializers.DeadlineSerializer)

    @extend_schema(
        responses={200: serializers.DeadlineDetailSerializer, 404: NOT_FOUND}, parameters=[ETAG]
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        """The deadline with its rule's citation, how its date was counted (`explanation`) and
        its history (`changes`)."""
        return _deadline_detail(_user(request), _object_id(pk))

    @extend_schema(
        request=serializers.DeadlineCreateSerializer,
        responses={201: serializers.DeadlineDetailSerializer, **_errors(400, 403, 409)},
        examples=[MANUAL_EXAMPLE, COMPUTED_EXAMPLE],
    )
    def create(self, request: Request) -> Response:
        """Set a deadline by hand (`due_date`), or have a rule of the case's jurisdiction compute
        it from a hearing (`trigger_hearing`) or a date (`trigger_date`)."""
        data = serializers.DeadlineCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        deadline = services.deadline_create(by=_user(request), **data.service_arguments())
        return _deadline_detail(_user(request), deadline.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.DeadlineUpdateSerializer,
        responses={
            200: serializers.DeadlineDetailSerializer,
            **_errors(400, 403, 404, 409),
            412: PRECONDITION_FAILED,
        },
        parameters=[IF_MATCH, ETAG],
        examples=[
            OpenApiExample(
                "Move the trigger",
                value={"trigger_date": "2026-02-20", "reason": "Superseding indictment."},
                request_only=True,
            )
        ],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change the title, the notes, the day of a deadline set by hand, or the trigger date
        of a computed one (which recomputes it); what is left out stays. If-Match as for
        hearings."""
        deadline = self.get_object()
        data = serializers.DeadlineUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.deadline_update(
            deadline=deadline,
            by=_user(request),
            if_match=parse_if_match(request.headers.get("If-Match")),
            **_given(data.validated_data, "title", "due_date", "trigger_date", "notes", "reason"),
        )
        return _deadline_detail(_user(request), deadline.pk)

    @extend_schema(
        request=serializers.DeadlineOverrideSerializer,
        responses={200: serializers.DeadlineDetailSerializer, **_errors(400, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "Override",
                value={"due_date": "2026-03-20", "reason": "Order of 2026-03-01 extends time."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def override(self, request: Request, pk: str) -> Response:
        """Set aside a computed date, with the reason; the computed date is kept."""
        deadline = self.get_object()
        data = serializers.DeadlineOverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.deadline_override(deadline=deadline, by=_user(request), **data.validated_data)
        return _deadline_detail(_user(request), deadline.pk)

    @extend_schema(
        request=None,
        responses={200: serializers.DeadlineDetailSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="remove-override")
    def remove_override(self, request: Request, pk: str) -> Response:
        """Go back to the computed date."""
        deadline = services.deadline_override_remove(deadline=self.get_object(), by=_user(request))
        return _deadline_detail(_user(request), deadline.pk)

    @extend_schema(
        request=None,
        responses={200: serializers.DeadlineDetailSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        """Mark the deadline met: the court, or a negotiator of the side that had to meet it."""
        deadline = services.deadline_complete(deadline=self.get_object(), by=_user(request))
        return _deadline_detail(_user(request), deadline.pk)

    @extend_schema(
        request=serializers.ChangeReasonSerializer,
        responses={200: serializers.DeadlineDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel the deadline, with the reason; its reminders are withdrawn."""
        deadline = self.get_object()
        data = serializers.ChangeReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.deadline_cancel(
            deadline=deadline, by=_user(request), reason=data.validated_data["reason"]
        )
        return _deadline_detail(_user(request), deadline.pk)

    @extend_schema(
        request=serializers.ChangeReasonSerializer,
        responses={200: serializers.DeadlineDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        """Reopen a met, missed or cancelled deadline, with the reason."""
        deadline = self.get_object()
        data = serializers.ChangeReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.deadline_reopen(
            deadline=deadline, by=_user(request), reason=data.validated_data["reason"]
        )
        return _deadline_detail(_user(request), deadline.pk)


# --- rules ---------------------------------------------------------------------------------------


@extend_schema(tags=TAGS)
class RuleViewSet(viewsets.ReadOnlyModelViewSet[DeadlineRule]):
    """The rules of procedure that compute deadlines. Public law: every signed-in user reads
    them; they are maintained in the admin."""

    serializer_class = serializers.RuleSerializer
    filterset_class = filters.RuleFilter
    queryset = DeadlineRule.objects.select_related("jurisdiction")

    def get_object(self) -> DeadlineRule:
        return cast(DeadlineRule, _get(self.get_queryset(), _object_id(self.kwargs["pk"]), "rule"))

    @extend_schema(
        parameters=[serializers.RulePreviewQuerySerializer],
        responses={200: serializers.RulePreviewSerializer, **_errors(400, 404)},
        examples=[
            OpenApiExample(
                "Rolled past a weekend",
                value={
                    "rule": 4,
                    "case": 21,
                    "trigger_date": "2026-02-28",
                    "date": "2026-03-16",
                    "rolled_from": "2026-03-14",
                    "citation": "Fed. R. Crim. P. 32(f)(1)",
                    "explanation": [
                        "Trigger 2026-02-28 excluded (Rule 45(a)(1)(A))",
                        "14 calendar days after → 2026-03-14",
                        "2026-03-14 is not a court day (Saturday); rolled forward to 2026-03-16",
                    ],
                },
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def preview(self, request: Request, pk: str) -> Response:
        """The date this rule gives from `trigger_date` on the calendar of `case`'s court, and
        how it was counted; nothing is saved."""
        rule = self.get_object()
        query = serializers.RulePreviewQuerySerializer(
            data=request.query_params, context={"request": request}
        )
        query.is_valid(raise_exception=True)
        case = query.validated_data["case"]
        trigger_date = query.validated_data["trigger_date"]
        computed = services.rule_preview(case=case, rule=rule, trigger_date=trigger_date)
        body = {
            "rule": rule.pk,
            "case": case.pk,
            "trigger_date": trigger_date,
            "date": computed.date,
            "rolled_from": computed.rolled_from,
            "citation": rule.citation,
            "explanation": list(computed.explanation),
        }
        return Response(serializers.RulePreviewSerializer(body).data)


# --- courtrooms and closures ---------------------------------------------------------------------


@extend_schema(tags=TAGS)
class CourtroomViewSet(viewsets.GenericViewSet[Courtroom]):
    """The courtrooms of the courts whose cases you come across; court staff add them."""

    serializer_class = serializers.CourtroomSerializer
    filterset_class = filters.CourtroomFilter

    def get_queryset(self) -> QuerySet[Courtroom]:
        courts = case_selectors.courts_of_user(_user(self.request)).values("pk")
        return Courtroom.objects.filter(court__in=courts).select_related("court")

    @extend_schema(responses={200: serializers.CourtroomSerializer(many=True), 400: INVALID})
    def list(self, request: Request) -> Response:
        rows = _filtered(request, filters.CourtroomFilter, self.get_queryset())
        return _paginated(self, rows, serializers.CourtroomSerializer)

    @extend_schema(responses={200: serializers.CourtroomSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str) -> Response:
        courtroom = _get(self.get_queryset(), _object_id(pk), "courtroom")
        return Response(serializers.CourtroomSerializer(courtroom).data)

    @extend_schema(
        request=serializers.CourtroomCreateSerializer,
        responses={201: serializers.CourtroomSerializer, **_errors(400, 403)},
        examples=[OpenApiExample("Add", value={"court": 1, "name": "4B"}, request_only=True)],
    )
    def create(self, request: Request) -> Response:
        """Add a courtroom to a court you keep the docket of."""
        data = serializers.CourtroomCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        courtroom = services.courtroom_create(by=_user(request), **data.validated_data)
        return Response(
            serializers.CourtroomSerializer(courtroom).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=TAGS)
class ClosureViewSet(viewsets.GenericViewSet[CourtClosure]):
    """Days a court does not sit (weather, an administrative order): public notice, read by
    every signed-in user, entered and removed by the court's staff. Computed deadlines that end
    on one roll as they do on a public holiday."""

    serializer_class = serializers.ClosureSerializer
    filterset_class = filters.ClosureFilter
    pagination_class = ClosurePagination
    queryset = CourtClosure.objects.all()

    @extend_schema(responses={200: serializers.ClosureSerializer(many=True), 400: INVALID})
    def list(self, request: Request) -> Response:
        rows = _filtered(request, filters.ClosureFilter, self.get_queryset())
        return _paginated(self, rows, serializers.ClosureSerializer)

    @extend_schema(responses={200: serializers.ClosureSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str) -> Response:
        closure = _get(self.get_queryset(), _object_id(pk), "closure day")
        return Response(serializers.ClosureSerializer(closure).data)

    @extend_schema(
        request=serializers.ClosureCreateSerializer,
        responses={201: serializers.ClosureSerializer, **_errors(400, 403, 409)},
        examples=[
            OpenApiExample(
                "Snow",
                value={"court": 1, "date": "2026-02-16", "reason": "Closed for snow."},
                request_only=True,
            )
        ],
    )
    def create(self, request: Request) -> Response:
        """Enter a closure day; open computed deadlines of the court are recomputed."""
        data = serializers.ClosureCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        closure = services.closure_add(by=_user(request), **data.validated_data)
        return Response(serializers.ClosureSerializer(closure).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None, **_errors(403, 404)})
    def destroy(self, request: Request, pk: str) -> Response:
        """Remove a closure day; open computed deadlines of the court are recomputed."""
        closure = _get(self.get_queryset(), _object_id(pk), "closure day")
        services.closure_remove(closure=closure, by=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- notifications -------------------------------------------------------------------------------


@extend_schema(tags=ALERT_TAGS)
class NotificationViewSet(viewsets.GenericViewSet[Notification]):
    """Your in-app notifications, newest first. Nobody reads anyone else's."""

    serializer_class = serializers.NotificationSerializer
    filterset_class = filters.NotificationFilter
    pagination_class = InboxPagination

    def get_queryset(self) -> QuerySet[Notification]:
        return notifications.notifications_for(_user(self.request))

    def get_object(self) -> Notification:
        return notifications.notification_get(
            user=_user(self.request), notification_id=_object_id(self.kwargs["pk"])
        )

    def _one(self, notification: Notification) -> Response:
        shown = notifications.notification_shown(_user(self.request), notification)
        return Response(serializers.NotificationSerializer(shown).data)

    @extend_schema(
        responses={200: serializers.NotificationSerializer(many=True), 400: INVALID},
    )
    def list(self, request: Request) -> Response:
        """`?unread=true` for the unread ones only. Each is rendered through your walls as
        they are now: one about something you may no longer see has `available: false`."""
        rows = _filtered(request, filters.NotificationFilter, self.get_queryset())
        page = self.paginate_queryset(rows) or []
        shown = notifications.notifications_shown(_user(request), page)
        return self.get_paginated_response(
            serializers.NotificationSerializer(shown, many=True).data
        )

    @extend_schema(responses={200: serializers.NotificationSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._one(self.get_object())

    @extend_schema(
        request=None, responses={200: serializers.NotificationSerializer, 404: NOT_FOUND}
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        """Mark it read (again: nothing changes)."""
        notification = self.get_object()
        notifications.notification_mark_read(notification=notification, by=_user(request))
        return self._one(notification)

    @extend_schema(request=None, responses={200: serializers.ReadAllSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark every unread notification of yours read."""
        marked = notifications.notifications_mark_all_read(by=_user(request))
        return Response(serializers.ReadAllSerializer({"marked": marked}).data)

    @extend_schema(responses={200: serializers.UnreadCountSerializer})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        """How many of your notifications are unread: one cheap query, for a badge."""
        unread = notifications.unread_count(_user(request))
        return Response(serializers.UnreadCountSerializer({"unread": unread}).data)


# --- alert preferences and settings --------------------------------------------------------------


def _preference_body(user: User, kind: str) -> dict[str, Any]:
    for preference in alerts.preferences_of(user):
        if preference.kind == kind:
            return dict(serializers.AlertPreferenceSerializer(preference).data)
    raise Http404(_("No such kind of date."))


PREFERENCE_EXAMPLE = OpenApiExample(
    "Three days, one day and one hour before, in the app only",
    value={"lead_minutes": [4320, 1440, 60], "in_app": True, "email": False},
    request_only=True,
)


# What the versions of a user's alert settings are of (core.versions.etag_of_data).
PREFERENCE = "deadlines.alertpreference"
SETTINGS = "deadlines.alertsettings"


@extend_schema(tags=ALERT_TAGS)
class AlertPreferenceViewSet(viewsets.ViewSet):
    """Your lead times and channels per kind of date (each hearing kind and deadline kind).
    Without your own, the defaults apply: 7 days, 2 days, 1 day and 2 hours before, in the app
    and by e-mail."""

    lookup_field = "kind"
    lookup_value_regex = "[a-z_]+"

    @extend_schema(responses={200: serializers.AlertPreferenceSerializer(many=True)})
    def list(self, request: Request) -> Response:
        """Every kind, with the values that apply to you (not paginated: a dozen rows)."""
        preferences = alerts.preferences_of(_user(request))
        return Response(serializers.AlertPreferenceSerializer(preferences, many=True).data)

    @extend_schema(
        responses={200: serializers.AlertPreferenceSerializer, 404: NOT_FOUND}, parameters=[ETAG]
    )
    def retrieve(self, request: Request, kind: str) -> Response:
        return versioned_data(Response(_preference_body(_user(request), kind)), PREFERENCE)

    def _set(self, request: Request, kind: str, *, partial: bool) -> Response:
        user = _user(request)
        current = _preference_body(user, kind)
        data = serializers.AlertPreferenceWriteSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        # Your own settings, which may be the defaults (no row to lock): the version is that of
        # what you read, checked just before the write.
        require_data_version(PREFERENCE, current, parse_if_match(request.headers.get("If-Match")))
        values = {name: current[name] for name in ("lead_minutes", "in_app", "email")}
        values.update(data.validated_data)
        alerts.alert_preference_set(user=user, kind=kind, **values)
        return versioned_data(Response(_preference_body(user, kind)), PREFERENCE)

    @extend_schema(
        request=serializers.AlertPreferenceWriteSerializer,
        responses={
            200: serializers.AlertPreferenceSerializer,
            **_errors(400, 404),
            412: PRECONDITION_FAILED,
        },
        parameters=[IF_MATCH, ETAG],
        examples=[PREFERENCE_EXAMPLE],
    )
    def update(self, request: Request, kind: str) -> Response:
        """Set all three values for this kind; your alerts are replanned."""
        return self._set(request, kind, partial=False)

    @extend_schema(
        request=serializers.AlertPreferenceWriteSerializer,
        responses={
            200: serializers.AlertPreferenceSerializer,
            **_errors(400, 404),
            412: PRECONDITION_FAILED,
        },
        parameters=[IF_MATCH, ETAG],
        examples=[PREFERENCE_EXAMPLE],
    )
    def partial_update(self, request: Request, kind: str) -> Response:
        """Set some of the values; the others stay as they apply now."""
        return self._set(request, kind, partial=True)


def _settings_body(user: User) -> dict[str, Any]:
    return dict(serializers.AlertSettingsSerializer(alerts.alert_settings_of(user)).data)


@extend_schema(tags=ALERT_TAGS)
class AlertSettingsView(APIView):
    """Your daily digest: whether you get it, and at which hour of which time zone."""

    @extend_schema(responses={200: serializers.AlertSettingsSerializer}, parameters=[ETAG])
    def get(self, request: Request) -> Response:
        return versioned_data(Response(_settings_body(_user(request))), SETTINGS)

    def _set(self, request: Request, *, partial: bool) -> Response:
        user = _user(request)
        data = serializers.AlertSettingsSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = _settings_body(user)
        # As for alert preferences: the version of what you read, checked before the write.
        require_data_version(SETTINGS, values, parse_if_match(request.headers.get("If-Match")))
        values.update(data.validated_data)
        alerts.alert_settings_set(user=user, **values)
        return versioned_data(Response(_settings_body(user)), SETTINGS)

    @extend_schema(
        request=serializers.AlertSettingsSerializer,
        responses={
            200: serializers.AlertSettingsSerializer,
            400: INVALID,
            412: PRECONDITION_FAILED,
        },
        parameters=[IF_MATCH, ETAG],
        examples=[
            OpenApiExample(
                "At 7 in New York",
                value={"daily_digest": True, "digest_hour": 7, "time_zone": "America/New_York"},
                request_only=True,
            )
        ],
    )
    def put(self, request: Request) -> Response:
        return self._set(request, partial=False)

    @extend_schema(
        request=serializers.AlertSettingsSerializer,
        responses={
            200: serializers.AlertSettingsSerializer,
            400: INVALID,
            412: PRECONDITION_FAILED,
        },
        parameters=[IF_MATCH, ETAG],
    )
    def patch(self, request: Request) -> Response:
        return self._set(request, partial=True)
