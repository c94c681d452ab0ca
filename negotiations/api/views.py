"""Thin API views for the negotiation: parse with a serializer, call one service or selector,
render. Who may do what is decided in cases.permissions, through the services and selectors."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from cases import permissions
from cases import selectors as case_selectors
from core.api.negotiation import DownloadNegotiation
from core.api.schema import ETAG, IF_MATCH, PRECONDITION_FAILED, digest_headers
from core.api.versions import versioned
from core.exceptions import Conflict
from core.versions import parse_if_match
from negotiations import agreement_rules, selectors, services
from negotiations.api import filters, serializers
from negotiations.models import (
    ComplexCaseMark,
    Offer,
    PleaAgreement,
    RightsExplanation,
    Suggestion,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_filters import FilterSet

TAGS = ["negotiation"]


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


def _filtered(request: Request, filterset_class: type[FilterSet], rows: QuerySet[Any]) -> FilterSet:
    """The list's filters, validated (400 per parameter); the view reads `?case=` from it."""
    filterset = filterset_class(request.query_params, queryset=rows, request=request)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset


def _require_negotiation_reader(user: User, filterset: FilterSet) -> None:
    """`?case=` on a case the user sees but whose negotiation they may not read (the court):
    403 with the reason. A case the user may not see just lists nothing, like a missing one."""
    case_id = filterset.form.cleaned_data.get("case")
    if case_id is None:
        return
    try:
        case = case_selectors.case_get_for_user(user, case_id)
    except Http404:
        return
    permissions.require_offer_reader(user, case)


def _paginated(view: viewsets.GenericViewSet[Any], rows: QuerySet[Any], many: Any) -> Response:
    page = view.paginate_queryset(rows)
    return view.get_paginated_response(many(page, many=True).data)


def _offer_body(user: User, offer_id: int, code: int = status.HTTP_200_OK) -> Response:
    """The offer as `user` reads it, with its version (ETag) for a later If-Match."""
    offer = selectors.offer_get_for_user(user, offer_id)
    exposure = selectors.offer_exposure(offer)
    body = serializers.OfferDetailSerializer(offer, context={"exposure": exposure}).data
    return versioned(Response(body, status=code), offer)


def _agreement_body(user: User, agreement_id: int) -> dict[str, Any]:
    agreement = selectors.agreement_get_for_user(user, agreement_id)
    return dict(serializers.AgreementSerializer(agreement).data)


NOT_FOUND = OpenApiResponse(description="Missing, or not yours to read (the same answer).")
FORBIDDEN = OpenApiResponse(description="You may read this but not do this.")
CONFLICT = OpenApiResponse(description="Not allowed in the current state; the detail says why.")
INVALID = OpenApiResponse(description="Bad input: a list of messages per field.")


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    known = {400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}
    return {code: known[code] for code in codes}


# A draft as its author reads it (the exposure is computed on every read).
OFFER_EXAMPLE = OpenApiExample(
    "A draft plea offer",
    value={
        "id": 57,
        "case": 21,
        "round_number": 1,
        "side": "prosecution",
        "author": 4,
        "author_name": "Keith Hughes",
        "answers": None,
        "status": "draft",
        "status_display": "Draft",
        "terms": [
            {
                "charge": 88,
                "count": 1,
                "citation": "21 U.S.C. 841(a)(1)",
                "title": "Distribution",
                "disposition": "lesser",
                "disposition_display": "Plead guilty to a lesser offence",
                "lesser_statute": 5,
                "lesser_citation": "21 U.S.C. 844",
                "lesser_title": "Simple possession",
            }
        ],
        "custody_min_months": 6,
        "custody_max_months": 12,
        "probation_months": None,
        "fine": None,
        "restitution": None,
        "cooperation": False,
        "appeal_waiver": True,
        "immigration_safe_plea": False,
        "no_enhancement": False,
        "offense_level": 24,
        "criminal_history_category": "II",
        "acceptance_motion": True,
        "baseline_months": None,
        "leniency_stage": "",
        "leniency_circumstances": [],
        "expires_at": "2026-03-09T17:00:00Z",
        "rationale": "Early resolution; weak chain of custody on one exhibit.",
        "discovery_items_disclosed": 0,
        "discovery_last_disclosed_on": None,
        "response": "",
        "withdrawal_reason": "",
        "sent_at": None,
        "closed_at": None,
        "closed_by": None,
        "closed_by_name": None,
        "set_aside_at": None,
        "concessions": [
            {
                "id": 130,
                "kind": "charge_reduced",
                "kind_display": "Charge reduced",
                "description": "Count 1 reduced from 21 U.S.C. 841(a)(1) to 21 U.S.C. 844 "
                "(6 severity steps).",
                "derived": True,
                "charge": 88,
                "severity_reduction": 6,
                "months_below": None,
                "logged_by": None,
                "created_at": "2026-03-02T15:20:41.561020Z",
            },
            {
                "id": 131,
                "kind": "below_range",
                "kind_display": "Sentence recommended below the range",
                "description": "Custody recommended 6 months below the bottom of the "
                "applicable range.",
                "derived": True,
                "charge": None,
                "severity_reduction": None,
                "months_below": 6,
                "logged_by": None,
                "created_at": "2026-03-02T15:20:41.561020Z",
            },
        ],
        "created_at": "2026-03-02T15:20:41.552310Z",
        "updated_at": "2026-03-02T15:20:41.552316Z",
        "exposure": {
            "trial_statutory": {"low": 60, "high": 240, "text": "60–240 months"},
            "trial_guideline": {"low": 57, "high": 71, "text": "57–71 months"},
            "trial_expected": {"low": 60, "high": 71, "text": "60–71 months"},
            "plea_statutory": {"low": 0, "high": 12, "text": "0–12 months"},
            "plea_guideline": {"low": 41, "high": 51, "text": "41–51 months"},
            "plea_expected": {"low": 6, "high": 12, "text": "6–12 months"},
            "plea_applicable": {"low": 12, "high": 12, "text": "12 months"},
            "trial_penalty": 7.277777777777778,
            "counts_filed": 1,
            "counts_dismissed": 0,
            "counts_reduced": 1,
            "severity_reduced": 6,
            "notes": [
                "Count 1 reduced from 21 U.S.C. 841(a)(1) to 21 U.S.C. 844 Simple possession.",
                "Acceptance of responsibility: \u22123 levels (USSG §3E1.1), "
                "offense level 24 → 21.",
                "Trial: guideline range 57–71 months restricted to 60–71 months by the "
                "statutory range (USSG §5G1.1(c)).",
                "Plea: guideline range 41–51 months capped at the statutory maximum of "
                "12 months (USSG §5G1.1(a)).",
                "The offer recommends 6–12 months.",
            ],
            "plea_zone": {
                "name": "C",
                "probation": False,
                "probation_with_confinement": False,
                "split_sentence": True,
                "authority": "USSG §5C1.1(d)",
            },
            "warnings": [],
        },
    },
    response_only=True,
    status_codes=["200", "201"],
)
OFFER_CREATE_EXAMPLE = OpenApiExample(
    "Plead to a lesser offence",
    value={
        "case": 21,
        "terms": [{"charge": 88, "disposition": "lesser", "lesser_statute": 5}],
        "custody_min_months": 6,
        "custody_max_months": 12,
        "appeal_waiver": True,
        "offense_level": 24,
        "criminal_history_category": "II",
        "acceptance_motion": True,
        "expires_at": "2026-03-09T17:00:00Z",
        "rationale": "Early resolution; weak chain of custody on one exhibit.",
    },
    request_only=True,
)
OFFER_CHANGE_EXAMPLE = OpenApiExample(
    "Change the custody range", value={"custody_max_months": 10}, request_only=True
)


@extend_schema(tags=TAGS)
class OfferViewSet(viewsets.GenericViewSet[Offer]):
    """Offers and counteroffers, round by round. The court never reads them (Fed. R. Crim. P.
    11(c)(1)); a draft is read by its own side only; the defendant reads but does not act."""

    serializer_class = serializers.OfferSerializer
    filterset_class = filters.OfferFilter

    def get_queryset(self) -> QuerySet[Offer]:
        return selectors.offers_visible_to(self.request.user)

    def get_object(self) -> Offer:
        return selectors.offer_get_for_user(self.request.user, _object_id(self.kwargs["pk"]))

    @extend_schema(responses={200: serializers.OfferSerializer(many=True), **_errors(400, 403)})
    def list(self, request: Request) -> Response:
        """The offers you may read, newest first. `?case=` on a case whose negotiation you may
        not read (the court) answers 403."""
        # With terms and concessions loaded up front (the selector's plan for reading offers).
        offers = selectors.offers_listed_for_user(request.user)
        filterset = _filtered(request, filters.OfferFilter, offers)
        _require_negotiation_reader(_user(request), filterset)
        return _paginated(self, filterset.qs, serializers.OfferSerializer)

    @extend_schema(
        request=serializers.OfferCreateSerializer,
        responses={201: serializers.OfferDetailSerializer, **_errors(400, 403, 409)},
        parameters=[ETAG],
        examples=[OFFER_CREATE_EXAMPLE, OFFER_EXAMPLE],
    )
    def create(self, request: Request) -> Response:
        """A draft offer for the side you negotiate for; only your side reads it until sent."""
        data = serializers.OfferCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        offer = services.offer_create(
            case=data.validated_data["case"], by=_user(request), data=data.offer_input()
        )
        return _offer_body(_user(request), offer.pk, status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: serializers.OfferDetailSerializer, 404: NOT_FOUND},
        parameters=[ETAG],
        examples=[OFFER_EXAMPLE],
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        """The offer with its terms, concessions and the exposure at trial against the plea."""
        return _offer_body(_user(request), _object_id(pk))

    def _update(self, request: Request, *, partial: bool) -> Response:
        offer = self.get_object()
        data = serializers.OfferContentsSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        services.offer_update(
            offer=offer,
            by=_user(request),
            data=data.offer_input(offer if partial else None),
            if_match=parse_if_match(request.headers.get("If-Match")),
        )
        return _offer_body(_user(request), offer.pk)

    @extend_schema(
        request=serializers.OfferContentsSerializer,
        responses={
            200: serializers.OfferDetailSerializer,
            **_errors(400, 403, 404, 409),
            412: PRECONDITION_FAILED,
        },
        parameters=[IF_MATCH, ETAG],
        examples=[OFFER_EXAMPLE],
    )
    def update(self, request: Request, pk: str) -> Response:
        """Replace a draft's contents; fields left out take their defaults. Send the ETag you
        read in If-Match to change only that version (412 if it changed since)."""
        return self._update(request, partial=False)

    @extend_schema(
        request=serializers.OfferContentsSerializer,
        responses={
            200: serializers.OfferDetailSerializer,
            **_errors(400, 403, 404, 409),
            412: PRECONDITION_FAILED,
        },
        parameters=[IF_MATCH, ETAG],
        examples=[OFFER_CHANGE_EXAMPLE, OFFER_EXAMPLE],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change some of a draft's contents; `terms`, when given, replaces all the terms.
        If-Match as for a full update."""
        return self._update(request, partial=True)

    @extend_schema(
        request=serializers.OfferCreateSerializer,
        responses={200: serializers.OfferPreviewSerializer, **_errors(400, 403)},
    )
    @action(detail=False, methods=["post"])
    def preview(self, request: Request) -> Response:
        """What an offer with these contents would mean, without saving it: the exposure and the
        concessions it would carry."""
        data = serializers.OfferCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        preview = selectors.offer_preview(
            data.validated_data["case"], _user(request), data.offer_input()
        )
        return Response(serializers.OfferPreviewSerializer(preview).data)

    @extend_schema(
        request=None,
        responses={200: serializers.OfferDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str) -> Response:
        """Send your side's draft; the first offer moves the case to negotiating."""
        offer = services.offer_send(offer=self.get_object(), by=_user(request))
        return _offer_body(_user(request), offer.pk)

    @extend_schema(
        request=serializers.ReasonSerializer,
        responses={200: serializers.OfferDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Take back your side's draft or live offer."""
        offer = self.get_object()
        data = serializers.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.offer_withdraw(
            offer=offer, by=_user(request), reason=data.validated_data["reason"]
        )
        return _offer_body(_user(request), offer.pk)

    @extend_schema(
        request=None,
        responses={201: serializers.AgreementSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept the other side's live offer: the plea agreement is made from its terms."""
        agreement = services.offer_accept(offer=self.get_object(), by=_user(request))
        return Response(
            _agreement_body(_user(request), agreement.pk), status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=serializers.ReasonSerializer,
        responses={200: serializers.OfferDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject the other side's live offer, saying why."""
        offer = self.get_object()
        data = serializers.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.offer_reject(offer=offer, by=_user(request), reason=data.validated_data["reason"])
        return _offer_body(_user(request), offer.pk)

    @extend_schema(
        request=serializers.OfferCounterSerializer,
        responses={201: serializers.OfferDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def counter(self, request: Request, pk: str) -> Response:
        """Answer the other side's live offer with your own, sent at once as the next round."""
        offer = self.get_object()
        data = serializers.OfferCounterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        counter = services.offer_counter(
            offer=offer,
            by=_user(request),
            data=data.offer_input(),
            response=data.validated_data["response"],
        )
        return _offer_body(_user(request), counter.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ResponseSerializer,
        responses={200: serializers.OfferDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str) -> Response:
        """The prosecution's written response to a defense proposal that ended without one."""
        offer = self.get_object()
        data = serializers.ResponseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.offer_respond(
            offer=offer, by=_user(request), response=data.validated_data["response"]
        )
        return _offer_body(_user(request), offer.pk)

    @extend_schema(
        request=serializers.ConcessionLogSerializer,
        responses={201: serializers.ConcessionSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def concessions(self, request: Request, pk: str) -> Response:
        """Log a concession the terms do not show, on one of the prosecution's offers."""
        offer = self.get_object()
        data = serializers.ConcessionLogSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        concession = services.concession_log(offer=offer, by=_user(request), **data.validated_data)
        return Response(
            serializers.ConcessionSerializer(concession).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: serializers.ExposureSerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["get"])
    def exposure(self, request: Request, pk: str) -> Response:
        """The exposure after a conviction at trial on the charges as filed, against the plea."""
        exposure = selectors.offer_exposure(self.get_object())
        return Response(serializers.ExposureSerializer(exposure).data)


@extend_schema(tags=TAGS)
class SuggestionViewSet(viewsets.GenericViewSet[Suggestion]):
    """Defense and duty-lawyer suggestions, which the prosecution must answer in writing before
    it sends its next offer."""

    serializer_class = serializers.SuggestionSerializer
    filterset_class = filters.SuggestionFilter

    def get_queryset(self) -> QuerySet[Suggestion]:
        return selectors.suggestions_visible_to(self.request.user)

    def get_object(self) -> Suggestion:
        return selectors.suggestion_get_for_user(self.request.user, _object_id(self.kwargs["pk"]))

    @extend_schema(
        responses={200: serializers.SuggestionSerializer(many=True), **_errors(400, 403)}
    )
    def list(self, request: Request) -> Response:
        """The suggestions you may read, newest first; `?case=` answers 403 to the court."""
        rows = selectors.suggestions_listed_for_user(request.user)
        filterset = _filtered(request, filters.SuggestionFilter, rows)
        _require_negotiation_reader(_user(request), filterset)
        return _paginated(self, filterset.qs, serializers.SuggestionSerializer)

    @extend_schema(
        request=serializers.SuggestionCreateSerializer,
        responses={201: serializers.SuggestionSerializer, **_errors(400, 403, 409)},
    )
    def create(self, request: Request) -> Response:
        data = serializers.SuggestionCreateSerializer(
            data=request.data, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        suggestion = services.suggestion_submit(by=_user(request), **data.validated_data)
        return Response(
            serializers.SuggestionSerializer(suggestion).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: serializers.SuggestionSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(serializers.SuggestionSerializer(self.get_object()).data)

    @extend_schema(
        request=serializers.ResponseSerializer,
        responses={200: serializers.SuggestionSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str) -> Response:
        """The prosecution's written response."""
        suggestion = self.get_object()
        data = serializers.ResponseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answered = services.suggestion_respond(
            suggestion=suggestion, by=_user(request), response=data.validated_data["response"]
        )
        return Response(serializers.SuggestionSerializer(answered).data)


class _CaseRecordViewSet(viewsets.GenericViewSet[Any]):
    """A record the prosecution makes on a case: the request read by `create_serializer_class`,
    written by `record` (a service taking `by` and the validated fields), answered with
    `serializer_class`; read back by the parties who read the case's negotiation, as its page
    shows them (`?case=` answers 403 to the court, which does not read the negotiation)."""

    create_serializer_class: type[Serializer[Any]]
    record: Callable[..., Any]  # read from the class: a plain function, not a method
    model: type[ComplexCaseMark] | type[RightsExplanation]
    filterset_class = filters.CaseRecordFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.prosecution_records_listed_for_user(self.request.user, self.model)

    def list(self, request: Request) -> Response:
        filterset = _filtered(request, filters.CaseRecordFilter, self.get_queryset())
        _require_negotiation_reader(_user(request), filterset)
        return _paginated(self, filterset.qs.order_by("-id"), self.get_serializer_class())

    def retrieve(self, request: Request, pk: str) -> Response:
        record = selectors.prosecution_record_get_for_user(request.user, self.model, _object_id(pk))
        return Response(self.get_serializer_class()(record).data)

    def create(self, request: Request) -> Response:
        data = self.create_serializer_class(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        made = type(self).record(by=_user(request), **data.validated_data)
        return Response(self.get_serializer_class()(made).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
@extend_schema_view(
    create=extend_schema(
        request=serializers.ComplexCaseMarkCreateSerializer,
        responses={201: serializers.ComplexCaseMarkSerializer, **_errors(400, 403, 409)},
    ),
    list=extend_schema(
        responses={200: serializers.ComplexCaseMarkSerializer(many=True), **_errors(400, 403)}
    ),
    retrieve=extend_schema(responses={200: serializers.ComplexCaseMarkSerializer, 404: NOT_FOUND}),
)
class ComplexCaseMarkViewSet(_CaseRecordViewSet):
    """The prosecution marks a case complex, on the grounds its profile lists and with its
    reason: under a profile with `charges_negotiable_in_complex_case` its charges become
    negotiable (409 under any other profile)."""

    model = ComplexCaseMark
    serializer_class = serializers.ComplexCaseMarkSerializer
    create_serializer_class = serializers.ComplexCaseMarkCreateSerializer
    record = services.case_complex_mark


@extend_schema(tags=TAGS)
@extend_schema_view(
    create=extend_schema(
        request=serializers.RightsExplanationCreateSerializer,
        responses={201: serializers.RightsExplanationSerializer, **_errors(400, 403, 409)},
    ),
    list=extend_schema(
        responses={200: serializers.RightsExplanationSerializer(many=True), **_errors(400, 403)}
    ),
    retrieve=extend_schema(
        responses={200: serializers.RightsExplanationSerializer, 404: NOT_FOUND}
    ),
)
class RightsExplanationViewSet(_CaseRecordViewSet):
    """The prosecutor records that the rights of the leniency system were fully explained,
    which a profile with `rights_explained_before_first_offer` requires before any offer is
    sent (409 under any other profile)."""

    model = RightsExplanation
    serializer_class = serializers.RightsExplanationSerializer
    create_serializer_class = serializers.RightsExplanationCreateSerializer
    record = services.rights_explanation_record


@extend_schema(tags=TAGS)
class AgreementViewSet(viewsets.GenericViewSet[PleaAgreement]):
    """Plea agreements: read by the parties, and by the court once submitted to it."""

    serializer_class = serializers.AgreementSerializer
    filterset_class = filters.AgreementFilter

    def get_queryset(self) -> QuerySet[PleaAgreement]:
        # The PDF is read by the download alone.
        return selectors.agreements_visible_to(self.request.user).defer("pdf")

    def get_object(self) -> PleaAgreement:
        return selectors.agreement_get_for_user(self.request.user, _object_id(self.kwargs["pk"]))

    @extend_schema(responses={200: serializers.AgreementSerializer(many=True), 400: INVALID})
    def list(self, request: Request) -> Response:
        """The agreements you may read, newest first."""
        rows = selectors.agreements_listed_for_user(request.user).defer("pdf")
        filterset = _filtered(request, filters.AgreementFilter, rows)
        return _paginated(self, filterset.qs, serializers.AgreementSerializer)

    @extend_schema(responses={200: serializers.AgreementSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(_agreement_body(_user(request), _object_id(pk)))

    @extend_schema(
        request=serializers.ChecklistWriteSerializer,
        responses={200: serializers.AgreementSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def checklist(self, request: Request, pk: str) -> Response:
        """Counsel records that the defendant was told what a plea means; every item must be
        confirmed, and the interpreter named where the defendant needs one."""
        agreement = self.get_object()
        items = agreement_rules.checklist_items_of(agreement.case.court.jurisdiction)
        data = serializers.ChecklistWriteSerializer(
            data=request.data, items=[item.code for item in items]
        )
        data.is_valid(raise_exception=True)
        services.agreement_checklist_complete(
            agreement=agreement, by=_user(request), **data.service_arguments()
        )
        return Response(_agreement_body(_user(request), agreement.pk))

    @extend_schema(
        request=serializers.StatementSerializer,
        responses={200: serializers.AgreementSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def statement(self, request: Request, pk: str) -> Response:
        """The prosecution names what the plea statement holds beyond the terms, where the
        profile asks for it (`statement_options`): the procedure the defendant agrees to (CPL
        art. 174) and the limits on appeal. Before the checklist; 409 under a profile whose
        agreements name neither."""
        agreement = self.get_object()
        data = serializers.StatementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_statement_set(
            agreement=agreement, by=_user(request), **data.validated_data
        )
        return Response(_agreement_body(_user(request), agreement.pk))

    @extend_schema(
        request=serializers.SignSerializer,
        responses={201: serializers.AgreementSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        """Sign in the capacity you hold on the case. The last signature seals the agreement
        and stores its PDF."""
        agreement = self.get_object()
        data = serializers.SignSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.agreement_sign(agreement=agreement, by=_user(request), **data.validated_data)
        return Response(
            _agreement_body(_user(request), agreement.pk), status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=None,
        responses={200: serializers.AgreementSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Put the signed agreement before the court, which from now on reads it."""
        agreement = services.agreement_submit(agreement=self.get_object(), by=_user(request))
        return Response(_agreement_body(_user(request), agreement.pk))

    @extend_schema(
        request=serializers.ReviewSerializer,
        responses={200: serializers.AgreementSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        """The court rules on the submitted agreement, with its reasons: accepts or rejects
        it, naming the ground of a rejection where the profile lists them (CPL art. 201(1)),
        or, where the profile has it, asks the prosecution to adjust its recommendation (CPL
        art. 201(2)), which reopens the negotiation. A decision the profile does not offer
        (`court_review.outcomes`) is a 409."""
        agreement = self.get_object()
        data = serializers.ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_review(
            agreement=agreement, by=_user(request), **data.service_arguments()
        )
        return Response(_agreement_body(_user(request), agreement.pk))

    @extend_schema(
        request=serializers.ReasonSerializer,
        responses={200: serializers.AgreementSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """The defendant, in person or through counsel, withdraws before the court accepts."""
        agreement = self.get_object()
        data = serializers.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_withdraw(
            agreement=agreement, by=_user(request), reason=data.validated_data["reason"]
        )
        return Response(_agreement_body(_user(request), agreement.pk))

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The signed agreement as stored. `Repr-Digest` (RFC 9530) and "
                "`X-Content-SHA256` carry the SHA-256 recorded when it was sealed.",
            ),
            404: NOT_FOUND,
            409: OpenApiResponse(
                description="Not generated yet: it is made at the last signature."
            ),
        },
        parameters=digest_headers("pdf_sha256", "agreement"),
    )
    @action(detail=True, methods=["get"], content_negotiation_class=DownloadNegotiation)
    def pdf(self, request: Request, pk: str) -> HttpResponse:
        """Download the agreement's PDF: the parties, and the court once it is submitted."""
        agreement = self.get_object()
        if agreement.pdf is None or not agreement.pdf_sha256:
            raise Conflict(
                _("The agreement's PDF is made when the last party signs; it has not been yet."),
                code="pdf_not_generated",
            )
        services.agreement_downloaded(agreement=agreement, request=request)
        digest = base64.b64encode(bytes.fromhex(agreement.pdf_sha256)).decode()
        response = HttpResponse(bytes(agreement.pdf), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="plea-agreement-{agreement.pk}.pdf"'
        )
        response["Repr-Digest"] = f"sha-256=:{digest}:"
        response["X-Content-SHA256"] = agreement.pdf_sha256
        response["Cache-Control"] = "private, no-store"
        return response
