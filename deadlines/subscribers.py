"""What court dates, alerts and notifications do when the apps below announce a change. Each
runs inside the publisher's transaction: an offer's expiry deadline, a reminder replanned or a
notification written exists exactly when the change committed (e-mails and pushes leave later,
from the alert sweep)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case
from core import domain_events as de
from deadlines import alerts, services
from deadlines.models import AlertSubject
from deadlines.notifications import notify
from negotiations.models import Offer, Suggestion
from parties.models import CaseParticipant, CustodyStatus, Defendant, Role


def offer_expiry_follow(event: de.OfferEvent) -> None:
    services.offer_expiry_sync(de.instance_of(event.offer, Offer))


def suggestion_response_follow(event: de.SuggestionSubmitted | de.SuggestionAnswered) -> None:
    services.suggestion_response_sync(de.instance_of(event.suggestion, Suggestion))


def case_dates_end(event: de.CaseClosed) -> None:
    services.case_dates_close(
        case=de.instance_of(event.case, Case), by=event.by, reason=event.reason
    )


def case_alerts_replan(event: de.ParticipantAdded | de.ParticipantEnded) -> None:
    """Who is on the case changed: so does who is reminded of its dates."""
    alerts.plan_for_case(de.instance_of(event.case, Case))


def custody_deadlines_recompute(event: de.DefendantCustodyChanged) -> None:
    """A defendant was detained or released: where the profile suspends holiday extensions in
    custody (CPL art. 105), the case's computed deadlines move."""
    case = de.instance_of(event.case, Case)
    defendant = de.instance_of(event.defendant, Defendant)
    services.case_deadlines_recompute(
        case=case,
        reason=_("%(defendant)s is now %(custody)s.")
        % {
            "defendant": defendant,
            "custody": CustodyStatus(defendant.custody_status).label.lower(),
        },
    )


def defendant_deadlines_recompute(event: de.ParticipantAdded | de.ParticipantEnded) -> None:
    """A defendant joined or left the case: whether a defendant is in custody may have
    changed, and with it the case's computed deadlines (CPL art. 105)."""
    participant = de.instance_of(event.participant, CaseParticipant)
    # Only a detained defendant coming or going can change whether one is in custody.
    if participant.role != Role.DEFENDANT or participant.defendant is None:
        return
    if participant.defendant.custody_status != CustodyStatus.DETAINED:
        return
    services.case_deadlines_recompute(
        case=de.instance_of(event.case, Case),
        reason=_("The defendants of the case changed."),
    )


def _about(event: de.RecordAdded) -> dict[str, int]:
    if isinstance(event, de.NoteAdded):
        return {"note": event.note_id}
    if isinstance(event, de.DocumentUploaded):
        return {"document": event.document_id}
    assert isinstance(event, de.DisclosureRecorded)
    return {"disclosure": event.disclosure_id}


def record_readers_notify(event: de.RecordAdded) -> None:
    """Tell everyone behind the wall (never anyone else) that the record grew. The notification
    names the item by id; its text is read back through the walls (deadlines.notifications)."""
    case = de.instance_of(event.case, Case)
    by: User = event.by
    notify(
        recipients=[
            person
            for person in permissions.record_recipients(case, event.visibility)
            if person.pk != by.pk
        ],
        subject=AlertSubject.RECORD,
        case=case,
        params=_about(event),
    )


def connect() -> None:
    for offer_event in (
        de.OfferSent,
        de.OfferAccepted,
        de.OfferRejected,
        de.OfferCountered,
        de.OfferWithdrawn,
        de.OfferExpired,
    ):
        de.subscribe(offer_event, offer_expiry_follow)
    de.subscribe(de.SuggestionSubmitted, suggestion_response_follow)
    de.subscribe(de.SuggestionAnswered, suggestion_response_follow)
    de.subscribe(de.CaseClosed, case_dates_end)
    de.subscribe(de.ParticipantAdded, case_alerts_replan)
    de.subscribe(de.ParticipantEnded, case_alerts_replan)
    de.subscribe(de.ParticipantAdded, defendant_deadlines_recompute)
    de.subscribe(de.ParticipantEnded, defendant_deadlines_recompute)
    de.subscribe(de.DefendantCustodyChanged, custody_deadlines_recompute)
    for record_event in (de.NoteAdded, de.DocumentUploaded, de.DisclosureRecorded):
        de.subscribe(record_event, record_readers_notify)
