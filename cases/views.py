"""Case pages: validate a form, call one service or selector, render.

Who may do what comes from cases.permissions; the services check it again. A case the user may
not see answers 404 on every page and POST (cases.selectors.case_get_for_user), an action they
may not take on a case they see answers 403. Service errors are shown next to the form field
they name; a Conflict (illegal in the case's current state) is shown on top of the form, 409.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cases import party_selectors, party_services, permissions, selectors, services
from cases.forms import (
    CaseFilterForm,
    CaseOpenForm,
    CaseTransitionForm,
    CaseUpdateForm,
    ChargeAddForm,
    ParticipantAddForm,
    ParticipantEndForm,
    ParticipantPickerForm,
)
from cases.models import Case, CaseStatus
from core import domain_events
from core.decorators import login_required_htmx as _login_required
from core.exceptions import Conflict
from core.forms import submit_form
from core.sections import CASE_PAGE, DASHBOARD, sections_context
from core.text import user_name
from parties.models import CaseParticipant, Defendant, Role, Side
from parties.selectors import participants_of_case, people_who_may_join_cases

T = TypeVar("T")

CASES_PER_PAGE = 50
SIDES_IN_ORDER = [Side.PROSECUTION, Side.DEFENSE, Side.COURT]


def _submit(form: forms.Form, action: Callable[[dict[str, Any]], T]) -> tuple[T | None, int]:
    """core.forms.submit_form, with a Conflict shown at the top of the form."""
    result, status, conflict = submit_form(form, action)
    if conflict:
        form.add_error(None, conflict)
    return result, status


def _case_url(case: Case, anchor: str = "") -> str:
    url = reverse("cases:detail", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


# --- lists -------------------------------------------------------------------------------


@_login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Every case the user may see, newest first, searchable. One statement for the page
    whatever the number of cases (cases.selectors.case_page_for_user); no total is counted,
    because counting 200,000 visible cases would cost more than the page."""
    user = request.user
    form = CaseFilterForm(request.GET or None, courts=selectors.courts_of_user(user))
    before, after = _position(request.GET.get("before")), _position(request.GET.get("after"))
    asked = form.cleaned_data if form.is_bound and form.is_valid() else {}
    court = asked.get("court")
    page = selectors.case_page_for_user(
        user,
        filtered=form.apply(Case.objects.all(), status=False),
        statuses=[asked["status"]] if asked.get("status") else [],
        court_id=court.pk if court else None,
        before=before,
        after=after if before is None else None,
        size=CASES_PER_PAGE,
    )
    context = {
        "form": form,
        "page": page,
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        "may_open_cases": permissions.may_open_cases(user),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "case-results" and not htmx.history_restore_request:
        return render(request, "cases/partials/case_results.html", context)
    return render(request, "cases/case_list.html", context)


def _position(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


# --- open a case -------------------------------------------------------------------------


@_login_required
def case_open(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.may_open_cases(user):
        raise PermissionDenied(_("Only prosecutors and court staff open cases."))
    form = CaseOpenForm(
        request.POST or None, courts=permissions.courts_where_may_open_cases(user).order_by("name")
    )
    status = 200
    if request.method == "POST":
        case, status = _submit(form, lambda data: services.case_open(by=user, **data))  # type: ignore[arg-type]
        if case is not None:
            messages.success(
                request, _("Case %(docket_number)s opened.") % {"docket_number": case.docket_number}
            )
            return redirect(_case_url(case))
    return render(request, "cases/case_open.html", {"form": form}, status=status)


# --- one case ----------------------------------------------------------------------------


def _status_moves(user: Any, case: Case) -> tuple[list[str], list[dict[str, Any]]]:
    """The moves `user` may make now, and every legal move with the sides that may make it."""
    legal = [s for s in CaseStatus.values if s in services.LEGAL_STATUS_MOVES[case.status]]
    workflow = [
        {
            "status": s,
            "label": CaseStatus(s).label,
            "sides": [
                Side(side).label
                for side in SIDES_IN_ORDER
                if side in permissions.STATUS_MOVE_SIDES.get((case.status, s), frozenset())
            ],
        }
        for s in legal
    ]
    mine = [s for s in legal if permissions.may_move_status(user, case, s)]
    return mine, workflow


def _charge_form(case: Case, data: Any = None) -> ChargeAddForm:
    return ChargeAddForm(data, prefix="charge", statutes=selectors.statutes_for_case(case))


def _charges_context(
    request: HttpRequest, case: Case, perms: frozenset[str], charge_form: ChargeAddForm | None
) -> dict[str, Any]:
    may_manage = permissions.MANAGE_CHARGES in perms and services.case_takes_new_charges(case)
    return {
        "case": case,
        "charges": selectors.charges_visible_to(request.user)
        .filter(case_id=case.pk)
        .order_by("count_number"),
        "charge_form": charge_form or (_charge_form(case) if may_manage else None),
    }


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    bound: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    """The case page; `bound` holds a submitted form to show again with its errors."""
    user = request.user
    bound = bound or {}
    perms = permissions.case_permissions_of(user, case)
    managed_roles = permissions.participant_roles_managed_by(user, case)
    moves, workflow = _status_moves(user, case)

    groups: dict[str, list[CaseParticipant]] = {side: [] for side in SIDES_IN_ORDER}
    participants = list(participants_of_case(case.pk))
    conflicts = party_services.participant_conflict_sentences(participants, reader=user)
    for participant in participants:
        participant.conflict_sentences = conflicts.get(participant.pk, [])  # type: ignore[attr-defined]
        prefix = f"end{participant.pk}"
        # A submitted form stays on its row even if the part has ended meanwhile: it says so.
        if participant.role in managed_roles and (participant.is_active or prefix in bound):
            participant.end_form = bound.get(prefix) or ParticipantEndForm(prefix=prefix)  # type: ignore[attr-defined]
        groups[participant.side].append(participant)
    party_groups = []
    for side, rows in groups.items():
        rows.sort(key=_ended_last)  # current parties first, then those whose part has ended
        party_groups.append({"side": side, "label": Side(side).label, "participants": rows})

    context: dict[str, Any] = {
        **_charges_context(request, case, perms, bound.get("charge")),  # type: ignore[arg-type]
        "party_groups": party_groups,
        "status_history": selectors.case_status_history(case),
        # The court dates and the negotiation: sections their apps register (core.sections).
        **sections_context(CASE_PAGE, user=user, case=case),
        "workflow": workflow,
        "move_form": _move_form(bound.get("move"), moves),
        "edit_form": bound.get("edit")
        or (
            CaseUpdateForm(prefix="edit", initial={"caption": case.caption, "sealed": case.sealed})
            if permissions.CHANGE in perms
            else None
        ),
    }
    context.update(_participant_form_context(user, case, managed_roles, bound.get("participant")))
    return render(request, "cases/case_detail.html", context, status=status)


def _move_form(submitted: forms.Form | None, moves: list[str]) -> forms.Form | None:
    if submitted is None:
        return CaseTransitionForm(prefix="move", moves=moves) if moves else None
    if moves and isinstance(submitted, CaseTransitionForm):
        submitted.offer(moves)  # shown again with its error: the moves open now
    return submitted


def _ended_last(participant: CaseParticipant) -> bool:
    return not participant.is_active


@_login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(request.user, case_id)
    domain_events.publish(domain_events.CaseViewed(case=case, request=request, seen="case page"))
    return _render_case(request, case)


@_login_required
@require_POST
def case_update(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = selectors.case_get_for_user(user, case_id)
    permissions.require_case_permission(user, case, permissions.CHANGE)
    form = CaseUpdateForm(request.POST, prefix="edit")
    updated, status = _submit(
        form,
        lambda data: services.case_update(case=case, by=user, **data),  # type: ignore[arg-type]
    )
    if updated is None:
        # The service may have changed the object in memory before refusing; show the stored one.
        case = selectors.case_get_for_user(user, case_id)
        return _render_case(request, case, status=status, bound={"edit": form})
    messages.success(request, _("Case details saved."))
    return redirect(_case_url(case))


@_login_required
@require_POST
def case_transition(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = selectors.case_get_for_user(user, case_id)
    permissions.require_case_permission(user, case, permissions.TRANSITION)
    form = CaseTransitionForm(request.POST, prefix="move")
    moved, status = _submit(
        form,
        lambda data: services.case_transition(case=case, by=user, **data),  # type: ignore[arg-type]
    )
    if moved is None:
        case = selectors.case_get_for_user(user, case_id)
        return _render_case(request, case, status=status, bound={"move": form})
    messages.success(
        request, _("Case moved to “%(status)s”.") % {"status": moved.get_status_display()}
    )
    return redirect(_case_url(case, "status"))


@_login_required
@require_POST
def charge_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = selectors.case_get_for_user(user, case_id)
    permissions.require_case_permission(user, case, permissions.MANAGE_CHARGES)
    form = _charge_form(case, request.POST)
    charge, status = _submit(
        form,
        lambda data: services.charge_add(case=case, by=user, **data),  # type: ignore[arg-type]
    )
    message = f"Count {charge.count_number} added: {charge.statute.citation}." if charge else None
    if getattr(request, "htmx", False):
        # The charges section alone, with a fresh form after success or this one with errors.
        perms = permissions.case_permissions_of(user, case)
        context = _charges_context(request, case, perms, None if charge else form)
        context["charge_message"] = message
        return render(request, "cases/partials/charges.html", context, status=status)
    if charge is None or message is None:
        return _render_case(request, case, status=status, bound={"charge": form})
    messages.success(request, message)
    return redirect(_case_url(case, "charges"))


@_login_required
@require_POST
def participant_add(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = selectors.case_get_for_user(user, case_id)
    managed_roles = permissions.participant_roles_managed_by(user, case)
    if not managed_roles:
        raise PermissionDenied(_("You may not add participants to this case."))
    form = _participant_form(user, managed_roles, request.POST)

    def add(data: dict[str, Any]) -> CaseParticipant | None:
        try:
            return party_services.participant_add(case=case, by=user, **data)  # type: ignore[arg-type]
        except Conflict as conflict:
            if conflict.code != "conflict_of_interest":
                raise
            # Shown as a list with a field for the reason to override, not as a form error.
            form.flag_conflicts(conflict.details["conflicts"])
            return None

    participant, status = _submit(form, add)
    if participant is None:
        status = 409 if form.conflicts else status
        return _render_case(request, case, status=status, bound={"participant": form})
    messages.success(
        request,
        _("%(display_name)s added as %(role)s.")
        % {"display_name": participant.display_name, "role": participant.get_role_display()},
    )
    return redirect(_case_url(case, "parties"))


@_login_required
@require_POST
def participant_end(request: HttpRequest, case_id: int, participant_id: int) -> HttpResponse:
    user = request.user
    case = selectors.case_get_for_user(user, case_id)
    participant = party_selectors.participant_get_for_user(user, participant_id)
    if participant.case_id != case.pk:
        raise Http404(_("No such participant on this case."))
    permissions.require_participant_management(user, case, participant.role)
    prefix = f"end{participant.pk}"
    form = ParticipantEndForm(request.POST, prefix=prefix)
    ended, status = _submit(
        form,
        lambda data: party_services.participant_end(participant=participant, by=user, **data),  # type: ignore[arg-type]
    )
    if ended is None:
        return _render_case(request, case, status=status, bound={prefix: form})
    messages.success(
        request,
        _("%(display_name)s's part as %(role)s ended on %(end_date)s.")
        % {
            "display_name": participant.display_name,
            "role": participant.get_role_display(),
            "end_date": format(ended.end_date, "%Y-%m-%d"),
        },
    )
    if not selectors.may_see_case(user, case.pk):
        # They ended their own part, and with it their access to the case.
        return redirect("cases:list")
    return redirect(_case_url(case, "parties"))


# --- the add-participant form's pickers ------------------------------------------------------
#
# A court has tens of thousands of people who might take part and as many defendants, so the
# form lists none of them: each picker is a search (htmx, as you type) whose results are radio
# buttons, at most PICKER_RESULTS of them, showing a name and an organization (a defendant's
# date of birth). The search finds only people who may take the chosen role in the case's court
# (cases.party_selectors.people_who_may_take_part) and defendants the user may see; the service
# checks the chosen one again when the form is sent.

PICKER_RESULTS = party_selectors.FOUND_AT_MOST
PICKER_MIN_SEARCH = 2


@dataclass
class PickerOption:
    value: int
    name: str
    detail: str = ""
    checked: bool = False


@dataclass
class Picker:
    """One picker of the add-participant form: the field it fills, the field typed into, where
    it searches, and the results shown (on the page: only the choice already made)."""

    choice: forms.BoundField  # participant-user or participant-defendant
    search: forms.BoundField  # participant-person_search or participant-defendant_search
    url: str
    options: list[PickerOption] = dataclasses.field(default_factory=list)
    message: str = ""
    more: bool = False

    @property
    def id(self) -> str:
        return str(self.choice.auto_id)

    @property
    def role_id(self) -> str:
        """The role select's id, for the person picker: whom it finds depends on the role."""
        return str(self.choice.form["role"].auto_id) if self.choice.name == "user" else ""

    def show(self, rows: list[Any], option: Callable[[Any], PickerOption]) -> int:
        """Show the first PICKER_RESULTS of `rows` (one more was read, to know if there are
        more); the number shown."""
        self.more = len(rows) > PICKER_RESULTS
        self.options = [option(row) for row in rows[:PICKER_RESULTS]]
        return len(self.options)


def _participant_form(user: Any, managed_roles: list[str], data: Any = None) -> ParticipantAddForm:
    return ParticipantAddForm(
        data,
        prefix="participant",
        people=people_who_may_join_cases(),
        defendants=party_selectors.defendants_visible_to(user),
        roles=managed_roles,
    )


def _person_picker(case: Case, form: ParticipantAddForm) -> Picker:
    url = reverse("cases:participant-people", args=[case.pk])
    return Picker(choice=form["user"], search=form["person_search"], url=url)


def _defendant_picker(case: Case, form: ParticipantAddForm) -> Picker:
    url = reverse("cases:participant-defendants", args=[case.pk])
    return Picker(choice=form["defendant"], search=form["defendant_search"], url=url)


def _participant_form_context(
    user: Any, case: Case, managed_roles: list[str], submitted: forms.Form | None
) -> dict[str, Any]:
    """The add-participant form and its pickers, each showing the choice already made when the
    form comes back (errors, a conflict of interest). No query: the choices were read when the
    form was validated."""
    if not managed_roles:
        return {"participant_form": None}
    form = (
        submitted
        if isinstance(submitted, ParticipantAddForm)
        else _participant_form(user, managed_roles)
    )
    person_picker = defendant_picker = None
    if any(role != Role.DEFENDANT for role in managed_roles):
        person_picker = _person_picker(case, form)
        if form.chosen_person is not None:
            person_picker.options = [_person_option(form.chosen_person, checked=True)]
    if Role.DEFENDANT in managed_roles:
        defendant_picker = _defendant_picker(case, form)
        if form.chosen_defendant is not None:
            defendant_picker.options = [_defendant_option(form.chosen_defendant, checked=True)]
    return {
        "participant_form": form,
        "person_picker": person_picker,
        "defendant_picker": defendant_picker,
    }


def _person_option(person: Any, *, checked: bool = False) -> PickerOption:
    profile = getattr(person, "profile", None)
    organization = profile.organization if profile is not None else None
    return PickerOption(
        value=person.pk,
        name=user_name(person),
        detail=str(organization) if organization is not None else "",
        checked=checked,
    )


def _defendant_option(defendant: Defendant, *, checked: bool = False) -> PickerOption:
    born = defendant.date_of_birth
    return PickerOption(
        value=defendant.pk,
        name=defendant.full_name,
        detail=_("born %(date)s") % {"date": f"{born:%Y-%m-%d}"} if born else "",
        checked=checked,
    )


@dataclass
class _PickerSearch:
    case: Case
    form: ParticipantPickerForm
    managed_roles: list[str]

    def require_role(self, user: Any, role: str) -> None:
        """403 unless `user` adds participants in `role` on the case."""
        if role not in self.managed_roles:
            permissions.require_participant_management(user, self.case, role)  # says why


def _picker_search(request: HttpRequest, case_id: int) -> _PickerSearch:
    """The case (404 unless the user sees it; 403 unless they manage some of its participants)
    and the search sent."""
    user = request.user
    case = selectors.case_get_for_user(user, case_id)
    managed_roles = permissions.participant_roles_managed_by(user, case)
    if not managed_roles:
        raise PermissionDenied(_("You may not add participants to this case."))
    form = ParticipantPickerForm(request.GET, prefix="participant")
    return _PickerSearch(case, form, managed_roles)


def _picker_response(request: HttpRequest, picker: Picker, status: int = 200) -> HttpResponse:
    return render(request, "cases/partials/picker_results.html", {"picker": picker}, status=status)


def _search_errors(search: ParticipantPickerForm) -> str:
    return " ".join(str(message) for messages in search.errors.values() for message in messages)


@_login_required
@require_GET
def participant_people(request: HttpRequest, case_id: int) -> HttpResponse:
    """The person picker's results: the people who may take part in this case's court in the
    chosen role, found by name. Only for a role the user adds on this case (else 403)."""
    asked = _picker_search(request, case_id)
    case, search = asked.case, asked.form
    picker = _person_picker(case, _participant_form(request.user, []))
    if not search.is_valid():
        picker.message = _search_errors(search)
        return _picker_response(request, picker, status=400)
    role, text = search.cleaned_data["role"], search.cleaned_data["person_search"].strip()
    if role:
        asked.require_role(request.user, role)
    if not role:
        picker.message = _("Choose a role first: the search finds the people who may take it.")
    elif role == Role.DEFENDANT:
        picker.message = _("A defendant is chosen under “Defendant”.")
    elif len(text) < PICKER_MIN_SEARCH:
        picker.message = _("Type at least two letters of their name or username.")
    else:
        rows = party_selectors.people_who_may_take_part(
            case.court, role, search=text, limit=PICKER_RESULTS + 1
        )
        count = picker.show(list(rows), _person_option)
        found = {"count": count, "role": Role(role).label.lower(), "text": text}
        picker.message = (
            ngettext(
                "%(count)d person who may take part as %(role)s.",
                "%(count)d people who may take part as %(role)s.",
                count,
            )
            if count
            else _("No one who may take part as %(role)s in this court matches “%(text)s”.")
        ) % found
    return _picker_response(request, picker)


@_login_required
@require_GET
def participant_defendants(request: HttpRequest, case_id: int) -> HttpResponse:
    """The defendant picker's results: the defendants the user may see, found by name. Only for
    those who add defendants on this case (else 403)."""
    asked = _picker_search(request, case_id)
    case, search = asked.case, asked.form
    asked.require_role(request.user, Role.DEFENDANT)
    picker = _defendant_picker(case, _participant_form(request.user, []))
    if not search.is_valid():
        picker.message = _search_errors(search)
        return _picker_response(request, picker, status=400)
    text = search.cleaned_data["defendant_search"].strip()
    if len(text) < PICKER_MIN_SEARCH:
        picker.message = _("Type at least two letters of their name.")
    else:
        rows = party_selectors.defendants_found_for(
            request.user, search=text, limit=PICKER_RESULTS + 1
        )
        count = picker.show(list(rows), _defendant_option)
        picker.message = (
            ngettext("%(count)d defendant found.", "%(count)d defendants found.", count)
            if count
            else _("No defendant you may see matches “%(text)s”.")
        ) % {"count": count, "text": text}
    return _picker_response(request, picker)


# --- the dashboard -------------------------------------------------------------------------


DASHBOARD_ROWS = 50
# Judges and clerks follow their court's docket; everyone else follows the cases they are on.
COURT_ROLES = frozenset({Role.JUDGE, Role.COURT_STAFF})

# The statuses a case may move to next, in workflow order, from the workflow in cases.services.
NEXT_STATUSES: dict[str, list[str | Promise]] = {
    status: [
        CaseStatus(s).label for s in CaseStatus.values if s in services.LEGAL_STATUS_MOVES[status]
    ]
    for status in CaseStatus.values
}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """My cases: one query for the rows, one for the counts by status, and the sections other
    apps register for the dashboard (core.sections; the hearings and deadlines of the next two
    weeks, deadlines.selectors.upcoming_for: three queries).

    Parties follow the cases they are on (a few hundred at most). Judges and clerks follow
    their court's docket, which can hold hundreds of thousands of cases: their rows come from
    the keyset page and their counts from the rollup the database keeps (CaseStatusCount),
    because the court's staff steer the docket by them (how many await a plea, a trial).
    """
    user = request.user
    follows_court = permissions.role_kind_of(user) in COURT_ROLES
    mine = CaseParticipant.objects.held_by(user).active()
    if follows_court:
        counts = selectors.case_status_counts_of_courts_for(user)
        rows = selectors.case_page_for_user(user, size=DASHBOARD_ROWS).cases
    else:
        cases = selectors.cases_visible_among(user, mine.values("case_id")).select_related(
            "court", "court__jurisdiction"
        )
        counts = dict(cases.order_by().values_list("status").annotate(n=Count("pk")))
        rows = list(
            cases.annotate(
                my_role=Subquery(
                    mine.filter(case=OuterRef("pk")).order_by("-is_lead", "id").values("role")[:1]
                ),
                my_lead=Subquery(
                    mine.filter(case=OuterRef("pk"))
                    .order_by("-is_lead", "id")
                    .values("is_lead")[:1]
                ),
            ).order_by("-updated_at", "-id")[:DASHBOARD_ROWS]
        )
    for case in rows:
        role = getattr(case, "my_role", None)
        case.my_role_label = Role(role).label if role else ""  # type: ignore[attr-defined]
        case.next_statuses = NEXT_STATUSES[case.status]  # type: ignore[attr-defined]
    return render(
        request,
        "dashboard.html",
        {
            "cases": rows,
            "follows_court": follows_court,
            "status_counts": [
                {"status": s, "label": CaseStatus(s).label, "count": counts.get(s, 0)}
                for s in CaseStatus.values
            ],
            "total": sum(counts.values()),
            "may_open_cases": permissions.may_open_cases(user),
            **sections_context(DASHBOARD, user=user),
        },
    )
