"""Who may see and do what on a case. Every API view, page and task asks this module.

Access to a case is held in guardian's direct foreign-key tables:
- CaseUserObjectPermission rows, granted to each active participant according to their role
  (kept in step by `case_permissions_sync_for_user`, called by the participant services);
- CaseGroupObjectPermission rows, granted to the court's group when a case is opened, so that
  every judge and clerk of that court sees it.
Visibility is decided in SQL (see cases.selectors.cases_visible_to); a case a user may not see
answers 404 exactly as a missing one, an action they may not take on a visible case answers 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from guardian.core import ObjectPermissionChecker

from cases.models import (
    Audience,
    Case,
    CaseGroupObjectPermission,
    CaseStatus,
    CaseUserObjectPermission,
    Court,
    Jurisdiction,
)
from cases.profiles import listed_label
from core import bulk
from core.reads import remembered
from parties.models import SIDE_OF_ROLE, CaseParticipant, Role, Side

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from core.types import AnyUser


VIEW = "view_case"
CHANGE = "change_case"
MANAGE_CHARGES = "manage_charges"
MANAGE_PARTICIPANTS = "manage_participants"
TRANSITION = "transition_case"

# What a participant may do on their case, by role. The defendant's access is read-only.
CASE_PERMISSIONS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.PROSECUTOR: frozenset({VIEW, CHANGE, MANAGE_CHARGES, MANAGE_PARTICIPANTS, TRANSITION}),
    Role.DEFENSE_COUNSEL: frozenset({VIEW}),
    Role.DUTY_LAWYER: frozenset({VIEW}),
    Role.DEFENDANT: frozenset({VIEW}),
    Role.JUDGE: frozenset({VIEW, TRANSITION}),
    Role.COURT_STAFF: frozenset({VIEW, CHANGE, MANAGE_CHARGES, MANAGE_PARTICIPANTS, TRANSITION}),
}

# What the court (its judges and staff, through the court group) may do on every case it hears:
# see it and rule on its course. Judges do no more: they decide the case, they do not keep its
# papers, and they stay out of the negotiation (Fed. R. Crim. P. 11(c)(1)).
COURT_GROUP_PERMISSIONS: frozenset[str] = frozenset({VIEW, TRANSITION})

# Court staff of the court also keep the docket: the case record, its charges and its parties.
COURT_STAFF_PERMISSIONS: frozenset[str] = frozenset({CHANGE, MANAGE_CHARGES, MANAGE_PARTICIPANTS})

# Who may add or end a participation in each role: the court, for every role; the prosecution,
# for its own prosecutors and for the person it charges. Counsel is appointed or withdraws
# through the court, so one side can never cut the other side's access.
PARTICIPANT_ROLE_MANAGERS: dict[str, frozenset[str]] = {
    Role.PROSECUTOR: frozenset({Side.PROSECUTION, Side.COURT}),
    Role.DEFENDANT: frozenset({Side.PROSECUTION, Side.COURT}),
    Role.DEFENSE_COUNSEL: frozenset({Side.COURT}),
    Role.DUTY_LAWYER: frozenset({Side.COURT}),
    Role.JUDGE: frozenset({Side.COURT}),
    Role.COURT_STAFF: frozenset({Side.COURT}),
}

# Which side may make which status move. Moves not listed are illegal (cases.services).
STATUS_MOVE_SIDES: dict[tuple[str, str], frozenset[str]] = {
    (CaseStatus.INTAKE, CaseStatus.NEGOTIATING): frozenset({Side.PROSECUTION, Side.COURT}),
    (CaseStatus.INTAKE, CaseStatus.TRIAL): frozenset({Side.COURT}),
    (CaseStatus.INTAKE, CaseStatus.DISMISSED): frozenset({Side.PROSECUTION, Side.COURT}),
    (CaseStatus.NEGOTIATING, CaseStatus.AGREEMENT): frozenset({Side.PROSECUTION, Side.COURT}),
    (CaseStatus.NEGOTIATING, CaseStatus.TRIAL): frozenset({Side.COURT}),
    (CaseStatus.NEGOTIATING, CaseStatus.DISMISSED): frozenset({Side.PROSECUTION, Side.COURT}),
    (CaseStatus.AGREEMENT, CaseStatus.PLEA_ENTERED): frozenset({Side.COURT}),
    (CaseStatus.AGREEMENT, CaseStatus.NEGOTIATING): frozenset({Side.COURT}),
    (CaseStatus.AGREEMENT, CaseStatus.TRIAL): frozenset({Side.COURT}),
    (CaseStatus.PLEA_ENTERED, CaseStatus.SENTENCED): frozenset({Side.COURT}),
    (CaseStatus.TRIAL, CaseStatus.SENTENCED): frozenset({Side.COURT}),
    (CaseStatus.TRIAL, CaseStatus.DISMISSED): frozenset({Side.COURT}),
    (CaseStatus.TRIAL, CaseStatus.CLOSED): frozenset({Side.COURT}),
    (CaseStatus.SENTENCED, CaseStatus.CLOSED): frozenset({Side.COURT}),
    (CaseStatus.DISMISSED, CaseStatus.CLOSED): frozenset({Side.COURT}),
}

# Roles whose holders may open new cases (in a court whose cases they may handle).
CASE_OPENER_ROLES = frozenset({Role.PROSECUTOR, Role.COURT_STAFF})
DEFENDANT_CREATOR_ROLES = frozenset({Role.PROSECUTOR, Role.COURT_STAFF})


# What a user holds on a case rests on a few facts (their participations on it, whether they
# sit in its court, guardian's rows), each read once per GET request (core.reads).


def _participations(user: AnyUser, case: Case) -> tuple[tuple[str, str], ...]:
    """(role, side) of each of `user`'s active participations on `case` (one query)."""
    return remembered(
        ("participations", user.pk, case.pk),
        lambda: tuple(
            CaseParticipant.objects.held_by(user)
            .active()
            .filter(case=case.pk)
            .values_list("role", "side")
        ),
    )


def role_kind_of(user: AnyUser) -> str | None:
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return profile.role_kind if profile is not None else None


def case_permissions_of(user: AnyUser, case: Case) -> frozenset[str]:
    """The permission codenames `user` holds on `case`: both guardian tables, plus the
    docket-keeping permissions of court staff who sit in the case's court."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    held: frozenset[str] = remembered(
        ("guardian", user.pk, case.pk),
        lambda: frozenset(ObjectPermissionChecker(user).get_perms(case)),
    )
    if role_kind_of(user) == Role.COURT_STAFF and _sits_in(user, case.court):
        held |= COURT_STAFF_PERMISSIONS
    return held


def _sits_in(user: AnyUser, court: Court) -> bool:
    """Whether `user` is in the court's group (its judges and staff)."""
    return remembered(
        ("sits", user.pk, court.group_id),
        lambda: user.groups.filter(pk=court.group_id).exists(),
    )


def participant_roles_managed_by(user: AnyUser, case: Case) -> list[str]:
    """The roles in which `user` may add or end participations on `case`, in Role order."""
    if MANAGE_PARTICIPANTS not in case_permissions_of(user, case):
        return []
    sides = sides_of(user, case)
    return [role for role in Role.values if PARTICIPANT_ROLE_MANAGERS[role] & sides]


# Who may take part in a court's cases, in each role: judges and court staff who sit in the
# court; prosecutors of an office of the court's jurisdiction (a prosecutor of another
# jurisdiction would read its prosecution's wall and drafts); defense counsel and duty lawyers
# whose firm or legal-aid centre, if they name one, is of that jurisdiction; an API client's
# account only in its own court. cases.party_selectors.people_who_may_take_part is the same rule
# as a query, for the people picker.
def participation_refusal(user: User, role: str, court: Court) -> str | None:
    """Why `user` may not take part in a case of `court` as `role`; None if they may."""
    name = user.get_username()
    profile = getattr(user, "profile", None)
    if not user.is_active:
        return _("%(name)s's account is closed.") % {"name": name}
    if profile is None or profile.role_kind != role:
        kind = profile.get_role_kind_display() if profile else _("not a registered party")
        return _("%(name)s is %(kind)s, not %(role)s.") % {
            "name": name,
            "kind": str(kind).lower(),
            "role": Role(role).label.lower() if role in Role.values else role,
        }
    client = getattr(user, "api_client", None)
    if client is not None and client.court_id != court.pk:
        # An API client's token is scoped to one court (integrations.models.ApiClient).
        return _(
            "%(name)s is an API client of another court; it may only take part in that "
            "court's cases."
        ) % {"name": name}
    if role in CALENDAR_KEEPER_ROLES:
        if not _sits_in(user, court):
            return _("%(name)s does not sit in %(court)s.") % {"name": name, "court": court}
        return None
    organization = profile.organization
    if organization is None:
        if role == Role.PROSECUTOR:
            return _("%(name)s belongs to no prosecutor's office.") % {"name": name}
        return None
    if organization.jurisdiction_id != court.jurisdiction_id:
        return _(
            "%(name)s works for %(organization)s (%(its_jurisdiction)s); this court is of "
            "%(jurisdiction)s."
        ) % {
            "name": name,
            "organization": organization,
            "its_jurisdiction": organization.jurisdiction,
            "jurisdiction": court.jurisdiction,
        }
    return None


def require_participant_management(user: AnyUser, case: Case, role: str) -> None:
    """403 unless `user` may add or end a participation in `role` on `case`."""
    require_case_permission(user, case, MANAGE_PARTICIPANTS)
    if role not in PARTICIPANT_ROLE_MANAGERS:
        return  # not a role at all: the service answers 400 for the field
    if not PARTICIPANT_ROLE_MANAGERS[role] & sides_of(user, case):
        raise PermissionDenied(
            _("Only the court adds or removes a %(role)s on a case.")
            % {"role": Role(role).label.lower()}
        )


def require_case_permission(user: AnyUser, case: Case, codename: str) -> None:
    if codename not in case_permissions_of(user, case):
        raise PermissionDenied(_("You may not do this on this case."))


def sides_of(user: AnyUser, case: Case) -> frozenset[str]:
    """The sides `user` sits on in `case`: their active participations, plus the court
    side when they belong to the court's group."""
    if not user.is_authenticated:
        return frozenset()
    sides = {side for _role, side in _participations(user, case)}
    if _sits_in(user, case.court):
        sides.add(Side.COURT)
    return frozenset(sides)


def may_move_status(user: AnyUser, case: Case, to_status: str) -> bool:
    allowed_sides = STATUS_MOVE_SIDES.get((case.status, to_status), frozenset())
    return TRANSITION in case_permissions_of(user, case) and bool(
        allowed_sides & sides_of(user, case)
    )


def courts_where_may_open_cases(user: AnyUser) -> QuerySet[Court]:
    """Prosecutors open cases in the courts of their office's jurisdiction; court staff in the
    courts they sit in; nobody else opens cases."""
    kind = role_kind_of(user)
    if kind == Role.COURT_STAFF:
        return Court.objects.filter(group__user=user.pk)
    if kind == Role.PROSECUTOR:
        org = user.profile.organization  # type: ignore[union-attr]
        if org is not None:
            courts = Court.objects.filter(jurisdiction_id=org.jurisdiction_id)
            # An office's API client works in its own court only.
            return courts.filter(api_clients__account=user.pk) if is_api_account(user) else courts
    return Court.objects.none()


def may_open_case_in(user: AnyUser, court: Court) -> bool:
    return courts_where_may_open_cases(user).filter(pk=court.pk).exists()


def may_open_cases(user: AnyUser) -> bool:
    return role_kind_of(user) in CASE_OPENER_ROLES


def may_create_defendants(user: AnyUser) -> bool:
    return role_kind_of(user) in DEFENDANT_CREATOR_ROLES


def _case_permissions(codenames: frozenset[str] | set[str]) -> QuerySet[Permission]:
    return Permission.objects.filter(
        content_type__app_label="cases", content_type__model="case", codename__in=codenames
    )


def case_permissions_sync_for_user(case: Case, user: User) -> None:
    """Make `user`'s rows in the case permission table match their active participations:
    one read, at most one insert and one delete."""
    roles = (
        CaseParticipant.objects.held_by(user)
        .active()
        .filter(case=case)
        .values_list("role", flat=True)
    )
    wanted: set[str] = set()
    for role in roles:
        wanted |= CASE_PERMISSIONS_BY_ROLE[role]
    rows = CaseUserObjectPermission.objects.filter(content_object=case, user=user)
    held = set(rows.values_list("permission__codename", flat=True))
    if wanted - held:
        CaseUserObjectPermission.objects.bulk_create(
            CaseUserObjectPermission(content_object=case, user=user, permission=permission)
            for permission in _case_permissions(wanted - held)
        )
    if held - wanted:
        rows.filter(permission__codename__in=held - wanted).delete()


def case_permissions_grant_court(case: Case) -> None:
    """Give the court's group (its judges and staff) the court's permissions on a new case."""
    case_permissions_grant_court_many([case])


def case_permissions_grant_court_many(cases: Sequence[Case]) -> None:
    """case_permissions_grant_court for many new cases: one read, one insert."""
    if not cases:
        return
    granted = list(_case_permissions(COURT_GROUP_PERMISSIONS).values_list("pk", flat=True))
    # Every (case, permission) pair in one statement, without a model instance per row.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {CaseGroupObjectPermission._meta.db_table}
                (permission_id, group_id, content_object_id)
            SELECT p.id, c.group_id, c.id
            FROM unnest(%s::bigint[], %s::bigint[]) AS c(id, group_id)
            CROSS JOIN unnest(%s::bigint[]) AS p(id)
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 (the table name is the model's)
            [
                bulk.int_array([c.pk for c in cases]),
                bulk.int_array([c.court.group_id for c in cases]),
                bulk.int_array(granted),
            ],
        )


# ---------------------------------------------------------------------------------------------
# Negotiation: offers, suggestions, the plea agreement and its review.
#
# The court stays out of the negotiation (Fed. R. Crim. P. 11(c)(1); CPL art. 201 has the court
# review only the result): judges and court staff never see offers or suggestions, unless a
# jurisdiction profile says otherwise, and see an agreement only once it is submitted to them.
# The defendant reads everything their side reads but acts through counsel, except that they
# sign and may withdraw their own agreement.
# ---------------------------------------------------------------------------------------------

# Who negotiates, who puts written suggestions to the prosecution, who may witness a signature
# and who submits the agreement differ between legal systems: each jurisdiction profile says so
# in its parameters (cases/data/profiles.json, docs/profiles.md), read by the functions below.
# What follows is the same under every profile.
OFFER_READER_ROLES = frozenset(
    {Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT}
)
# The defense's lawyers: they sign the agreement as the defense lawyer.
DEFENSE_LAWYER_ROLES = frozenset({Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER})
SUGGESTION_RESPONDER_ROLES = frozenset({Role.PROSECUTOR})
# Counsel explains rights and consequences: the checklist is theirs to complete.
CHECKLIST_ROLES = frozenset({Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER})
# Agreement readers among the parties (the court reads it once submitted).
AGREEMENT_PARTY_ROLES = OFFER_READER_ROLES
# The defendant withdraws their plea agreement, in person or through counsel.
AGREEMENT_WITHDRAWER_ROLES = frozenset({Role.DEFENDANT, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER})
# The prosecution marks a case complex and records that the rights were explained.
PROSECUTION_RECORD_ROLES = frozenset({Role.PROSECUTOR})


def _profile(jurisdiction: Jurisdiction) -> dict[str, Any]:
    return jurisdiction.parameters or {}


def negotiator_roles(jurisdiction: Jurisdiction) -> dict[str, str]:
    """The roles that make, answer and withdraw offers under `jurisdiction`'s profile, each
    with the side it negotiates for (`negotiator_roles`)."""
    sides = _profile(jurisdiction).get("negotiator_roles", {})
    return {role: side for side in (Side.PROSECUTION, Side.DEFENSE) for role in sides.get(side, ())}


def suggestion_author_roles(jurisdiction: Jurisdiction) -> frozenset[str]:
    """Who puts written suggestions (opinions) to the prosecution (`suggestion_roles`)."""
    return frozenset(_profile(jurisdiction).get("suggestion_roles", ()))


def witness_roles(jurisdiction: Jurisdiction) -> frozenset[str]:
    """Who may witness the defendant's signature (`witness_roles`)."""
    return frozenset(_profile(jurisdiction).get("witness_roles", ()))


def plea_statement_roles(jurisdiction: Jurisdiction) -> frozenset[str]:
    """Who names what the plea statement holds beyond the offer's terms, where the profile asks
    for it (`plea_statement_roles`): the procedure (CPL art. 173(2)(iii), 174(1)) and the limits
    on appeal."""
    return frozenset(_profile(jurisdiction).get("plea_statement_roles", ()))


def agreement_submitter_roles(jurisdiction: Jurisdiction) -> frozenset[str]:
    """Who puts the signed agreement before the court (`agreement_submitter_roles`)."""
    return frozenset(_profile(jurisdiction).get("agreement_submitter_roles", ()))


def signer_roles(jurisdiction: Jurisdiction) -> frozenset[str]:
    """Who signs the agreement in their own name: the defendant, the prosecutor and the
    defense's lawyer (a negotiator, or the lawyer before whom the defendant signs)."""
    return (
        frozenset(negotiator_roles(jurisdiction))
        | witness_roles(jurisdiction)
        | {Role.DEFENDANT, Role.PROSECUTOR}
    )


def written_consideration_mandatory(jurisdiction: Jurisdiction) -> bool:
    """Whether the prosecution must answer the defense's suggestions and unanswered proposals
    in writing before its next offer (`written_consideration_mandatory`)."""
    return bool(_profile(jurisdiction).get("written_consideration_mandatory"))


def charges_negotiable_when_complex(jurisdiction: Jurisdiction) -> bool:
    """Whether charges become negotiable once the case is marked complex
    (`charges_negotiable_in_complex_case`)."""
    return bool(_profile(jurisdiction).get("charges_negotiable_in_complex_case"))


def complex_case_grounds(jurisdiction: Jurisdiction) -> dict[str, str]:
    """The grounds on which a case may be marked complex: code to label, in the reader's
    language (cases.profiles.listed_label)."""
    return {
        ground["code"]: listed_label(ground["label"], ground.get("text", ""))
        for ground in _profile(jurisdiction).get("complex_case_grounds", ())
    }


def rights_explanation_required(jurisdiction: Jurisdiction) -> bool:
    """Whether the prosecutor records that the rights of the leniency system were fully
    explained before any offer is sent (`rights_explained_before_first_offer`)."""
    return bool(_profile(jurisdiction).get("rights_explained_before_first_offer"))


def role_names(roles: Iterable[str]) -> str:
    """The roles named for a sentence, in Role order: "prosecutor, defense counsel or duty
    lawyer"."""
    names = [str(Role(role).label).lower() for role in Role.values if role in set(roles)]
    if len(names) < 2:
        return "".join(names)
    return _("%(some)s or %(last)s") % {
        "some": _(", ").join(names[:-1]),
        "last": names[-1],
    }


def roles_on(user: AnyUser, case: Case) -> frozenset[str]:
    """The roles `user` holds on `case` through active participations (one query)."""
    return standing_on(user, case).roles


def negotiating_side(roles: frozenset[str], jurisdiction: Jurisdiction) -> str | None:
    """The side a person negotiates for, given their roles on a case under `jurisdiction`;
    None if they do not negotiate there (the court and strangers always; others as the
    profile says)."""
    negotiators = negotiator_roles(jurisdiction)
    sides = {negotiators[role] for role in roles if role in negotiators}
    return sides.pop() if len(sides) == 1 else None


def court_sees_offers(case: Case) -> bool:
    return bool(case.court.jurisdiction.court_sees_offers_before_agreement)


def may_read_offers(user: AnyUser, case: Case) -> bool:
    if roles_on(user, case) & OFFER_READER_ROLES:
        return True
    return court_sees_offers(case) and _sits_in(user, case.court)


def require_offer_reader(user: AnyUser, case: Case) -> None:
    if not may_read_offers(user, case):
        raise PermissionDenied(
            _("The court does not see plea offers; it sees the agreement once it is submitted.")
            if _sits_in(user, case.court) or roles_on(user, case)
            else _("You may not see the negotiation on this case.")
        )


def require_negotiator(user: AnyUser, case: Case) -> str:
    """The side `user` negotiates for on `case`; 403, saying who does under the case's
    profile, for everyone who does not negotiate."""
    roles = roles_on(user, case)
    jurisdiction = case.court.jurisdiction
    side = negotiating_side(roles, jurisdiction)
    if side is None:
        negotiators = negotiator_roles(jurisdiction)
        defense = [role for role, s in negotiators.items() if s == Side.DEFENSE]
        if Role.DEFENDANT in roles and Role.DEFENDANT not in negotiators:
            raise PermissionDenied(
                _("Defendants read offers; their %(negotiators)s answers them.")
                % {"negotiators": role_names(defense)}
            )
        opinions = roles & suggestion_author_roles(jurisdiction)
        if opinions:
            witnesses = bool(opinions & witness_roles(jurisdiction))
            raise PermissionDenied(
                (
                    _(
                        "Under the %(profile)s profile the prosecutor negotiates with the "
                        "%(negotiators)s; the %(role)s gives the prosecution written opinions "
                        "and witnesses the signing."
                    )
                    if witnesses
                    else _(
                        "Under the %(profile)s profile the prosecutor negotiates with the "
                        "%(negotiators)s; the %(role)s gives the prosecution written opinions."
                    )
                )
                % {
                    "profile": jurisdiction.name_shown,
                    "negotiators": role_names(defense),
                    "role": role_names(opinions),
                }
            )
        raise PermissionDenied(
            _("Only the prosecutor and the %(negotiators)s negotiate on this case.")
            % {"negotiators": role_names(defense)}
        )
    return side


def require_role_in(
    user: AnyUser, case: Case, allowed: frozenset[str], what: str
) -> frozenset[str]:
    """The roles `user` holds on `case`; 403 with `what` unless one is in `allowed`."""
    roles = roles_on(user, case)
    if not roles & allowed:
        raise PermissionDenied(what)
    return roles


def require_plea_statement_author(user: AnyUser, case: Case) -> frozenset[str]:
    """The roles of `user` on `case`; 403 unless the profile lets one of them name the plea
    statement's procedure and limits on appeal."""
    authors = plea_statement_roles(case.court.jurisdiction)
    return require_role_in(
        user,
        case,
        authors,
        _("The %(roles)s names the procedure and the limits on appeal.")
        % {"roles": role_names(authors)},
    )


def require_agreement_submitter(user: AnyUser, case: Case) -> frozenset[str]:
    """The roles of `user` on `case`; 403 unless the profile lets one of them submit the
    agreement to the court."""
    submitters = agreement_submitter_roles(case.court.jurisdiction)
    return require_role_in(
        user,
        case,
        submitters,
        _("The %(roles)s submits the agreement to the court.") % {"roles": role_names(submitters)},
    )


def may_review_agreement(user: AnyUser, case: Case) -> bool:
    """Judges and court staff of the case's court rule on a submitted agreement."""
    return _sits_in(user, case.court) or bool(roles_on(user, case) & {Role.JUDGE, Role.COURT_STAFF})


# ---------------------------------------------------------------------------------------------
# Court dates: hearings, deadlines, closure days, alerts and calendar feeds.
#
# Everyone who sees a case sees its hearings and its deadlines, except the deadlines of the
# negotiation (an offer's expiry, the response owed to a defense suggestion), which only those
# who read offers see. The court keeps the calendar: its judges and staff schedule, continue and
# cancel hearings and set, override and cancel deadlines; closure days are entered by the
# court's staff. A deadline is marked met by the court or by a negotiator of the side that had
# to meet it. The negotiation's own deadlines follow their offer or suggestion and are never
# edited by hand.
# ---------------------------------------------------------------------------------------------

# Court-side roles that keep the calendar of a case (as participants, or through the court).
CALENDAR_KEEPER_ROLES = frozenset({Role.JUDGE, Role.COURT_STAFF})


def may_read_case_date(user: AnyUser, case: Case, *, negotiation: bool) -> bool:
    """Whether `user`, who sees `case`, may see one of its dates: every date with the case,
    the negotiation's (deadlines.models.NEGOTIATION_DEADLINE_KINDS) with the offers."""
    if negotiation:
        return may_read_offers(user, case)
    return VIEW in case_permissions_of(user, case)


def may_keep_calendar(user: AnyUser, case: Case) -> bool:
    """Judges and court staff of the case's court (or on the case) schedule its hearings and
    set its deadlines."""
    if not user.is_authenticated or not user.is_active:
        return False
    if _sits_in(user, case.court) and role_kind_of(user) in CALENDAR_KEEPER_ROLES:
        return True
    return bool(roles_on(user, case) & CALENDAR_KEEPER_ROLES)


def require_calendar_keeper(user: AnyUser, case: Case) -> None:
    if not may_keep_calendar(user, case):
        raise PermissionDenied(_("Only the court schedules hearings and sets deadlines."))


def cases_whose_calendar_is_kept_by(user: AnyUser, cases: Iterable[Case]) -> set[int]:
    """The ids among `cases` whose calendar `user` keeps (may_keep_calendar for a batch): one
    query per court for a judge or clerk who sits in it, else the per-case rule."""
    cases = list(cases)
    if not user.is_authenticated or not user.is_active:
        return set()
    kept: set[int] = set()
    sits: dict[int, bool] = {}
    for case in cases:
        court = case.court
        if court.pk not in sits:
            sits[court.pk] = role_kind_of(user) in CALENDAR_KEEPER_ROLES and _sits_in(user, court)
        if sits[court.pk] or may_keep_calendar(user, case):
            kept.add(case.pk)
    return kept


def may_complete_deadline(user: AnyUser, case: Case, responsible_side: str) -> bool:
    """The court, or a negotiator of the side that had to meet the deadline (either side's
    negotiators when the deadline binds every side)."""
    if may_keep_calendar(user, case):
        return True
    side = negotiating_side(roles_on(user, case), case.court.jurisdiction)
    return side is not None and (not responsible_side or side == responsible_side)


def may_manage_closures(user: AnyUser, court: Court) -> bool:
    """Court staff of the court enter and remove its closure days."""
    return role_kind_of(user) == Role.COURT_STAFF and _sits_in(user, court)


def require_closure_manager(user: AnyUser, court: Court) -> None:
    if not may_manage_closures(user, court):
        raise PermissionDenied(_("Only the court's staff enter closure days."))


def courts_with_docket_for(user: AnyUser) -> QuerySet[Court]:
    """The courts whose docket calendar `user` may open: those a judge or clerk sits in."""
    if not user.is_authenticated or role_kind_of(user) not in CALENDAR_KEEPER_ROLES:
        return Court.objects.none()
    return Court.objects.filter(group__user=user.pk)


def may_view_docket(user: AnyUser, court: Court) -> bool:
    """The docket calendar (every hearing of the court) is for the court's judges and staff."""
    return (
        user.is_authenticated
        and role_kind_of(user) in CALENDAR_KEEPER_ROLES
        and _sits_in(user, court)
    )


def may_read_date_behind(walls: frozenset[str], *, negotiation: bool) -> bool:
    """Whether someone with `walls` on a case (walls_of) may read one of its dates: every date
    with the case, the negotiation's dates (offer expiry, an answer owed) behind its wall."""
    return Audience.NEGOTIATION.value in walls if negotiation else bool(walls)


def hears_office_escalations(user: AnyUser) -> bool:
    """Office supervisors hear of every deadline their office's people miss (deadlines.alerts
    escalates to them). Taking no part in those cases, they see none of them: what they are
    told names the person of their office, the kind of deadline and when it was due, never the
    case (its docket number, caption, text or link) unless they may see it themselves."""
    if not user.is_authenticated or not user.is_active:
        return False
    profile = getattr(user, "profile", None)
    return bool(profile is not None and profile.is_supervisor and profile.organization_id)


def alert_reader_roles(case: Case, *, negotiation: bool) -> frozenset[str]:
    """The roles whose holders are alerted about a date on `case`: every participant, or for
    the negotiation's dates those who read offers (and the court, where the profile lets it)."""
    if not negotiation:
        return frozenset(Role.values)
    if court_sees_offers(case):
        return OFFER_READER_ROLES | CALENDAR_KEEPER_ROLES
    return OFFER_READER_ROLES


def may_be_alerted(user: AnyUser, case: Case, *, negotiation: bool) -> bool:
    """Whether `user` still takes part in `case` in a role alerted about such a date (asked
    again when an alert is delivered: access may have ended since it was planned)."""
    return bool(roles_on(user, case) & alert_reader_roles(case, negotiation=negotiation))


# ---------------------------------------------------------------------------------------------
# The record: notes, documents, discovery disclosures and the case history.
#
# Notes and documents sit behind a wall chosen when they are written: prosecution only, defense
# only, shared with everyone on the case, or court only. A person reads what is behind the
# walls of the sides they sit on (their active participations; the court side also through the
# court's group), and everything shared. The history (audit.selectors) is filtered by the same
# walls, plus the negotiation's wall (those who read offers: the court not, under the US
# profile) and each side's unsent drafts. The defendant reads their side's record but writes
# nothing; the prosecution alone records discovery it has disclosed.
# ---------------------------------------------------------------------------------------------

WALL_OF_SIDE: dict[str, str] = {
    Side.PROSECUTION: Audience.PROSECUTION,
    Side.DEFENSE: Audience.DEFENSE,
    Side.COURT: Audience.COURT,
}
RECORD_WRITER_ROLES = frozenset(
    {Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.JUDGE, Role.COURT_STAFF}
)
DISCLOSER_ROLES = frozenset({Role.PROSECUTOR})


class Standing(NamedTuple):
    """What `user` holds on one case: the roles and sides of their active participations."""

    roles: frozenset[str]
    sides: frozenset[str]


def standing_on(user: AnyUser, case: Case) -> Standing:
    """The participations every row rule of one case rests on (read once per GET request),
    with in_court_group: a page of one case decides its rows' rules from these rather than by
    a subquery on each row."""
    if not user.is_authenticated or not user.is_active:
        return Standing(frozenset(), frozenset())
    rows = _participations(user, case)
    return Standing(frozenset(r for r, _ in rows), frozenset(s for _, s in rows))


def in_court_group(user: AnyUser, case: Case) -> bool:
    """Whether `user` is in the group of the case's court, whatever their role (as
    cases.party_selectors.court_member_of_row asks of each row)."""
    return user.is_authenticated and user.is_active and _sits_in(user, case.court)


def _standing(user: AnyUser, case: Case) -> tuple[frozenset[str], frozenset[str], bool]:
    """(roles, sides, sits in the court) of `user` on `case`: two queries, for the record's
    rules, which ask all three at once."""
    roles, sides = standing_on(user, case)
    # Only judges and court staff sit for the court, whoever else is in its group.
    sits = role_kind_of(user) in CALENDAR_KEEPER_ROLES and in_court_group(user, case)
    return roles, sides, sits


def _walls(
    roles: frozenset[str], sides: frozenset[str], sits: bool, *, court_sees_offers: bool
) -> frozenset[str]:
    """The walls of someone who may see the case, from their standing on it."""
    walls = {Audience.SHARED.value}
    walls |= {WALL_OF_SIDE[side] for side in sides}
    if sits:
        walls.add(Audience.COURT.value)
    if roles & OFFER_READER_ROLES or (sits and court_sees_offers):
        walls.add(Audience.NEGOTIATION.value)
    return frozenset(walls)


def walls_of(user: AnyUser, case: Case) -> frozenset[str]:
    """The audiences whose notes, documents and history `user` may read on `case`
    (empty when they may not see the case at all). Three queries."""
    roles, sides, sits = _standing(user, case)
    if not (roles or sits):
        return frozenset()
    from cases.selectors import may_see_case  # the one test of who sees a case

    if not may_see_case(user, case.pk):
        return frozenset()
    return _walls(roles, sides, sits, court_sees_offers=court_sees_offers(case))


def walls_by_case(user: AnyUser, case_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """walls_of for many cases at once, in three queries whatever their number: for what is
    kept of a case elsewhere (notifications, digests) and read back through the walls. A case
    the user may not see maps to no walls."""
    ids = sorted(set(case_ids))
    if not ids or not user.is_authenticated or not user.is_active:
        return dict.fromkeys(ids, frozenset())
    from cases.selectors import cases_visible_among  # the one test of who sees a case

    visible = list(
        cases_visible_among(user, ids).values_list(
            "pk", "court_id", "court__jurisdiction__court_sees_offers_before_agreement"
        )
    )
    standing: dict[int, list[tuple[str, str]]] = {}
    for case_id, role, side in (
        CaseParticipant.objects.held_by(user)
        .active()
        .filter(case_id__in=[pk for pk, _court, _sees in visible])
        .values_list("case_id", "role", "side")
    ):
        standing.setdefault(case_id, []).append((role, side))
    seats: set[int] = set()
    if role_kind_of(user) in CALENDAR_KEEPER_ROLES:
        seats = set(Court.objects.filter(group__user=user.pk).values_list("pk", flat=True))
    walls: dict[int, frozenset[str]] = dict.fromkeys(ids, frozenset())
    for case_id, court_id, sees_offers in visible:
        rows = standing.get(case_id, [])
        roles = frozenset(r for r, _ in rows)
        sits = court_id in seats
        if roles or sits:
            sides = frozenset(s for _, s in rows)
            walls[case_id] = _walls(roles, sides, sits, court_sees_offers=bool(sees_offers))
    return walls


def record_walls_writable(user: AnyUser, case: Case) -> list[str]:
    """The visibilities `user` may give a note or document they add: their side's, or shared.
    Empty for those who only read (the defendant) and for everyone not on the case."""
    roles, _, sits = _standing(user, case)
    sides = {SIDE_OF_ROLE[role] for role in roles & RECORD_WRITER_ROLES}
    # The court's judges and staff write for the court, as they keep its calendar.
    if sits or roles & CALENDAR_KEEPER_ROLES:
        sides.add(Side.COURT)
    if len(sides) != 1:
        return []
    return [WALL_OF_SIDE[sides.pop()], Audience.SHARED.value]


def require_record_writer(user: AnyUser, case: Case, visibility: str) -> None:
    writable = record_walls_writable(user, case)
    if not writable:
        raise PermissionDenied(_("Only the parties' lawyers and the court add to the record."))
    if visibility in WALL_OF_SIDE.values() and visibility not in writable:
        raise PermissionDenied(_("You may only write behind your own side's wall, or share."))


def may_disclose(user: AnyUser, case: Case) -> bool:
    return bool(roles_on(user, case) & DISCLOSER_ROLES)


def require_discloser(user: AnyUser, case: Case) -> None:
    if not may_disclose(user, case):
        raise PermissionDenied(_("Only the prosecution records what it has disclosed."))


def record_recipients(case: Case, visibility: str) -> list[User]:
    """Who is told of a new note or document: every active participant with a login whose
    side's wall (or the shared wall) it sits behind."""
    rows = (
        CaseParticipant.objects.active()
        .filter(case=case)
        .select_related("user", "defendant__user")
        .order_by("id")
    )
    people: dict[int, User] = {}
    for row in rows:
        person = row.user or (row.defendant.user if row.defendant else None)
        if person is None or not person.is_active:
            continue
        if visibility == Audience.SHARED or WALL_OF_SIDE[row.side] == visibility:
            people[person.pk] = person
    return list(people.values())


# --- integrations: API clients ---------------------------------------------------------------
class ApiClientLike(Protocol):
    """An API client (integrations.models.ApiClient, an app above this one) as far as the
    rules here read it."""

    @property
    def role(self) -> str: ...
    @property
    def court(self) -> Court: ...
    @property
    def owner_id(self) -> int: ...
    @property
    def account_id(self) -> int: ...
    @property
    def revoked_at(self) -> dt.datetime | None: ...


# An API client runs as a service account holding one of these roles. A court client (a docket
# system) is court staff of its court; a party's client (an office's case system) holds a
# party's role and sees only the cases it is made a participant of, in its court.
API_CLIENT_ROLES = frozenset({Role.COURT_STAFF, Role.PROSECUTOR, Role.DEFENSE_COUNSEL})

# Who hears of offers (events offer.*): the parties, never the court, whatever the profile.
PARTY_EVENT_ROLES = OFFER_READER_ROLES


def is_api_account(user: AnyUser) -> bool:
    """Whether `user` is an API client's service account (its requests, not a person's)."""
    return user.is_authenticated and bool(getattr(user, "api_client", None))


def may_manage_api_clients(user: AnyUser, court: Court) -> bool:
    """Court staff of a court (and operators) make and revoke the court's API clients. A
    client's own account, though court staff, manages none: a token never mints tokens."""
    if not user.is_authenticated or not user.is_active or is_api_account(user):
        return False
    if user.is_superuser:
        return True
    return role_kind_of(user) == Role.COURT_STAFF and _sits_in(user, court)


def may_own_api_client(user: AnyUser, court: Court, role: str) -> bool:
    """Who may own (look after) a client acting as `role` in `court`: for the court's docket
    system, its staff; for a party's system, a person of that party's role. The court never
    holds the keys of a party's client: those read the party's offers."""
    if not user.is_authenticated or not user.is_active or is_api_account(user):
        return False
    if role == Role.COURT_STAFF:
        return role_kind_of(user) == Role.COURT_STAFF and _sits_in(user, court)
    return role in API_CLIENT_ROLES and role_kind_of(user) == role


def may_manage_api_client(user: AnyUser, client: ApiClientLike) -> bool:
    """A court client is looked after by its owner and the court's staff; a party's client by
    its owner alone (integrations.selectors.api_clients_managed_by says the same in SQL)."""
    if not user.is_authenticated or not user.is_active or is_api_account(user):
        return False
    if user.is_superuser:
        return True
    if client.role == Role.COURT_STAFF and may_manage_api_clients(user, client.court):
        return True
    return client.owner_id == user.pk and may_own_api_client(user, client.court, client.role)


def may_manage_webhooks(user: AnyUser, client: ApiClientLike) -> bool:
    """The client's managers, and the client itself, through its own token, for its own
    webhook endpoints (a token never reaches another client's)."""
    if may_manage_api_client(user, client):
        return True
    return (
        user.is_authenticated
        and user.is_active
        and user.pk == client.account_id
        and client.revoked_at is None
    )


def require_api_client_manager(user: AnyUser, client: ApiClientLike) -> None:
    if not may_manage_api_client(user, client):
        raise PermissionDenied(
            _("Only the client's owner (or, for a court's client, the court's staff) manages it.")
        )


# --- integrations: docket sync ---------------------------------------------------------------
# The court's docket system is the record of its cases, charges, parties and hearings; a sync
# writes all four through the ordinary services. The people who keep that docket in Parley
# are the court's staff, and a docket system's API client runs as court staff of its court, so
# one rule covers the clerk uploading a CSV and the system posting batches.


def may_sync_docket(user: AnyUser, court: Court) -> bool:
    """Court staff of `court` (people or API client accounts) import its docket."""
    return (
        user.is_authenticated
        and user.is_active
        and role_kind_of(user) == Role.COURT_STAFF
        and _sits_in(user, court)
    )


def require_docket_syncer(user: AnyUser, court: Court) -> None:
    if not may_sync_docket(user, court):
        raise PermissionDenied(_("Only the court's staff import its docket."))


def courts_docket_synced_by(user: AnyUser) -> QuerySet[Court]:
    """The courts whose docket `user` imports (may_sync_docket as a query): a docket sync job
    is seen by the staff of its court, like the import itself."""
    if not user.is_authenticated or not user.is_active or role_kind_of(user) != Role.COURT_STAFF:
        return Court.objects.none()
    return Court.objects.filter(group__in=user.groups.all())
