"""Writes about parties on cases: defendants, and who takes part in which case (granting and
revoking what the part may do there, and the conflict-of-interest check)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cases import permissions
from cases.clock import case_touch, court_today
from cases.models import Case
from cases.selectors import cases_visible_among
from core import domain_events
from core.exceptions import Conflict
from core.text import single_line, user_name
from core.versions import require_version
from parties.models import (
    DEFENDANT_DETAILS,
    SIDE_OF_ROLE,
    CaseParticipant,
    Defendant,
    Role,
    Side,
)
from parties.selectors import connected_case_ids, defendant_ids_by_case

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from core.types import AnyUser


DEFENDANT_FIELDS = frozenset(DEFENDANT_DETAILS)


# A defendant's details read on one line (core.text).
_ONE_LINE_FIELDS = frozenset({"first_name", "last_name", "preferred_language", "external_id"})


def _one_line(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        name: single_line(value) if name in _ONE_LINE_FIELDS and isinstance(value, str) else value
        for name, value in fields.items()
    }


@transaction.atomic
def defendant_create(*, by: User, **fields: Any) -> Defendant:
    if not permissions.may_create_defendants(by):
        raise PermissionDenied(_("Only prosecutors and court staff enter defendants."))
    unknown = set(fields) - DEFENDANT_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    defendant = Defendant(created_by=by, **_one_line(fields))
    defendant.full_clean()
    defendant.save()
    return defendant


@transaction.atomic
def defendant_update(
    *, defendant: Defendant, by: User, if_match: list[str] | None = None, **fields: Any
) -> Defendant:
    """Change a defendant's details. With `if_match`, 412 if they changed since the client read
    them (a defendant has no updated_at: the version is a digest of its fields)."""
    if not permissions.may_create_defendants(by):
        raise PermissionDenied(_("Only prosecutors and court staff change defendants' details."))
    defendant = Defendant.objects.select_for_update().get(pk=defendant.pk)
    require_version(defendant, if_match)
    unknown = set(fields) - DEFENDANT_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    custody_before = defendant.custody_status
    for name, value in _one_line(fields).items():
        setattr(defendant, name, value)
    defendant.full_clean()
    defendant.save()
    if defendant.custody_status != custody_before:
        # Periods counted on the defendant's cases may depend on custody (CPL art. 105).
        for case in Case.objects.filter(
            participants__defendant=defendant, participants__end_date__isnull=True
        ).distinct():
            domain_events.publish(
                domain_events.DefendantCustodyChanged(case=case, defendant=defendant)
            )
    return defendant


def _participant_errors(
    *,
    case: Case,
    role: str,
    user: User | None,
    defendant: Defendant | None,
    is_lead: bool,
    start_date: dt.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if role not in Role.values:
        return {"role": _("%(role)s is not a role.") % {"role": repr(role)}}
    side = SIDE_OF_ROLE[role]
    if role == Role.DEFENDANT:
        if defendant is None:
            errors["defendant"] = _("Name the defendant.")
        if user is not None:
            errors["user"] = _("A defendant takes part as a defendant, not as a user.")
        if (
            defendant is not None
            and CaseParticipant.objects.filter(
                case=case, defendant=defendant, end_date__isnull=True
            ).exists()
        ):
            errors["defendant"] = _("%(defendant)s is already a defendant on this case.") % {
                "defendant": defendant
            }
    else:
        if user is None:
            errors["user"] = _("Name the person who takes part.")
        if defendant is not None:
            errors["defendant"] = _("Only the defendant role names a defendant.")
        if user is not None:
            refusal = permissions.participation_refusal(user, role, case.court)
            if refusal is not None:
                profile = getattr(user, "profile", None)
                field = "role" if profile is None or profile.role_kind != role else "user"
                errors[field] = refusal
            active = CaseParticipant.objects.filter(case=case, user=user, end_date__isnull=True)
            if active.filter(role=role).exists():
                errors["user"] = _("%(get_username)s already takes part in this role.") % {
                    "get_username": user.get_username()
                }
            elif active.exclude(side=side).exists():
                errors["user"] = _(
                    "%(get_username)s already takes part on another side of this case."
                ) % {"get_username": user.get_username()}
    if start_date < case.opened_on:
        errors["start_date"] = _("A participation cannot start before the case was opened.")
    if (
        is_lead
        and CaseParticipant.objects.filter(
            case=case, side=side, is_lead=True, end_date__isnull=True
        ).exists()
    ):
        errors["is_lead"] = _("This side already has a lead; end that participation first.")
    return errors


def participant_conflicts(*, case: Case, role: str, user: User) -> list[dict[str, Any]]:
    """Why adding `user` to `case` as `role` may be a conflict of interest, as facts (which
    case, which role, until when); empty when nothing is. conflict_sentences says them to a
    reader.

    Checked whenever a person (any role but defendant) is added to a case: participant_create
    asks, so the API, the case page and case_open all do. Connected cases are the other cases
    that share a defendant with this one, through a defendant participation active or ended
    (parties.selectors.connected_case_ids). Flagged:

    1. The person's ended participation on this case, on another side than the new role's (a
       former prosecutor of the case joins as defense counsel). An active one on another side
       is refused outright (400, _participant_errors): one person on two sides at once would
       cross the ethical walls.
    2. Their participation, active or ended, on a connected case, on another side than the
       new role's (they prosecuted the same defendant elsewhere and now defend; they were
       defense counsel there and now sit as judge).
    3. When the new role is defense counsel or duty lawyer: their defense participation, active
       or ended, on a connected case whose defendants are not this case's (they represent or
       represented another party, a co-defendant).

    A conflict does not forbid the participation: participant_create refuses it (409,
    "conflict_of_interest") until someone gives a reason to override, then keeps the facts,
    the reason and who gave it on the participation. Facts, not sentences: a connected case
    is named (by docket number) only to a reader who may see it.
    """
    side = SIDE_OF_ROLE[role]
    earlier = (
        CaseParticipant.objects.filter(user=user)
        .filter(Q(case=case, end_date__isnull=False) | Q(case_id__in=connected_case_ids(case.pk)))
        .select_related("case")
        .order_by("case__docket_number", "start_date", "pk")
    )
    on_this_case: list[CaseParticipant] = []
    other_side: list[CaseParticipant] = []
    same_side: list[CaseParticipant] = []
    for part in earlier:
        if part.case_id == case.pk:
            if part.side != side:
                on_this_case.append(part)
        elif part.side != side:
            other_side.append(part)
        elif side == Side.DEFENSE:
            same_side.append(part)
    for_others: list[CaseParticipant] = []
    if same_side:
        defendants = defendant_ids_by_case({case.pk, *(p.case_id for p in same_side)})
        ours = defendants.get(case.pk, frozenset())
        for_others = [p for p in same_side if defendants.get(p.case_id, frozenset()) != ours]
    found = [_fact(CONFLICT_THIS_CASE, part) for part in on_this_case]
    found += [_fact(CONFLICT_OTHER_SIDE, part) for part in other_side]
    found += [_fact(CONFLICT_ANOTHER_PARTY, part) for part in for_others]
    unique: dict[str, dict[str, Any]] = {}
    for fact in found:
        unique.setdefault(repr(sorted(fact.items())), fact)  # one per fact, in order
    return list(unique.values())


# The kinds of conflict participant_conflicts finds (stored with each fact).
CONFLICT_THIS_CASE = "this_case"
CONFLICT_OTHER_SIDE = "other_side"
CONFLICT_ANOTHER_PARTY = "another_party"


def _fact(kind: str, part: CaseParticipant) -> dict[str, Any]:
    return {
        "kind": kind,
        "case": part.case_id,
        "role": part.role,
        "until": part.end_date.isoformat() if part.end_date else None,
    }


def conflict_sentences(facts: list[Any], *, name: str, case: Case, reader: AnyUser) -> list[str]:
    """The conflicts `facts` (participant_conflicts) of the person called `name`, as sentences
    for `reader`: a connected case is named by its docket number only if the reader may see it
    and it is not sealed; otherwise it is "another case". One query."""
    named = _cases_named_for(reader, [f.get("case") for f in facts if isinstance(f, dict)])
    return [_conflict_sentence(f, name=name, case=case, named=named) for f in facts]


def _cases_named_for(reader: AnyUser, case_ids: list[Any]) -> dict[int, str]:
    ids = {i for i in case_ids if isinstance(i, int)}
    if not ids:
        return {}
    return dict(
        cases_visible_among(reader, ids).filter(sealed=False).values_list("pk", "docket_number")
    )


def _conflict_sentence(fact: Any, *, name: str, case: Case, named: dict[int, str]) -> str:
    if not isinstance(fact, dict) or fact.get("kind") not in (
        CONFLICT_THIS_CASE,
        CONFLICT_OTHER_SIDE,
        CONFLICT_ANOTHER_PARTY,
    ):
        return _("A possible conflict of interest was found when they were added.")
    role = _role_text(str(fact.get("role")))
    until = fact.get("until")
    values = {"name": name, "role": role, "until": until, "docket": case.docket_number}
    if fact["kind"] == CONFLICT_THIS_CASE:
        return _("%(name)s was %(role)s on this case (%(docket)s) until %(until)s.") % values
    values["docket"] = named.get(fact.get("case"))  # type: ignore[arg-type]
    if fact["kind"] == CONFLICT_OTHER_SIDE:
        if values["docket"]:
            sentence = (
                _(
                    "On %(docket)s, a case that shares a defendant with this one, %(name)s was "
                    "%(role)s until %(until)s."
                )
                if until
                else _(
                    "On %(docket)s, a case that shares a defendant with this one, %(name)s is "
                    "%(role)s."
                )
            )
        else:
            sentence = (
                _(
                    "On another case that shares a defendant with this one, %(name)s was "
                    "%(role)s until %(until)s."
                )
                if until
                else _(
                    "On another case that shares a defendant with this one, %(name)s is %(role)s."
                )
            )
        return sentence % values
    if values["docket"]:
        sentence = (
            _(
                "On %(docket)s, a case that shares a defendant with this one but whose "
                "defendants differ, %(name)s was %(role)s until %(until)s and may have "
                "represented another party."
            )
            if until
            else _(
                "On %(docket)s, a case that shares a defendant with this one but whose "
                "defendants differ, %(name)s is %(role)s and may represent another party."
            )
        )
    else:
        sentence = (
            _(
                "On another case that shares a defendant with this one but whose defendants "
                "differ, %(name)s was %(role)s until %(until)s and may have represented another "
                "party."
            )
            if until
            else _(
                "On another case that shares a defendant with this one but whose defendants "
                "differ, %(name)s is %(role)s and may represent another party."
            )
        )
    return sentence % values


def participant_conflict_sentences(
    participants: list[CaseParticipant], *, reader: AnyUser
) -> dict[int, list[str]]:
    """The stored conflicts of each of `participants` (of one case) as `reader` may read them,
    by participation id. One query for all."""
    flagged = [p for p in participants if p.conflicts]
    if not flagged:
        return {}
    named = _cases_named_for(
        reader, [f.get("case") for p in flagged for f in p.conflicts if isinstance(f, dict)]
    )
    return {
        p.pk: [
            _conflict_sentence(f, name=p.display_name, case=p.case, named=named)
            for f in p.conflicts
        ]
        for p in flagged
    }


def _person_name(user: User) -> str:
    return user_name(user)


def _role_text(role: str) -> str:
    return Role(role).label.lower() if role in Role.values else role


@transaction.atomic
def participant_add(
    *,
    case: Case,
    by: User,
    role: str,
    user: User | None = None,
    defendant: Defendant | None = None,
    is_lead: bool = False,
    start_date: dt.date | None = None,
    conflict_override_reason: str = "",
) -> CaseParticipant:
    """Add a person to a case and grant them what their role may do there.

    A possible conflict of interest (participant_conflicts) is refused with a 409 that lists
    it, unless `conflict_override_reason` says why the person is added anyway.
    """
    permissions.require_participant_management(by, case, role)
    return participant_create(
        case=case,
        role=role,
        user=user,
        defendant=defendant,
        is_lead=is_lead,
        start_date=start_date,
        conflict_override_reason=conflict_override_reason,
        by=by,
    )


@transaction.atomic
def participant_create(
    *,
    case: Case,
    role: str,
    user: User | None = None,
    defendant: Defendant | None = None,
    is_lead: bool = False,
    start_date: dt.date | None = None,
    conflict_override_reason: str = "",
    by: User | None = None,
) -> CaseParticipant:
    """The write behind participant_add, for callers that have checked who acts (case_open).

    `by` is recorded as the one who overrode a conflict of interest; a reason given when
    nothing is flagged is not kept.
    """
    # Serialise changes to one case's participants, so the checks below stay true until commit.
    Case.objects.select_for_update(no_key=True).filter(pk=case.pk).first()
    start = start_date or court_today(case.court)
    errors = _participant_errors(
        case=case, role=role, user=user, defendant=defendant, is_lead=is_lead, start_date=start
    )
    if errors:
        raise ValidationError(errors)
    conflicts: list[dict[str, Any]] = []
    if user is not None and role != Role.DEFENDANT:
        conflicts = participant_conflicts(case=case, role=role, user=user)
        if conflicts and not conflict_override_reason.strip():
            # Said to whoever is adding the person, naming only the cases they may see.
            sentences = conflict_sentences(
                conflicts, name=_person_name(user), case=case, reader=by or AnonymousUser()
            )
            raise Conflict(
                _(
                    "Adding %(person_name)s as %(role_text)s may be a conflict of interest. "
                    "%(items)s To add them anyway, give a reason to override the conflict."
                )
                % {
                    "person_name": _person_name(user),
                    "role_text": _role_text(role),
                    "items": " ".join(sentences),
                },
                code="conflict_of_interest",
                details={"conflicts": sentences},
            )
    reason = conflict_override_reason.strip() if conflicts else ""
    participant = CaseParticipant.objects.create(
        case=case,
        user=user,
        defendant=defendant,
        role=role,
        side=SIDE_OF_ROLE[role],
        is_lead=is_lead,
        start_date=start,
        conflicts=conflicts,
        conflict_override_reason=reason,
        conflict_overridden_by=by if conflicts else None,
    )
    person = user or (defendant.user if defendant else None)
    if person is not None:
        permissions.case_permissions_sync_for_user(case, person)
    # Who is reminded of the case's dates follows who is on it (deadlines.subscribers).
    domain_events.publish(domain_events.ParticipantAdded(case=case, participant=participant))
    case_touch(case_id=case.pk)
    return participant


@transaction.atomic
def participant_end(
    *, participant: CaseParticipant, by: User, end_date: dt.date | None = None
) -> CaseParticipant:
    """End a participation and revoke what it granted (other active roles keep theirs)."""
    permissions.require_participant_management(by, participant.case, participant.role)
    locked = CaseParticipant.objects.select_for_update().get(pk=participant.pk)
    if locked.end_date is not None:
        raise Conflict(_("This participation has already ended."), code="participation_ended")
    end = end_date or court_today(locked.case.court)
    if end < locked.start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
    locked.end_date = end
    locked.save(update_fields=["end_date"])
    person = locked.user or (locked.defendant.user if locked.defendant else None)
    if person is not None:
        permissions.case_permissions_sync_for_user(locked.case, person)
    domain_events.publish(domain_events.ParticipantEnded(case=locked.case, participant=locked))
    case_touch(case_id=locked.case_id)
    return locked
