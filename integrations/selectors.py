"""Reads about integrations. Which events a user (a person or an API client's account) may
learn of is decided here, in SQL, from the rules in cases.permissions; the change feed and
webhook fan-out both ask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from cases import party_selectors, permissions
from cases.models import Court
from cases.selectors import case_ids_viewable_in_person, case_of_row_visible_to, cases_visible_to
from core.lookups import AnyOf
from deadlines.selectors import offer_reader_condition
from integrations.models import ApiClient, ApiToken, Event, EventAudience, EventLogPruned
from parties.models import CaseParticipant, Role

if TYPE_CHECKING:
    from cases.permissions import AnyUser


def _event_rule(user: AnyUser) -> Q:
    """Which events of a case `user` sees learns of, by the event's audience."""
    party = Exists(
        CaseParticipant.objects.held_by(user)
        .active()
        .filter(case=OuterRef("case"), role__in=permissions.PARTY_EVENT_ROLES)
    )
    return (
        Q(audience=EventAudience.CASE)
        | (Q(audience=EventAudience.PARTIES) & Q(party))
        | (
            Q(audience=EventAudience.NEGOTIATION)
            & offer_reader_condition(user, Event._meta.db_table)
        )
    )


def events_visible_to(user: AnyUser) -> QuerySet[Event]:
    if not user.is_authenticated or not user.is_active:
        return Event.objects.none()
    return Event.objects.filter(case__in=cases_visible_to(user).values("pk")).filter(
        _event_rule(user)
    )


def event_visible_to(user: AnyUser, event: Event) -> bool:
    """Whether `user` may learn of `event` (events_visible_to), with the event's case probed for
    the user (two index probes) rather than tested against every case of their court: the
    webhook fan-out asks it once per client account and event."""
    if not user.is_authenticated or not user.is_active:
        return False
    may_view = case_of_row_visible_to(user, f'"{Event._meta.db_table}"."case_id"')
    return Event.objects.filter(may_view, pk=event.pk).filter(_event_rule(user)).exists()


def _events_listed_for(user: AnyUser) -> QuerySet[Event]:
    """The rows of events_visible_to, found the way the feed reads them: a court's members walk
    their courts' events along event_court_feed (court, txid, id) from the cursor, each checked
    by a probe of guardian's group index (cases.party_selectors.rows_of_courts); anyone else
    reads their own cases' events along event_case_feed (core.lookups.AnyOf). Through `case_id
    IN (cases_visible_to)` a clerk's page hashed every case of the court first (1.3-1.7 s at a
    court of 40,000 cases)."""
    if not user.is_authenticated or not user.is_active:
        return Event.objects.none()
    courts = party_selectors.courts_listed_for(user)
    if courts:
        seen = party_selectors.rows_of_courts(user, courts, Event._meta.db_table)
        return Event.objects.filter(seen).filter(_event_rule(user))
    return Event.objects.filter(AnyOf("case_id", case_ids_viewable_in_person(user))).filter(
        _event_rule(user)
    )


# Transactions older than every running one of this database: their events are final (committed
# or gone), so a cursor may pass them. Our own transaction's events are shown too (it can see
# them; a read-only request has none).
#
# The horizon is the oldest transaction our snapshot saw running (pg_snapshot_xmin), except those
# that pg_stat_activity shows running in another database of the cluster: transaction ids are
# cluster-wide, and a long transaction elsewhere (a report, a backup, another application) must
# not hold this feed back. A transaction of the snapshot that has ended since, or whose session
# we may not see, still counts, so the horizon is never later than the cluster-wide one would be
# for this database's own transactions.
SETTLED = RawSQL(
    """(SELECT coalesce(
            (SELECT min(running::text::bigint) FROM pg_snapshot_xip(snap) AS running
             WHERE NOT EXISTS (
                SELECT FROM pg_stat_activity AS elsewhere
                WHERE elsewhere.backend_xid = running::xid
                  AND elsewhere.datname IS DISTINCT FROM current_database())),
            pg_snapshot_xmax(snap)::text::bigint)
        FROM pg_current_snapshot() AS snap)""",
    [],
)
OWN = RawSQL("(pg_current_xact_id_if_assigned()::text::bigint)", [])


@dataclass(frozen=True)
class FeedCursor:
    """A position in the change feed: after event `event_id` of transaction `txid`."""

    txid: int
    event_id: int

    def encode(self) -> str:
        return f"{self.txid}.{self.event_id}"

    @classmethod
    def decode(cls, text: str) -> FeedCursor:
        """Raise ValueError for anything not made by encode()."""
        txid, _, event_id = text.partition(".")
        if not txid.isdigit() or not event_id.isdigit():
            raise ValueError(text)
        return cls(int(txid), int(event_id))


def event_feed(
    user: AnyUser,
    *,
    after: FeedCursor | None,
    types: list[str] | None = None,
    case_id: int | None = None,
    limit: int = 100,
) -> list[Event]:
    """The next `limit` settled events `user` may learn of, after `after`, oldest first. Two
    statements: the reader's courts, the page."""
    # Our own transaction's events compared as `txid + 0`, which no index serves: with both
    # halves of the OR indexable, PostgreSQL ORed two bitmaps of every event after the cursor
    # and sorted them (2.9 s for a clerk 20,000 events into the court's feed) instead of walking
    # the feed's index in order from the cursor and stopping at the page.
    events = (
        _events_listed_for(user)
        .alias(txid_unindexed=F("txid") + 0)
        .filter(Q(txid__lt=SETTLED) | Q(txid_unindexed=OWN))
    )
    if after is not None:
        # `txid >= …` alone is what an index condition can start the walk from.
        events = events.filter(txid__gte=after.txid).filter(
            Q(txid__gt=after.txid) | Q(txid=after.txid, id__gt=after.event_id)
        )
    if types:
        events = events.filter(type__in=types)
    if case_id is not None:
        events = events.filter(case_id=case_id)
    return list(events.order_by("txid", "id")[:limit])


def feed_pruned_past(after: FeedCursor) -> bool:
    """Whether events after `after` were pruned (integrations.services.events_prune): a client
    there would miss them without knowing."""
    mark = EventLogPruned.objects.filter(pk=1).first()
    return mark is not None and (after.txid, after.event_id) < (mark.txid, mark.event_id)


def feed_start(user: AnyUser) -> FeedCursor:
    """A cursor at the end of the feed now: a new client starts here to skip the past."""
    last = Event.objects.filter(Q(txid__lt=SETTLED) | Q(txid=OWN)).order_by("-txid", "-id").first()
    return FeedCursor(last.txid, last.pk) if last is not None else FeedCursor(0, 0)


def api_clients_of_court(court: Court) -> QuerySet[ApiClient]:
    return ApiClient.objects.filter(court=court).select_related("owner", "account")


def _managed_condition(user: AnyUser) -> Q:
    """cases.permissions.may_manage_api_client in SQL: a court client for its court's staff, any
    client for its owner while they may own it (a party's client only for its own party)."""
    if permissions.is_api_account(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    kind = permissions.role_kind_of(user)
    sits = Exists(Court.objects.filter(pk=OuterRef("court"), group__user=user.pk))
    if kind == Role.COURT_STAFF:
        return Q(role=Role.COURT_STAFF) & Q(sits)
    if kind in permissions.API_CLIENT_ROLES:
        return Q(owner=user.pk, role=kind)
    return Q(pk__in=[])


def api_clients_managed_by(user: AnyUser) -> QuerySet[ApiClient]:
    """Clients `user` owns, and every client of the courts whose staff they are."""
    if not user.is_authenticated or not user.is_active:
        return ApiClient.objects.none()
    return ApiClient.objects.select_related("court", "owner", "account").filter(
        _managed_condition(user)
    )


def api_clients_visible_to(user: AnyUser) -> QuerySet[ApiClient]:
    """What GET /api/v1/api-clients/ lists: the clients `user` manages, and for a client's own
    account, the client itself."""
    if not user.is_authenticated or not user.is_active:
        return ApiClient.objects.none()
    return ApiClient.objects.select_related("court", "owner", "account__profile").filter(
        _managed_condition(user) | Q(account=user.pk)
    )


def tokens_of(client: ApiClient) -> QuerySet[ApiToken]:
    return client.tokens.select_related("created_by")


def courts_for_new_clients(user: AnyUser) -> QuerySet[Court]:
    """The courts whose API clients `user` may make (cases.permissions.may_manage_api_clients)."""
    if not user.is_authenticated or not user.is_active or permissions.is_api_account(user):
        return Court.objects.none()
    if user.is_superuser:
        return Court.objects.order_by("name")
    if permissions.role_kind_of(user) != Role.COURT_STAFF:
        return Court.objects.none()
    return Court.objects.filter(group__user=user.pk).order_by("name")
