"""Writes about courts, cases and charges. Each public function is one transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.clock import case_touch, court_today
from cases.models import (
    Case,
    CaseStatus,
    CaseStatusChange,
    Charge,
    ChargeStatus,
    Court,
    Disposition,
    Jurisdiction,
    Statute,
)
from core import bulk, domain_events
from core.exceptions import Conflict
from core.text import single_line
from core.versions import require_version
from parties.models import Organization, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# The case workflow. Who may make each move is decided in cases.permissions.
LEGAL_STATUS_MOVES: dict[str, frozenset[str]] = {
    CaseStatus.INTAKE: frozenset({CaseStatus.NEGOTIATING, CaseStatus.TRIAL, CaseStatus.DISMISSED}),
    CaseStatus.NEGOTIATING: frozenset(
        {CaseStatus.AGREEMENT, CaseStatus.TRIAL, CaseStatus.DISMISSED}
    ),
    CaseStatus.AGREEMENT: frozenset(
        {CaseStatus.PLEA_ENTERED, CaseStatus.NEGOTIATING, CaseStatus.TRIAL}
    ),
    CaseStatus.PLEA_ENTERED: frozenset({CaseStatus.SENTENCED}),
    CaseStatus.TRIAL: frozenset({CaseStatus.SENTENCED, CaseStatus.DISMISSED, CaseStatus.CLOSED}),
    CaseStatus.SENTENCED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.DISMISSED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}


@transaction.atomic
def court_create(
    *,
    name: str,
    jurisdiction: Jurisdiction,
    time_zone: str,
    organization: Organization | None = None,
    subdivision: str = "",
) -> Court:
    """A court of a jurisdiction; `subdivision` is the state (or D.C.) where it sits, whose
    holidays its deadlines skip (Fed. R. Crim. P. 45(a)(6)(C))."""
    group, _created = Group.objects.get_or_create(name=f"court:{name}")
    court = Court(
        name=name,
        jurisdiction=jurisdiction,
        time_zone=time_zone,
        subdivision=subdivision,
        organization=organization,
        group=group,
    )
    court.full_clean()
    court.save()
    return court


def court_member_add(*, court: Court, user: User) -> None:
    """Judges and clerks of a court see its cases through the court's group."""
    user.groups.add(court.group)


def court_member_remove(*, court: Court, user: User) -> None:
    user.groups.remove(court.group)


@transaction.atomic
def case_open(
    *,
    court: Court,
    docket_number: str,
    caption: str,
    by: User,
    opened_on: dt.date | None = None,
    sealed: bool = False,
    external_id: str | None = None,
) -> Case:
    """Open a case. The court's group sees it; a prosecutor who opens it becomes its lead."""
    if not permissions.may_open_case_in(by, court):
        raise PermissionDenied(_("You may not open cases in this court."))
    docket_number = single_line(docket_number)
    caption = single_line(caption)
    external_id = single_line(external_id) if external_id else external_id
    today = court_today(court)
    errors: dict[str, str] = {}
    if opened_on is not None and opened_on > today:
        # Its closing date (court_today when closed) would fall before its opening date.
        errors["opened_on"] = _("A case cannot be opened in the future.")
    if not docket_number:
        errors["docket_number"] = _("Enter a docket number.")
    elif Case.objects.filter(court=court, docket_number=docket_number).exists():
        errors["docket_number"] = _(
            "%(court)s already has a case with docket number %(docket_number)s."
        ) % {"court": court, "docket_number": docket_number}
    if not caption.strip():
        errors["caption"] = _("Enter a caption.")
    if external_id and Case.objects.filter(court=court, external_id=external_id).exists():
        errors["external_id"] = _(
            "%(court)s already has a case with external id %(external_id)s."
        ) % {"court": court, "external_id": external_id}
    if errors:
        raise ValidationError(errors)
    case = Case.objects.create(
        court=court,
        docket_number=docket_number,
        caption=caption.strip(),
        opened_on=opened_on or today,
        sealed=sealed,
        external_id=external_id or None,
        created_by=by,
    )
    permissions.case_permissions_grant_court(case)
    if permissions.role_kind_of(by) == Role.PROSECUTOR:
        from cases.party_services import participant_create

        participant_create(
            case=case, user=by, role=Role.PROSECUTOR, is_lead=True, start_date=case.opened_on
        )
    domain_events.publish(domain_events.CaseOpened(case=case))
    return case


@dataclass(frozen=True)
class CaseOpening:
    """One case of cases_open_many: case_open's arguments."""

    docket_number: str
    caption: str
    opened_on: dt.date | None = None
    sealed: bool = False
    external_id: str | None = None


def cases_open_many(
    *, court: Court, by: User, openings: Sequence[CaseOpening]
) -> list[Case | ValidationError | PermissionDenied]:
    """case_open for a batch (a docket import): the same checks and writes in a fixed number
    of statements. One answer per opening, in order: the new case, or why it was refused (an
    opening that repeats an earlier one's docket number or external id is refused as if that
    one had been opened first). Nothing is written for a refused one."""
    if not openings:
        return []
    if not permissions.may_open_case_in(by, court):
        denied = PermissionDenied(_("You may not open cases in this court."))
        return [denied for _ in openings]
    today = court_today(court)
    dockets = [single_line(o.docket_number) for o in openings]
    externals = [single_line(o.external_id) if o.external_id else None for o in openings]
    taken_dockets, taken_externals = _cases_taken(court, dockets, externals)
    answers: list[Case | ValidationError | PermissionDenied] = []
    new: list[Case] = []
    for opening, docket_number, external_id in zip(openings, dockets, externals, strict=True):
        caption = single_line(opening.caption)
        errors: dict[str, str] = {}
        if opening.opened_on is not None and opening.opened_on > today:
            errors["opened_on"] = _("A case cannot be opened in the future.")
        if not docket_number:
            errors["docket_number"] = _("Enter a docket number.")
        elif docket_number in taken_dockets:
            errors["docket_number"] = _(
                "%(court)s already has a case with docket number %(docket_number)s."
            ) % {"court": court, "docket_number": docket_number}
        if not caption.strip():
            errors["caption"] = _("Enter a caption.")
        if external_id and external_id in taken_externals:
            errors["external_id"] = _(
                "%(court)s already has a case with external id %(external_id)s."
            ) % {"court": court, "external_id": external_id}
        if errors:
            answers.append(ValidationError(errors))
            continue
        taken_dockets.add(docket_number)
        if external_id:
            taken_externals.add(external_id)
        # By ids, with the court cached: a thousand related-object assignments cost more than
        # the INSERT's Python side.
        case = Case(
            court_id=court.pk,
            docket_number=docket_number,
            caption=caption.strip(),
            opened_on=opening.opened_on or today,
            sealed=opening.sealed,
            external_id=external_id or None,
            created_by_id=by.pk,
        )
        _court_field.set_cached_value(case, court)
        new.append(case)
        answers.append(case)
    if not new:
        return answers
    _cases_insert(new)
    permissions.case_permissions_grant_court_many(new)
    if permissions.role_kind_of(by) == Role.PROSECUTOR:
        from cases.party_services import participant_create

        for case in new:
            participant_create(
                case=case, user=by, role=Role.PROSECUTOR, is_lead=True, start_date=case.opened_on
            )
    domain_events.publish_many(
        domain_events.CaseOpened, [domain_events.CaseOpened(case=case) for case in new]
    )
    return answers


_court_field = Case._meta.get_field("court")


def _cases_taken(
    court: Court, dockets: Sequence[str], externals: Sequence[str | None]
) -> tuple[set[str], set[str]]:
    """The docket numbers and external ids among these that `court` already has: one
    statement, each list sent as one JSON parameter and looked up in its unique index."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT docket_number, NULL FROM {Case._meta.db_table}
            WHERE court_id = %s
              AND docket_number = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))
            UNION ALL
            SELECT NULL, external_id FROM {Case._meta.db_table}
            WHERE court_id = %s
              AND external_id = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))
            """,  # noqa: S608 (the table name is the model's)
            [
                court.pk,
                json.dumps([d for d in dockets if d]),
                court.pk,
                json.dumps([e for e in externals if e]),
            ],
        )
        rows = cursor.fetchall()
    return (
        {docket for docket, _ in rows if docket is not None},
        {external for _, external in rows if external is not None},
    )


def _cases_insert(cases: Sequence[Case]) -> None:
    """INSERT the new cases in one statement (core.bulk: none of bulk_create's per-row
    Python), and give each instance its id and the values the database gave it."""
    now = timezone.now()
    ids = bulk.rows_insert(
        Case,
        ("docket_number", "caption", "opened_on", "sealed", "external_id"),
        [(c.docket_number, c.caption, c.opened_on, c.sealed, c.external_id) for c in cases],
        constants={
            "court": cases[0].court_id,
            "status": CaseStatus.INTAKE,
            "created_by": cases[0].created_by_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    for case, pk in zip(cases, ids, strict=True):
        case.pk = pk
        case.created_at = case.updated_at = now
        case._state.adding = False
        case._state.db = "default"


@transaction.atomic
def case_update(
    *,
    case: Case,
    by: User,
    caption: str | None = None,
    sealed: bool | None = None,
    external_id: str | None = None,
    if_match: list[str] | None = None,
) -> Case:
    """Change a case's caption, seal or external id. With `if_match` (the ETags of the
    client's copy), 412 if the case changed since (core.versions)."""
    permissions.require_case_permission(by, case, permissions.CHANGE)
    case = (
        Case.objects.select_for_update(no_key=True, of=("self",))
        .select_related("court__jurisdiction")
        .get(pk=case.pk)
    )
    require_version(case, if_match)
    before = (case.caption, case.sealed, case.external_id)
    errors: dict[str, str] = {}
    if caption is not None:
        caption = single_line(caption)
        if not caption:
            errors["caption"] = _("Enter a caption.")
        case.caption = caption
    if external_id:
        external_id = single_line(external_id)
    if sealed is not None:
        case.sealed = sealed
    if external_id is not None:
        clash = Case.objects.filter(court_id=case.court_id, external_id=external_id).exclude(
            pk=case.pk
        )
        if external_id and clash.exists():
            errors["external_id"] = _(
                "Another case in this court has external id %(external_id)s."
            ) % {"external_id": external_id}
        case.external_id = external_id or None
    if errors:
        raise ValidationError(errors)
    case.save()
    if (case.caption, case.sealed, case.external_id) != before:
        domain_events.publish(domain_events.CaseUpdated(case=case))
    return case


@transaction.atomic
def case_transition(*, case: Case, to_status: str, by: User, reason: str = "") -> Case:
    """Move a case along its workflow. Illegal moves are refused with a 409 that says why."""
    # Read-only parties are told "not yours to do" (403) whatever the move.
    permissions.require_case_permission(by, case, permissions.TRANSITION)
    # Lock the row: two clerks moving one case at once must not both succeed from the same state.
    locked = (
        Case.objects.select_for_update(no_key=True, of=("self",))
        .select_related("court")
        .get(pk=case.pk)
    )
    if to_status not in CaseStatus.values:
        raise ValidationError(
            {"to_status": _("%(to_status)s is not a case status.") % {"to_status": repr(to_status)}}
        )
    current = CaseStatus(locked.status)
    if to_status not in LEGAL_STATUS_MOVES[current]:
        allowed = ", ".join(sorted(str(CaseStatus(s).label) for s in LEGAL_STATUS_MOVES[current]))
        raise Conflict(
            _("A case in status “%(current)s” cannot move to “%(case_status)s”.")
            % {"current": current.label, "case_status": CaseStatus(to_status).label}
            + (
                _(" From here it can move to: %(allowed)s.") % {"allowed": allowed}
                if allowed
                else _(" It is final.")
            ),
            code="illegal_status_move",
        )
    if not permissions.may_move_status(by, locked, to_status):
        raise PermissionDenied(
            _("Your side on this case may not move it to “%(case_status)s”.")
            % {"case_status": CaseStatus(to_status).label}
        )
    CaseStatusChange.objects.create(
        case=locked, from_status=current, to_status=to_status, reason=reason, changed_by=by
    )
    locked.status = to_status
    locked.closed_on = court_today(locked.court) if to_status == CaseStatus.CLOSED else None
    locked.save(update_fields=["status", "closed_on", "updated_at"])
    if to_status in (CaseStatus.DISMISSED, CaseStatus.CLOSED):
        # Its court dates end with it (deadlines.subscribers), in this transaction.
        domain_events.publish(
            domain_events.CaseClosed(
                case=locked,
                to_status=to_status,
                by=by,
                reason=_("The case was %(case_status)s.")
                % {"case_status": CaseStatus(to_status).label.lower()},
            )
        )
    domain_events.publish(
        domain_events.CaseStatusChanged(
            case=locked, from_status=current, to_status=to_status, by=by
        )
    )
    case.refresh_from_db()
    return case


# Moves a case makes only by following its negotiation, never by hand: a plea agreement
# submitted to the court moves a case straight from intake to agreement.
FOLLOW_ONLY_MOVES: frozenset[tuple[str, str]] = frozenset(
    {(CaseStatus.INTAKE, CaseStatus.AGREEMENT)}
)


def case_status_follow(*, case: Case, to_status: str, by: User, reason: str) -> None:
    """Move a case because the negotiation reached the court (an agreement submitted to it,
    reviewed by it, or withdrawn from it). Nothing before the submission moves a case: its
    status and history are the court's to read, and the court sees nothing of the negotiation
    until then (Fed. R. Crim. P. 11(c)(1)). The caller holds the case row locked and has
    checked who may act; a move the workflow does not allow is skipped, and so is one to the
    current status."""
    legal = to_status in LEGAL_STATUS_MOVES[CaseStatus(case.status)] or (
        (case.status, to_status) in FOLLOW_ONLY_MOVES
    )
    if case.status == to_status or not legal:
        return
    CaseStatusChange.objects.create(
        case=case, from_status=case.status, to_status=to_status, reason=reason, changed_by=by
    )
    from_status = case.status
    case.status = to_status
    case.save(update_fields=["status", "updated_at"])
    domain_events.publish(
        domain_events.CaseStatusChanged(
            case=case, from_status=from_status, to_status=to_status, by=by
        )
    )


# Once a case is sentenced, dismissed or closed, its charge sheet is history.
_STATUSES_WITHOUT_NEW_CHARGES = frozenset(
    {CaseStatus.SENTENCED, CaseStatus.DISMISSED, CaseStatus.CLOSED}
)


def case_takes_new_charges(case: Case) -> bool:
    return case.status not in _STATUSES_WITHOUT_NEW_CHARGES


@transaction.atomic
def charge_add(
    *,
    case: Case,
    statute: Statute,
    by: User,
    description: str = "",
    count_number: int | None = None,
) -> Charge:
    permissions.require_case_permission(by, case, permissions.MANAGE_CHARGES)
    # Lock the case so two charges added at once get different count numbers.
    locked = (
        Case.objects.select_for_update(no_key=True, of=("self",))
        .select_related("court")
        .get(pk=case.pk)
    )
    if not case_takes_new_charges(locked):
        raise Conflict(
            _("Charges cannot be added to a case that is %(case_status)s.")
            % {"case_status": CaseStatus(locked.status).label.lower()}
        )
    errors: dict[str, str] = {}
    if statute.jurisdiction_id != locked.court.jurisdiction_id:
        errors["statute"] = _(
            "%(citation)s is not in the statute catalogue of %(jurisdiction)s."
        ) % {"citation": statute.citation, "jurisdiction": locked.court.jurisdiction}
    if count_number is None:
        highest = locked.charges.aggregate(n=Max("count_number"))["n"] or 0
        count_number = highest + 1
    elif count_number < 1:
        errors["count_number"] = _("Count numbers start at 1.")
    elif locked.charges.filter(count_number=count_number).exists():
        errors["count_number"] = _("Count %(count_number)s already exists on this case.") % {
            "count_number": count_number
        }
    if errors:
        raise ValidationError(errors)
    charge = Charge.objects.create(
        case=locked, count_number=count_number, statute=statute, description=description
    )
    case_touch(case_id=locked.pk)
    return charge


@transaction.atomic
def charge_update(
    *,
    charge: Charge,
    by: User,
    description: str | None = None,
    disposition: str | None = None,
    disposition_date: dt.date | None = None,
    if_match: list[str] | None = None,
) -> Charge:
    """Amend a charge's description, or record its disposition (which ends it). With
    `if_match`, 412 if the charge changed since the client read it."""
    permissions.require_case_permission(by, charge.case, permissions.MANAGE_CHARGES)
    locked = Charge.objects.select_for_update().get(pk=charge.pk)
    require_version(locked, if_match)
    if locked.status == ChargeStatus.DISPOSED:
        raise Conflict(_("This charge has been disposed of and can no longer change."))
    if description is not None:
        locked.description = description
        locked.status = ChargeStatus.AMENDED
    if disposition:
        if disposition not in Disposition.values:
            raise ValidationError(
                {
                    "disposition": _("%(disposition)s is not a disposition.")
                    % {"disposition": repr(disposition)}
                }
            )
        when = disposition_date or court_today(locked.case.court)
        if when < locked.case.opened_on:
            raise ValidationError(
                {
                    "disposition_date": _(
                        "A charge cannot be disposed of before its case was opened."
                    )
                }
            )
        locked.disposition = disposition
        locked.disposition_date = when
        locked.status = ChargeStatus.DISPOSED
    elif disposition_date is not None:
        raise ValidationError({"disposition": _("Give the disposition with its date.")})
    locked.save()
    # As in charge_add: a change to a charge is a change to its case (updated_at__gte syncs).
    case_touch(case_id=locked.case_id)
    if disposition:
        domain_events.publish(domain_events.ChargeDisposed(case=locked.case, charge=locked))
    return locked
