"""Writes about parties: profiles, defendants and who takes part in which case."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from cases import permissions
from cases.models import Case
from cases.services import case_touch, court_today
from core.exceptions import Conflict
from core.versions import require_version
from parties import selectors
from parties.models import (
    DEFENDANT_DETAILS,
    SIDE_OF_ROLE,
    CaseParticipant,
    Defendant,
    Organization,
    Role,
    Side,
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


DEFENDANT_FIELDS = frozenset(DEFENDANT_DETAILS)


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
def defendant_update(
    *, defendant: Defendant, by: User, if_match: list[str] | None = None, **fields: Any
) -> Defendant:
    """Change a defendant's details. With `if_match`, 412 if they changed since the client read
    them (a defendant has no updated_at: the version is a digest of its fields)."""
    if not permissions.may_create_defendants(by):
        raise PermissionDenied("Only prosecutors and court staff change defendants' details.")
    defendant = Defendant.objects.select_for_update().get(pk=defendant.pk)
    require_version(defendant, if_match)
    unknown = set(fields) - DEFENDANT_FIELDS
    if unknown:
        raise ValidationError({name: "Unknown field." for name in unknown})
    for name, value in fields.items():
        setattr(defendant, name, value)
    defendant.full_clean()
    defendant.save()
    return defendant


def _api_client_court_id(user: User) -> int | None:
    from integrations.models import ApiClient

    return ApiClient.objects.filter(account=user).values_list("court_id", flat=True).first()


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
            client_court = _api_client_court_id(user)
            if client_court is not None and client_court != case.court_id:
                # An API client's token is scoped to one court (integrations.models.ApiClient).
                errors["user"] = (
                    f"{user.get_username()} is an API client of another court; "
                    "it may only take part in that court's cases."
                )
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


def participant_conflicts(*, case: Case, role: str, user: User) -> list[str]:
    """Why adding `user` to `case` as `role` may be a conflict of interest; empty when nothing is.

    Checked whenever a person (any role but defendant) is added to a case: participant_create
    asks, so the API, the case page and case_open all do. Connected cases are the other cases
    that share a defendant with this one, through a defendant participation active or ended
    (selectors.connected_case_ids). Flagged, each as one sentence naming the case and the role:

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
    "conflict_of_interest") until someone gives a reason to override, then keeps the
    sentences, the reason and who gave it on the participation. The sentences are shown to
    everyone who sees the case's parties, so a sealed connected case is not named.
    """
    side = SIDE_OF_ROLE[role]
    earlier = (
        CaseParticipant.objects.filter(user=user)
        .filter(
            Q(case=case, end_date__isnull=False)
            | Q(case_id__in=selectors.connected_case_ids(case.pk))
        )
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
        defendants = selectors.defendant_ids_by_case({case.pk, *(p.case_id for p in same_side)})
        ours = defendants.get(case.pk, frozenset())
        for_others = [p for p in same_side if defendants.get(p.case_id, frozenset()) != ours]

    name = _person_name(user)
    found = [
        f"{name} was {_role_text(part.role)} on this case ({case.docket_number}) "
        f"until {part.end_date:%Y-%m-%d}."
        for part in on_this_case
    ]
    shares = "shares a defendant with this one"
    found += [
        f"On {_connected_case_text(part.case, shares)}, {name} {_held(part)}."
        for part in other_side
    ]
    found += [
        f"On {_connected_case_text(part.case, f'{shares} but whose defendants differ')}, "
        f"{name} {_held(part)} and may "
        f"{'represent' if part.is_active else 'have represented'} another party."
        for part in for_others
    ]
    return list(dict.fromkeys(found))  # one sentence per fact, in order


def _person_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _role_text(role: str) -> str:
    return Role(role).label.lower()


def _connected_case_text(case: Case, how: str) -> str:
    if case.sealed:
        return f"another case that {how}"
    return f"{case.docket_number}, a case that {how}"


def _held(part: CaseParticipant) -> str:
    if part.end_date is None:
        return f"is {_role_text(part.role)}"
    return f"was {_role_text(part.role)} until {part.end_date:%Y-%m-%d}"


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
    conflicts: list[str] = []
    if user is not None and role != Role.DEFENDANT:
        conflicts = participant_conflicts(case=case, role=role, user=user)
        if conflicts and not conflict_override_reason.strip():
            raise Conflict(
                f"Adding {_person_name(user)} as {_role_text(role)} may be a conflict of "
                f"interest. {' '.join(conflicts)} To add them anyway, give a reason to "
                "override the conflict.",
                code="conflict_of_interest",
                details={"conflicts": conflicts},
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
