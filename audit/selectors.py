"""Reads of a case's history, for the page, the API and the exports alike.

A reader sees the events of a case they may see, behind the walls they read
(cases.permissions.walls_of): the filter is in SQL, so an event behind another wall is never
returned, counted or offered as a filter choice. Newest first, paged by id.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from audit import presentation
from audit.models import AuditEvent
from cases import permissions
from cases.models import Case
from core.text import user_name

if TYPE_CHECKING:
    from cases.permissions import AnyUser

FILTER_NAMES = ("actor", "kind", "since", "until")
_KIND = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The years a filter date may fall in: wide enough for any record, narrow enough that the day
# after the end date is still a date.
_YEARS = (1900, 2199)


@dataclass(frozen=True)
class HistoryFilters:
    """Who acted (a user id), what (a subject such as "note", or a kind such as
    "note.created"), and from which day to which day, both included, in UTC."""

    actor: int | None = None
    kind: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def as_params(self) -> dict[str, str]:
        """The filters that are set, as query parameters (for links and the export record)."""
        params = {
            "actor": "" if self.actor is None else str(self.actor),
            "kind": self.kind,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {name: value for name, value in params.items() if value}


def history_filters(params: Mapping[str, Any]) -> HistoryFilters:
    """The filters from query parameters; a ValidationError naming each bad one. An empty
    parameter (a form's "any") is no filter."""
    errors: dict[str, str] = {}
    raw = {name: str(params.get(name) or "").strip() for name in FILTER_NAMES}
    actor: int | None = None
    if raw["actor"]:
        if raw["actor"].isascii() and raw["actor"].isdigit() and len(raw["actor"]) < 10:
            actor = int(raw["actor"])
        else:
            errors["actor"] = _("Give the person as a user id (a whole number).")
    if raw["kind"] and (len(raw["kind"]) > 64 or not _KIND.match(raw["kind"])):
        errors["kind"] = _('Give a subject such as "note", or a kind such as "note.created".')
    days: dict[str, dt.date | None] = {"since": None, "until": None}
    for name in days:
        if not raw[name]:
            continue
        try:
            if not _DATE.match(raw[name]):
                raise ValueError
            day = dt.date.fromisoformat(raw[name])
        except ValueError:
            errors[name] = _("Give a date as YYYY-MM-DD.")
            continue
        if not _YEARS[0] <= day.year <= _YEARS[1]:
            errors[name] = _("Give a date between %(first)s and %(last)s.") % {
                "first": _YEARS[0],
                "last": _YEARS[1],
            }
            continue
        days[name] = day
    since, until = days["since"], days["until"]
    if since and until and since > until:
        errors["until"] = _("The end date is before the start date.")
    if errors:
        raise ValidationError(errors)
    return HistoryFilters(actor=actor, kind=raw["kind"], since=since, until=until)


def history_visible_to(user: AnyUser, case: Case) -> QuerySet[AuditEvent]:
    """Every event of `case` that `user` may read, newest first (none if they may not see the
    case: callers find the case with cases.selectors.case_get_for_user first)."""
    walls = permissions.walls_of(user, case)
    return AuditEvent.objects.filter(case_id=case.pk, audience__in=walls).order_by("-id")


def history_filtered(events: QuerySet[AuditEvent], filters: HistoryFilters) -> QuerySet[AuditEvent]:
    if filters.actor is not None:
        events = events.filter(actor_id=filters.actor)
    if filters.kind:
        if "." in filters.kind:
            events = events.filter(kind=filters.kind)
        else:
            events = events.filter(kind__startswith=filters.kind + ".")
    if filters.since:
        events = events.filter(occurred_at__gte=_utc_midnight(filters.since))
    if filters.until:
        events = events.filter(occurred_at__lt=_utc_midnight(filters.until + dt.timedelta(days=1)))
    return events


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def history_cursor(raw: str | None) -> int | None:
    """The page's cursor: the id of the last event shown on the newer page."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    raise ValidationError({"cursor": _("This link to older events is damaged; start again.")})


@dataclass(frozen=True)
class HistoryPage:
    events: list[AuditEvent]
    # The cursor for the next (older) page, if there is one.
    older: int | None


def history_page(events: QuerySet[AuditEvent], *, before: int | None, size: int) -> HistoryPage:
    """One page of `events`, newest first, older than `before` (an id); one query."""
    if before is not None:
        events = events.filter(id__lt=before)
    rows = list(events.order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return HistoryPage(events=rows, older=rows[-1].pk if more else None)


@dataclass(frozen=True)
class HistoryChoices:
    """What the page's filters offer: the people and the kinds of the events the reader sees
    (never those behind another wall), with everyone's display name."""

    people: list[tuple[int, str]]
    kinds: list[tuple[str, str]]
    names: dict[int, str]


def history_choices(events: QuerySet[AuditEvent]) -> HistoryChoices:
    """Two queries: the distinct (kind, actor) pairs of `events`, and the people's names."""
    pairs = list(
        events.order_by().values_list("kind", "table_name", "actor_id", "actor_name").distinct()
    )
    recorded: dict[int, str] = {}
    tables: dict[str, str] = {}
    for kind, table, actor_id, actor_name in pairs:
        tables.setdefault(kind, table)
        if actor_id is not None:
            recorded.setdefault(actor_id, actor_name)
    names = people_names(recorded)
    people = sorted(
        ((pk, _person_label(names.get(pk, ""), recorded[pk])) for pk in recorded),
        key=lambda item: item[1].casefold(),
    )
    return HistoryChoices(people=people, kinds=kind_choices(tables), names=names)


def people_names(recorded: Mapping[int, str]) -> dict[int, str]:
    """Full names of the people with these user ids (those who still exist); one query."""
    if not recorded:
        return {}
    users = (
        get_user_model()
        .objects.filter(pk__in=list(recorded))
        .only("id", "first_name", "last_name", "username")
    )
    return {user.pk: user_name(user) for user in users}


def _person_label(full_name: str, username: str) -> str:
    if full_name and username and full_name != username:
        return f"{full_name} ({username})"
    return full_name or username


def kind_choices(tables: Mapping[str, str]) -> list[tuple[str, str]]:
    """For each subject: the subject (all its events), then each of its kinds."""
    by_subject: dict[str, list[str]] = {}
    for kind in tables:
        by_subject.setdefault(kind.rpartition(".")[0] or kind, []).append(kind)
    choices: list[tuple[str, str]] = []
    for subject in sorted(
        by_subject, key=lambda s: presentation.subject_label(s, tables[by_subject[s][0]])
    ):
        kinds = sorted(by_subject[subject])
        label = presentation.subject_label(subject, tables[kinds[0]])
        choices.append((subject, f"{label}: everything"))
        choices.extend(
            (kind, f"{label}: {kind.rpartition('.')[2].replace('_', ' ')}") for kind in kinds
        )
    return choices
