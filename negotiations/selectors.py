"""Reads about the negotiation, scoped to the person reading.

Offers are read by the parties (prosecution, defense counsel, duty lawyer, defendant), never by
the court unless the jurisdiction profile lets it; a draft is read only by its own side.
Agreements are read by the parties, and by the court once submitted to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases import party_selectors, permissions
from cases.models import Case
from core.lookups import AnyOf
from core.prefetch import attaching, related_cached
from negotiations import sentencing
from negotiations.exposure import OfferContents as OfferContents
from negotiations.exposure import ResolvedTerm as ResolvedTerm
from negotiations.exposure import concessions_derived as concessions_derived
from negotiations.exposure import exposure_of as exposure_of
from negotiations.exposure import offer_exposure as offer_exposure
from negotiations.models import (
    AgreementStatus,
    ComplexCaseMark,
    Concession,
    Offer,
    OfferStatus,
    OfferTerm,
    PleaAgreement,
    RightsExplanation,
    Signature,
    Suggestion,
)
from negotiations.services import OfferInput, offer_contents_validate
from negotiations.wording import agreement_document as agreement_document
from negotiations.wording import checklist_lines as checklist_lines
from negotiations.wording import concessions_worded as concessions_worded
from negotiations.wording import condition_labels as condition_labels
from negotiations.wording import sentence_lines as sentence_lines
from negotiations.wording import term_label as term_label
from parties.models import CaseParticipant, Role

if TYPE_CHECKING:
    from cases.permissions import AnyUser


_BENCH_ROLES = frozenset({Role.JUDGE, Role.COURT_STAFF})


def _participations(user: AnyUser) -> QuerySet[CaseParticipant]:
    return CaseParticipant.objects.held_by(user).active()


def _offer_rule(user: AnyUser) -> Q:
    """Which offers `user` reads (offers_visible_to), as a condition on each offer."""
    party = Exists(
        _participations(user).filter(case=OuterRef("case"), role__in=permissions.OFFER_READER_ROLES)
    )
    own_side = Exists(_participations(user).filter(case=OuterRef("case"), side=OuterRef("side")))
    # Only what was sent reaches the other side: a draft, or a draft withdrawn unsent, stays
    # with its own side.
    was_sent = Q(sent_at__isnull=False)
    court = Q(party_selectors.court_member_of_row(user, Offer._meta.db_table, reads_offers=True))
    return (Q(party) & (was_sent | Q(own_side))) | (court & was_sent)


def offers_visible_to(user: AnyUser) -> QuerySet[Offer]:
    if not user.is_authenticated or not user.is_active:
        return Offer.objects.none()
    return Offer.objects.filter(_offer_rule(user))


def _cases_held(user: AnyUser, roles: frozenset[str]) -> QuerySet[CaseParticipant, Any]:
    """The ids of the cases where `user` holds one of `roles`: a few hundred at most for a
    person. A list of theirs is driven from these (core.lookups.AnyOf: the table's case index,
    read once per case) instead of testing each row of the table against the participations:
    newest first, that test walks the primary key backwards past every newer row of other
    cases until it has a page, which grows with the size of the system
    (tests/negotiations/test_list_plans.py)."""
    return CaseParticipant.objects.case_ids_held_by(user, roles)


def _with_details(offers: QuerySet[Offer]) -> QuerySet[Offer]:
    return offers.select_related(
        "author", "closed_by", "case__court__jurisdiction"
    ).prefetch_related(Prefetch("terms", queryset=_terms()), "concessions")


def _terms() -> QuerySet[OfferTerm]:
    return OfferTerm.objects.select_related("charge__statute", "lesser_statute")


def _list_details_attach(offers: list[Offer]) -> None:
    """Each offer's terms and concessions, in their own order (an offer's terms by count, its
    concessions derived first), as prefetch_related would hang them (core.prefetch)."""
    related_cached(offers, "terms", _terms().order_by("charge__count_number", "id"))
    related_cached(offers, "concessions", Concession.objects.order_by("-derived", "id"))


def _with_list_details(offers: QuerySet[Offer]) -> QuerySet[Offer]:
    """What a list shows of each offer: its author, who closed it, and (once a page is fetched)
    its terms and concessions. Not the case (a list shows its id): joined before the sort, it
    would be read for every offer of the reader's cases, not for the page alone."""
    return attaching(offers.select_related("author", "closed_by"), _list_details_attach)


def _offer_courts(user: AnyUser) -> list[int]:
    """The courts whose offers a member of a court that reads offers walks: the courts they sit
    in whose jurisdiction lets the court read offers, and the courts of the cases where they
    read offers as a party (_cases_held). Empty unless
    they sit in such a court: a party's list is found from their cases. One query
    (cases.party_selectors.courts_walked)."""
    return party_selectors.courts_walked(
        user,
        _cases_held(user, permissions.OFFER_READER_ROLES),
        court_condition=(
            "AND EXISTS (SELECT 1 FROM cases_jurisdiction j WHERE j.id = c.jurisdiction_id"
            " AND j.court_sees_offers_before_agreement)"
        ),
    )


def offers_listed_for_user(user: AnyUser) -> QuerySet[Offer]:
    """The offers `user` may read, with what a list shows of each (terms, concessions): the
    rows of offers_visible_to, found from the reader's own cases (see _cases_held), after one
    query for the courts.

    A member of a court that reads offers reads every sent offer of the court's cases: their
    list walks the court's offers along offer_court_id (court_id, id) from the cursor, each
    checked by a probe of guardian's group index (cases.party_selectors.rows_of_courts) and
    by offers_visible_to's rule, so that a page costs the same in a court of any size."""
    if not user.is_authenticated or not user.is_active:
        return Offer.objects.none()
    courts = _offer_courts(user)
    if courts:
        seen = party_selectors.rows_of_courts(user, courts, Offer._meta.db_table)
        return _with_list_details(Offer.objects.filter(seen).filter(_offer_rule(user)))
    own_side = Exists(_participations(user).filter(case=OuterRef("case"), side=OuterRef("side")))
    return _with_list_details(
        Offer.objects.filter(
            AnyOf("case_id", _cases_held(user, permissions.OFFER_READER_ROLES))
        ).filter(Q(sent_at__isnull=False) | own_side)
    )


def offer_get_for_user(user: AnyUser, pk: int) -> Offer:
    """The offer, or 404 when it does not exist or is not the user's to read (the same)."""
    offer = _with_details(offers_visible_to(user)).filter(pk=pk).first()
    if offer is None:
        raise Http404(_("No such offer."))
    return offer


def offers_of_case(user: AnyUser, case: Case) -> list[Offer]:
    """The negotiation of a case, oldest round first; 403 for the court and other readers of
    the case who do not see offers."""
    permissions.require_offer_reader(user, case)
    return list(_with_details(offers_on_case(user, case)).order_by("round_number", "id"))


# --- one case's rows, for its pages --------------------------------------------------------
#
# The rules of offers_visible_to, suggestions_visible_to and agreements_visible_to, decided for
# one case from the reader's standing on it (cases.permissions.standing_on: their roles and
# sides there, and whether they are in its court's group, read once per GET request) instead
# of by subqueries on every row. Same rows (tests/negotiations/test_case_rules.py holds them
# equal for every role and stranger); a case page asked the subqueried rules six times, and
# building and planning them was most of its time.


def offers_on_case(user: AnyUser, case: Case) -> QuerySet[Offer]:
    """offers_visible_to(user).filter(case=case)."""
    standing = permissions.standing_on(user, case)
    rows = Offer.objects.filter(case=case.pk)
    was_sent = Q(sent_at__isnull=False)
    if standing.roles & permissions.OFFER_READER_ROLES:
        return rows.filter(was_sent | Q(side__in=standing.sides))
    if permissions.court_sees_offers(case) and permissions.in_court_group(user, case):
        return rows.filter(was_sent)
    return Offer.objects.none()


def suggestions_on_case(user: AnyUser, case: Case) -> QuerySet[Suggestion]:
    """suggestions_visible_to(user).filter(case=case)."""
    standing = permissions.standing_on(user, case)
    if not standing.roles & permissions.OFFER_READER_ROLES:
        return Suggestion.objects.none()
    return Suggestion.objects.filter(case=case.pk).select_related("author", "responded_by")


def agreements_on_case(user: AnyUser, case: Case) -> QuerySet[PleaAgreement]:
    """agreements_visible_to(user).filter(case=case), without its signatures (see
    _with_signatures)."""
    standing = permissions.standing_on(user, case)
    rows = PleaAgreement.objects.filter(case=case.pk)
    if standing.roles & permissions.AGREEMENT_PARTY_ROLES:
        return rows
    if standing.roles & _BENCH_ROLES or permissions.in_court_group(user, case):
        return rows.filter(submitted_at__isnull=False)
    return PleaAgreement.objects.none()


def suggestions_visible_to(user: AnyUser) -> QuerySet[Suggestion]:
    if not user.is_authenticated or not user.is_active:
        return Suggestion.objects.none()
    party = Exists(
        _participations(user).filter(case=OuterRef("case"), role__in=permissions.OFFER_READER_ROLES)
    )
    return Suggestion.objects.filter(party).select_related("author", "responded_by")


def suggestions_listed_for_user(user: AnyUser) -> QuerySet[Suggestion]:
    """The rows of suggestions_visible_to, found from the reader's own cases (see
    _cases_held)."""
    if not user.is_authenticated or not user.is_active:
        return Suggestion.objects.none()
    readers = _cases_held(user, permissions.OFFER_READER_ROLES)
    return Suggestion.objects.filter(AnyOf("case_id", readers)).select_related(
        "author", "responded_by"
    )


def suggestion_get_for_user(user: AnyUser, pk: int) -> Suggestion:
    suggestion = suggestions_visible_to(user).filter(pk=pk).first()
    if suggestion is None:
        raise Http404(_("No such suggestion."))
    return suggestion


def _agreement_rule(user: AnyUser) -> Q:
    """Which agreements `user` reads (agreements_visible_to), as a condition on each."""
    party = Exists(
        _participations(user).filter(
            case=OuterRef("case"), role__in=permissions.AGREEMENT_PARTY_ROLES
        )
    )
    court_member = Q(party_selectors.court_member_of_row(user, PleaAgreement._meta.db_table)) | Q(
        Exists(_participations(user).filter(case=OuterRef("case"), role__in=_BENCH_ROLES))
    )
    return Q(party) | (Q(court_member) & Q(submitted_at__isnull=False))


def agreements_visible_to(user: AnyUser) -> QuerySet[PleaAgreement]:
    if not user.is_authenticated or not user.is_active:
        return PleaAgreement.objects.none()
    return _with_signatures(PleaAgreement.objects.filter(_agreement_rule(user)))


def _with_signatures(agreements: QuerySet[PleaAgreement]) -> QuerySet[PleaAgreement]:
    return _with_list_signatures(agreements).select_related("case__court__jurisdiction")


def _with_list_signatures(agreements: QuerySet[PleaAgreement]) -> QuerySet[PleaAgreement]:
    """What a list shows of each agreement; not the case, as for offers (_with_list_details).
    The agreement that adjusts one (reverse `adjusted_by`, CPL art. 201(2)) is prefetched for
    the page's rows, by its unique index on adjusts_id, rather than joined: a join put a read of
    the agreements by adjusts_id into the page's plan."""
    return agreements.select_related("offer").prefetch_related(
        Prefetch("adjusted_by", queryset=PleaAgreement.objects.only("id", "adjusts_id")),
        Prefetch(
            "signatures",
            queryset=Signature.objects.select_related(
                "signer",
                "signer_participant",
                "recorded_by",
                "witness__user",
                "witness__defendant",
            ),
        ),
    )


def agreements_listed_for_user(user: AnyUser) -> QuerySet[PleaAgreement]:
    """The rows of agreements_visible_to, found from the reader's own cases (see _cases_held),
    after one query for the courts. A member of a court reads every submitted agreement of the
    court's cases: their list walks the court's agreements along agreement_court_id (court_id,
    id) from the cursor, or agreement_court_status_id (court_id, status, id) for one status,
    each checked by a probe of guardian's group index (cases.party_selectors.rows_of_courts) and
    by agreements_visible_to's rule. Tested against the court's cases newest first, a status
    that matched late read every agreement (1.2-1.4 s at a court of 40,000 cases)."""
    if not user.is_authenticated or not user.is_active:
        return PleaAgreement.objects.none()
    courts = party_selectors.courts_listed_for(user)
    if courts:
        seen = party_selectors.rows_of_courts(user, courts, PleaAgreement._meta.db_table)
        return _with_profiles(
            _with_list_signatures(PleaAgreement.objects.filter(seen).filter(_agreement_rule(user)))
        )
    # A party's cases, and the bench's once submitted: found among all the cases the user
    # holds a part in (one array, so one read of the case index), then told apart.
    held = AnyOf("case_id", _cases_held(user, permissions.AGREEMENT_PARTY_ROLES | _BENCH_ROLES))
    party = AnyOf("case_id", _cases_held(user, permissions.AGREEMENT_PARTY_ROLES))
    return _with_profiles(
        _with_list_signatures(
            PleaAgreement.objects.filter(held).filter(Q(party) | Q(submitted_at__isnull=False))
        )
    )


def _with_profiles(agreements: QuerySet[PleaAgreement]) -> QuerySet[PleaAgreement]:
    """The profile (checklist items, review options) of each listed row's case, with its court:
    one query for the page, apart from the list's own plan."""
    return agreements.prefetch_related(
        Prefetch("case", queryset=Case.objects.select_related("court__jurisdiction"))
    )


def agreement_get_for_user(user: AnyUser, pk: int) -> PleaAgreement:
    agreement = agreements_visible_to(user).filter(pk=pk).first()
    if agreement is None:
        raise Http404(_("No such agreement."))
    return agreement


def agreements_of_case(user: AnyUser, case: Case) -> QuerySet[PleaAgreement]:
    """agreements_on_case with their signatures, for the pages that show them."""
    return _with_signatures(agreements_on_case(user, case))


def agreement_in_force(user: AnyUser, case: Case) -> PleaAgreement | None:
    return (
        agreements_of_case(user, case)
        .exclude(
            status__in=[
                AgreementStatus.COURT_REJECTED,
                AgreementStatus.ADJUSTMENT_REQUESTED,
                AgreementStatus.WITHDRAWN,
            ]
        )
        .first()
    )


# --- exposure: computed in negotiations.exposure, which the services use too ---------------------


@dataclass(frozen=True)
class OfferPreview:
    exposure: sentencing.Exposure
    concessions: list[Concession]


def offer_preview(case: Case, by: AnyUser, data: OfferInput) -> OfferPreview:
    """What an offer with these contents would mean, before it is saved: the exposure and
    the concessions. Only a negotiator of the case may ask; bad contents answer 400."""
    side = permissions.require_negotiator(by, case)
    terms = offer_contents_validate(case, side, data)
    exposure = exposure_of(case, terms, data)
    return OfferPreview(exposure, concessions_derived(side, terms, data, exposure))


# --- the agreement as a document: negotiations.wording (the services seal it too) ----------------

# --- the timeline on the case page --------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    title: str
    detail: str
    offer_id: int | None = None
    agreement_id: int | None = None


def negotiation_timeline(user: AnyUser, case: Case) -> list[TimelineEntry]:
    """What happened in the negotiation, as far as `user` may see it, newest first."""
    entries: list[TimelineEntry] = []
    if permissions.may_read_offers(user, case):
        for offer in offers_on_case(user, case).select_related("author", "closed_by"):
            side = offer.get_side_display()
            if offer.sent_at:
                entries.append(
                    TimelineEntry(
                        offer.sent_at,
                        _("Round %(round)s: %(side)s offer sent")
                        % {"round": offer.round_number, "side": side},
                        offer.rationale[:200],
                        offer_id=offer.pk,
                    )
                )
            if offer.closed_at and offer.status != OfferStatus.DRAFT:
                entries.append(
                    TimelineEntry(
                        offer.closed_at,
                        _("Round %(round)s: %(side)s offer %(status)s")
                        % {
                            "round": offer.round_number,
                            "side": side,
                            "status": offer.get_status_display().lower(),
                        },
                        offer.response[:200] or offer.withdrawal_reason[:200],
                        offer_id=offer.pk,
                    )
                )
        for suggestion in suggestions_on_case(user, case):
            entries.append(
                TimelineEntry(
                    suggestion.created_at,
                    _("Suggestion from the %(role)s")
                    % {"role": suggestion.get_author_role_display().lower()},
                    suggestion.text[:200],
                )
            )
            if suggestion.responded_at:
                entries.append(
                    TimelineEntry(
                        suggestion.responded_at,
                        _("Prosecution responded to the suggestion"),
                        suggestion.response[:200],
                    )
                )
    for agreement in agreements_on_case(user, case):
        verdict = {
            AgreementStatus.COURT_ACCEPTED: _("Court accepted the agreement"),
            AgreementStatus.ADJUSTMENT_REQUESTED: _(
                "Court asked the prosecution to adjust its sentencing recommendation"
            ),
        }.get(AgreementStatus(agreement.status), _("Court rejected the agreement"))
        events = [
            (agreement.submitted_at, _("Agreement submitted to the court"), ""),
            (agreement.reviewed_at, verdict, agreement.review_reasons[:200]),
            (
                agreement.withdrawn_at,
                _("Defendant withdrew from the agreement"),
                agreement.withdrawal_reason[:200],
            ),
        ]
        if permissions.may_read_offers(user, case):
            events.append((agreement.created_at, _("Plea agreement reached"), ""))
        for at, title, detail in events:
            if at is not None:
                entries.append(TimelineEntry(at, title, detail, agreement_id=agreement.pk))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


@dataclass(frozen=True)
class ProsecutionRecords:
    rights_explanation: RightsExplanation | None
    complex_mark: ComplexCaseMark | None


def prosecution_records_of(case: Case) -> ProsecutionRecords:
    """The prosecution's records on `case` (for readers of its negotiation)."""
    return ProsecutionRecords(
        rights_explanation=RightsExplanation.objects.filter(case=case)
        .select_related("explained_by")
        .first(),
        complex_mark=ComplexCaseMark.objects.filter(case=case).select_related("marked_by").first(),
    )


ProsecutionRecord = ComplexCaseMark | RightsExplanation


def prosecution_records_listed_for_user(
    user: AnyUser, model: type[ComplexCaseMark] | type[RightsExplanation]
) -> QuerySet[Any]:
    """The prosecution's records of one kind (`ComplexCaseMark`, `RightsExplanation`) on the
    cases whose negotiation `user` reads: the parties' (OFFER_READER_ROLES), as the negotiation
    page shows them; never the court's. Driven from the reader's own cases (see _cases_held)."""
    if not user.is_authenticated or not user.is_active:
        return model._default_manager.none()
    readers = _cases_held(user, permissions.OFFER_READER_ROLES)
    return model._default_manager.filter(AnyOf("case_id", readers))


def prosecution_record_get_for_user(
    user: AnyUser, model: type[ComplexCaseMark] | type[RightsExplanation], pk: int
) -> ProsecutionRecord:
    record = prosecution_records_listed_for_user(user, model).filter(pk=pk).first()
    if record is None:
        raise Http404(_("No such record."))
    return record
