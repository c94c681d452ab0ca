"""The in-app inbox: writing notifications, and reading them back through the walls.

A notification keeps references (its alert, its case, the ids in `params`), never a copy of
what it is about. Each time it is read, its title, text and link are rendered from the current
records and for the current reader, through cases.permissions: a note behind a wall the reader
no longer stands behind, a case they left, a webhook endpoint of a client they no longer look
after, reads as "an item you no longer have access to", with no docket number, text or link.
The same rendering serves the inbox page and the API, a page of notifications at a time in a
fixed number of queries.

Each subject has a renderer; the apps above this one register theirs (webhooks registers the
integration subject), so this module never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from cases.models import Case
from core.text import user_name
from deadlines import alerts, selectors
from deadlines.models import AlertSubject, Deadline, Hearing, Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from cases.permissions import AnyUser

NO_LONGER_AVAILABLE = gettext_lazy("An item you no longer have access to")


@dataclass(frozen=True)
class Shown:
    """What a reader is shown of one notification."""

    title: str
    body: str = ""
    url: str = ""
    # The case it names, if the reader may still see it there (None: named nowhere).
    case: Case | None = None


# The title stays lazy: it is read in the reader's language when shown.
UNAVAILABLE = Shown(title=cast(str, NO_LONGER_AVAILABLE))


@dataclass(frozen=True)
class ShownNotification:
    """A notification with what its reader is shown of it, for the page and the API."""

    notification: Notification
    shown: Shown

    @property
    def pk(self) -> int:
        return self.notification.pk

    @property
    def available(self) -> bool:
        return self.shown is not UNAVAILABLE


@dataclass
class ReadContext:
    """What every renderer of one page may ask, loaded once for the page."""

    reader: User
    walls: dict[int, frozenset[str]]

    def walls_on(self, case_id: int | None) -> frozenset[str]:
        return self.walls.get(case_id, frozenset()) if case_id is not None else frozenset()


# A renderer answers for all the page's notifications of its subject at once (so that it can
# load what they refer to in one query), by notification id; a missing id reads as unavailable.
Renderer = Callable[[Sequence[Notification], ReadContext], dict[int, Shown]]
_RENDERERS: dict[str, Renderer] = {}


def register_renderer(subject: str, renderer: Renderer) -> None:
    """How notifications of `subject` read (an app above this one registers its subjects)."""
    _RENDERERS[subject] = renderer


# --- writing ----------------------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[User],
    subject: str,
    case: Case | None = None,
    params: dict[str, Any] | None = None,
) -> int:
    """One notification to each of `recipients` (ids only in `params`; see the renderers)."""
    rows = [
        Notification(recipient=person, subject=subject, case=case, params=params or {})
        for person in recipients
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


# --- reading ----------------------------------------------------------------------------------


def notifications_for(user: AnyUser) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what rendering them needs."""
    if not user.is_authenticated:
        return Notification.objects.none()
    # The alert's hearing and deadline are fetched for the page's alerts after it, not joined
    # into it: fifteen joined tables took PostgreSQL 13 ms to plan on every page.
    return (
        Notification.objects.filter(recipient=user.pk)
        .select_related("case__court", "alert__case__court")
        .prefetch_related(
            Prefetch(
                "alert__hearing",
                queryset=Hearing.objects.select_related("courtroom", "judge", "case__court"),
            ),
            Prefetch("alert__deadline", queryset=Deadline.objects.select_related("case__court")),
        )
        .order_by("-created_at", "-id")
    )


def notifications_shown(user: User, rows: Sequence[Notification]) -> list[ShownNotification]:
    """`rows` (the user's own) as the user may read them now. A fixed number of queries per
    subject present, whatever the number of rows."""
    context = ReadContext(
        reader=user, walls=permissions.walls_by_case(user, {r.case_id for r in rows if r.case_id})
    )
    by_subject: dict[str, list[Notification]] = {}
    for row in rows:
        by_subject.setdefault(row.subject, []).append(row)
    shown: dict[int, Shown] = {}
    for subject, group in by_subject.items():
        renderer = _RENDERERS.get(subject)
        if renderer is not None:
            shown.update(renderer(group, context))
    return [ShownNotification(row, shown.get(row.pk, UNAVAILABLE)) for row in rows]


def notification_shown(user: User, notification: Notification) -> ShownNotification:
    return notifications_shown(user, [notification])[0]


def notification_get(*, user: AnyUser, notification_id: int) -> Notification:
    """The user's notification, or 404 (missing and not yours look the same)."""
    found = notifications_for(user).filter(pk=notification_id).first()
    if found is None:
        raise Http404(_("No such notification."))
    return found


def unread_count(user: AnyUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user.pk, read_at__isnull=True).count()


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one notification read; someone else's is not found (404)."""
    if notification.recipient_id != by.pk:
        raise Http404(_("No such notification."))
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- the case record: notes, documents, disclosures --------------------------------------------


def _case_label(case: Case) -> str:
    return f"{case.caption} ({case.docket_number})"


def _excerpt(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _author_name(user: Any) -> str:
    return user_name(user)


def _render_record(rows: Sequence[Notification], context: ReadContext) -> dict[int, Shown]:
    from records.models import Disclosure, Document, Note, Visibility

    def ids(key: str) -> set[int]:
        return {int(r.params[key]) for r in rows if isinstance(r.params.get(key), int)}

    notes = {n.pk: n for n in Note.objects.filter(pk__in=ids("note")).select_related("author")}
    documents = {d.pk: d for d in Document.objects.filter(pk__in=ids("document"))}
    disclosures = {d.pk: d for d in Disclosure.objects.filter(pk__in=ids("disclosure"))}
    shown: dict[int, Shown] = {}
    for row in rows:
        case, walls = row.case, context.walls_on(row.case_id)
        if case is None or not walls:
            continue
        note = notes.get(row.params.get("note"))
        document = documents.get(row.params.get("document"))
        disclosure = disclosures.get(row.params.get("disclosure"))
        if note is not None and note.case_id == case.pk and note.visibility in walls:
            label = Visibility(note.visibility).label.lower()
            shown[row.pk] = Shown(
                title=_("New note (%(label)s) on %(docket_number)s")
                % {"label": label, "docket_number": case.docket_number},
                body=_("%(author)s: %(excerpt)s")
                % {"author": _author_name(note.author), "excerpt": _excerpt(note.body)},
                url=reverse("records:notes", args=[case.pk]) + f"#note-{note.pk}",
                case=case,
            )
        elif document is not None and document.case_id == case.pk and document.visibility in walls:
            label = Visibility(document.visibility).label.lower()
            shown[row.pk] = Shown(
                title=_("New document (%(label)s) on %(docket_number)s")
                % {"label": label, "docket_number": case.docket_number},
                body=f"{document.title} ({document.get_category_display()})",
                url=reverse("records:documents", args=[case.pk]) + f"#document-{document.pk}",
                case=case,
            )
        elif disclosure is not None and disclosure.case_id == case.pk:
            shown[row.pk] = Shown(
                title=_("Discovery disclosed on %(docket_number)s")
                % {"docket_number": case.docket_number},
                body=_("%(description)s (disclosed %(day)s)")
                % {
                    "description": disclosure.description,
                    "day": disclosure.disclosed_on.isoformat(),
                },
                url=reverse("records:discovery", args=[case.pk]),
                case=case,
            )
    return shown


# --- alerts: reminders, changes, expiries, escalations, digests --------------------------------


def _render_alerts(rows: Sequence[Notification], context: ReadContext) -> dict[int, Shown]:
    shown: dict[int, Shown] = {}
    for row in rows:
        alert = row.alert
        if alert is None:
            continue
        view = alerts.alert_view(alert, reader=context.reader, walls=context.walls_on(row.case_id))
        if view is None:
            continue
        message = alerts.render_alert(alert, now=row.created_at, view=view)
        shown[row.pk] = Shown(
            title=message.title,
            body=message.body,
            url=message.url,
            case=alert.case if view == alerts.FULL_VIEW else None,
        )
    return shown


def _render_digests(rows: Sequence[Notification], context: ReadContext) -> dict[int, Shown]:
    reader = context.reader
    wanted: dict[str, set[int]] = {"hearing": set(), "deadline": set()}
    for row in rows:
        for kind, pk in row.params.get("items", []):
            if kind in wanted and isinstance(pk, int):
                wanted[kind].add(pk)
    hearings = {
        h.pk: h
        for h in selectors.hearings_visible_to(reader)
        .filter(pk__in=wanted["hearing"])
        .select_related("case__court", "courtroom")
    }
    deadlines = {
        d.pk: d
        for d in selectors.deadlines_visible_to(reader)
        .filter(pk__in=wanted["deadline"])
        .select_related("case__court")
    }
    shown: dict[int, Shown] = {}
    for row in rows:
        if row.alert is None and not row.params:
            continue
        days = int(row.params.get("days", alerts.DIGEST_DAYS))
        day = row.params.get("day") or row.created_at.date().isoformat()
        lines: list[str] = []
        for kind, pk in row.params.get("items", []):
            found = (hearings if kind == "hearing" else deadlines).get(pk)
            if found is not None:
                lines.append(alerts.digest_line(found, now=row.created_at))
        title = _("Your court dates for the next %(days)s days (%(today)s)") % {
            "days": days,
            "today": alerts.format_day_iso(day),
        }
        body = (
            "".join(f"- {line}\n" for line in lines)
            if lines
            else _("No hearings or deadlines in the next %(days)s days.\n") % {"days": days}
        )
        shown[row.pk] = Shown(title=title, body=body, url=reverse("dashboard"))
    return shown


for _subject in (
    AlertSubject.REMINDER,
    AlertSubject.ESCALATION,
    AlertSubject.OFFER_EXPIRED,
    AlertSubject.HEARING_CHANGED,
):
    register_renderer(_subject, _render_alerts)
register_renderer(AlertSubject.DIGEST, _render_digests)
register_renderer(AlertSubject.RECORD, _render_record)
