"""Writes about parties: profiles, defendants and who takes part in which case."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import permissions
from cases.models import Case
from cases.services import case_touch, court_today
from core.exceptions import Conflict
from parties.models import (
    SIDE_OF_ROLE,
    CaseParticipant,
    Defendant,
    Organization,
    Role,
    UserProfile,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Court roles come from court membership; the rest must match the person's profile.
_COURT_ROLES = frozenset({Role.JUDGE, Role.COURT_STAFF})


def profile_set(
    *,
    user: User,
    role_kind: str,
    organization: Organization | None = None,
    bar_number: str = "",
) -> UserProfile:
    profile, _ = UserProfile.objects.update_or_create(
        user=user,
        defaults={"role_kind": role_kind, "organization": organization, "bar_number": bar_number},
    )
    return profile


DEFENDANT_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "date_of_birth",
        "custody_status",
        "preferred_language",
        "interpreter_needed",
        "citizenship_status",
    }
)


@transaction.atomic
def defendant_create(*, by: User, **fields: Any) -> Defendant:
    if not permissions.may_create_defendants(by):
        raise PermissionDenied("Only prosecutors and court staff enter defendants.")
    unknown = set(fields) - DEFENDANT_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in unknown})
    defendant = Defendant(created_by=by, **fields)
    defendant.full_clean()
    defendant.save()
    return defendant


@transaction.atomic
def defendant_update(*, defendant: Defendant, by: User, **fields: Any) -> Defendant:
    if not permissions.may_create_defendants(by):
        raise PermissionDenied("Only prosecutors and court staff change defendants' details.")
    unknown = set(fields) - DEFENDANT_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in unknown})
    for name, value in fields.items():
        setattr(defendant, name, value)
    defendant.full_clean()
    defendant.save()
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
        return {"role": f"{role!r} is not a role."}
    side = SIDE_OF_ROLE[role]
    if role == Role.DEFENDANT:
        if defendant is None:
            errors["defendant"] = "Name the defendant."
        if user is not None:
            errors["user"] = "A defendant takes part as a defendant, not as a user."
        if (
            defendant is not None
            and CaseParticipant.objects.filter(
                case=case, defendant=defendant, end_date__isnull=True
            ).exists()
        ):
            errors["defendant"] = f"{defendant} is already a defendant on this case."
    else:
        if user is None:
            errors["user"] = "Name the person who takes part."
        if defendant is not None:
            errors["defendant"] = "Only the defendant role names a defendant."
        if user is not None:
            profile = getattr(user, "profile", None)
            if role in _COURT_ROLES and not user.groups.filter(pk=case.court.group_id).exists():
                errors["user"] = f"{user.get_username()} does not sit in {case.court}."
            if profile is None or profile.role_kind != role:
                kind = profile.get_role_kind_display() if profile else "not a registered party"
                errors["role"] = f"{user.get_username()} is {kind.lower()}, not {role}."
            active = CaseParticipant.objects.filter(case=case, user=user, end_date__isnull=True)
            if active.filter(role=role).exists():
                errors["user"] = f"{user.get_username()} already takes part in this role."
            elif active.exclude(side=side).exists():
                errors["user"] = (
                    f"{user.get_username()} already takes part on another side of this case."
                )
    if start_date < case.opened_on:
        errors["start_date"] = "A participation cannot start before the case was opened."
    if (
        is_lead
        and CaseParticipant.objects.filter(
            case=case, side=side, is_lead=True, end_date__isnull=True
        ).exists()
    ):
        errors["is_lead"] = "This side already has a lead; end that participation first."
    return errors


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
) -> CaseParticipant:
    """Add a person to a case and grant them what their role may do there."""
    permissions.require_participant_management(by, case, role)
    return participant_create(
        case=case,
        role=role,
        user=user,
        defendant=defendant,
        is_lead=is_lead,
        start_date=start_date,
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
) -> CaseParticipant:
    """The write behind participant_add, for callers that have checked who acts (case_open)."""
    # Serialise changes to one case's participants, so the checks below stay true until commit.
    Case.objects.select_for_update(no_key=True).filter(pk=case.pk).first()
    start = start_date or court_today(case.court)
    errors = _participant_errors(
        case=case, role=role, user=user, defendant=defendant, is_lead=is_lead, start_date=start
    )
    if errors:
        raise ValidationError(errors)
    participant = CaseParticipant.objects.create(
        case=case,
        user=user,
        defendant=defendant,
        role=role,
        side=SIDE_OF_ROLE[role],
        is_lead=is_lead,
        start_date=start,
    )
    person = user or (defendant.user if defendant else None)
    if person is not None:
        permissions.case_permissions_sync_for_user(case, person)
    _replan_alerts(case)
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
        raise Conflict("This participation has already ended.", code="participation_ended")
    end = end_date or court_today(locked.case.court)
    if end < locked.start_date:
        raise ValidationError({"end_date": "The end date cannot be before the start date."})
    locked.end_date = end
    locked.save(update_fields=["end_date"])
    person = locked.user or (locked.defendant.user if locked.defendant else None)
    if person is not None:
        permissions.case_permissions_sync_for_user(locked.case, person)
    _replan_alerts(locked.case)
    case_touch(case_id=locked.case_id)
    return locked


def _replan_alerts(case: Case) -> None:
    """Who is on the case changed: so does who is reminded of its dates."""
    # Imported here: deadlines depends on parties, not the other way round at import time.
    from deadlines import alerts

    alerts.plan_for_case(case)
