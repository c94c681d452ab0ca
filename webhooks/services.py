"""Writes about webhooks: endpoints and their secrets, fan-out of events, delivery and retries.

Delivery in three short steps, never holding a transaction open over the network (an open
transaction with an id would also hold back the change feed, which serves only transactions
older than every running one):

1. Claim: a conditional UPDATE gives pending, due deliveries a claim token and pushes their
   `next_attempt_at` one lease ahead; then a `deliver` task is queued per delivery, after commit.
2. Send: the task sends only if the delivery still holds its token (a duplicate or stale task
   finds another token, or none, and does nothing).
3. Record: the attempt and the outcome are written only if the token is still the task's.

A lost broker message or a killed worker leaves a claim whose lease runs out; the sweep
(`deliveries_dispatch_due`, every 30 s) claims it again. A receiver may see a message twice only
if an attempt outlives the lease (five minutes against a ten-second timeout); `webhook-id` is
the same on every attempt so it can tell.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import permissions
from core.exceptions import Conflict
from core.versions import require_version
from deadlines.models import AlertSubject, Notification
from deadlines.notifications import ReadContext, Shown, notify
from integrations.events import subject_link
from integrations.models import ApiClient, Event, EventType
from integrations.selectors import OWN, SETTLED, event_visible_to
from parties.selectors import language_of_user
from webhooks import destinations, signing
from webhooks.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    FannedOut,
    FanOutCursor,
    WebhookEndpoint,
    WebhookSecret,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# The cap of the delay after the n-th failed attempt (the Standard Webhooks example schedule);
# from the last on, every cap is a day. Each delay is drawn uniformly between zero and its cap
# ("full jitter"), so receivers coming back after an outage are not hit all at once. Attempts go
# on until WEBHOOK_RETRY_WINDOW (three days) after the delivery began; the last one is made then.
RETRY_CAPS = (
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=14),
    dt.timedelta(hours=20),
    dt.timedelta(hours=24),
)
# A retry due this soon is queued at once with a countdown, not left to the next sweep.
QUEUE_AHEAD = dt.timedelta(seconds=60)
RESPONSE_EXCERPT_BYTES = 1024
# A first attempt this soon after fan-out trusts fan-out's visibility check.
FRESH_FAN_OUT = dt.timedelta(seconds=60)
MAX_ENDPOINTS_PER_CLIENT = 20


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def retry_window() -> dt.timedelta:
    return dt.timedelta(seconds=int(_setting("WEBHOOK_RETRY_WINDOW", 3 * 24 * 3600)))


def claim_lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(_setting("WEBHOOK_CLAIM_LEASE", 300)))


def secret_overlap() -> dt.timedelta:
    return dt.timedelta(seconds=int(_setting("WEBHOOK_SECRET_OVERLAP", 24 * 3600)))


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """A receiver's Retry-After (seconds, or an HTTP date) as a wait, at most the longest cap;
    None when missing or unreadable."""
    if not value:
        return None
    value = value.strip()
    wait: dt.timedelta | None
    if value.isdigit():
        wait = dt.timedelta(seconds=int(value[:9]))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        wait = max(when - now, dt.timedelta(0))
    return min(wait, RETRY_CAPS[-1])


def retry_delay(failed_attempts: int, *, rng: random.Random | None = None) -> dt.timedelta:
    """How long to wait after the `failed_attempts`-th failure: full jitter under its cap."""
    cap = RETRY_CAPS[min(failed_attempts, len(RETRY_CAPS)) - 1]
    return cap * (rng or random).random()


# ---------------------------------------------------------------------------------------------
# Who may
# ---------------------------------------------------------------------------------------------


def _require_manager(user: User, client: ApiClient) -> None:
    if not permissions.may_manage_webhooks(user, client):
        raise PermissionDenied(
            _("Only the client, its owner or the court's staff manage its webhooks.")
        )


# ---------------------------------------------------------------------------------------------
# Endpoints and secrets
# ---------------------------------------------------------------------------------------------


def _clean_url(url: str, errors: dict[str, str]) -> str:
    try:
        return destinations.check_url(url or "")
    except destinations.DestinationRefused as refused:
        errors["url"] = refused.message
        return ""


def _clean_types(event_types: Iterable[str] | None, errors: dict[str, str]) -> list[str]:
    chosen = list(dict.fromkeys(event_types or []))
    unknown = [t for t in chosen if t not in EventType.values]
    if unknown:
        errors["event_types"] = _("Unknown event types: %(items)s.") % {
            "items": ", ".join(map(str, unknown))
        }
    elif not chosen:
        errors["event_types"] = _("Choose at least one event type.")
    return sorted(chosen, key=EventType.values.index) if not unknown else []


def _clean_description(description: str, errors: dict[str, str]) -> str:
    description = (description or "").strip()
    if len(description) > 200:
        errors["description"] = _("Keep the description to 200 characters.")
    return description


def _secret_add(endpoint: WebhookEndpoint, now: dt.datetime) -> str:
    secret = signing.secret_new()
    WebhookSecret.objects.create(endpoint=endpoint, secret=secret, created_at=now)
    return secret


@transaction.atomic
def endpoint_create(
    *,
    client: ApiClient,
    by: User,
    url: str,
    event_types: Sequence[str],
    description: str = "",
) -> tuple[WebhookEndpoint, str]:
    """Subscribe `client` to `event_types` at `url`. Returns the endpoint and its signing
    secret, which is shown this once."""
    _require_manager(by, client)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise Conflict(_("This client was revoked: it gets no webhooks."), code="client_revoked")
    errors: dict[str, str] = {}
    clean_url = _clean_url(url, errors)
    types = _clean_types(event_types, errors)
    description = _clean_description(description, errors)
    if errors:
        raise ValidationError(errors)
    if client.webhook_endpoints.count() >= MAX_ENDPOINTS_PER_CLIENT:
        raise Conflict(
            _("A client has at most %(limit)s endpoints; delete one first.")
            % {"limit": MAX_ENDPOINTS_PER_CLIENT},
            code="too_many_endpoints",
        )
    endpoint = WebhookEndpoint.objects.create(
        client=client, url=clean_url, event_types=types, description=description, created_by=by
    )
    return endpoint, _secret_add(endpoint, timezone.now())


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    by: User,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    if_match: list[str] | None = None,
) -> WebhookEndpoint:
    _require_manager(by, endpoint.client)
    endpoint = (
        WebhookEndpoint.objects.select_for_update().select_related("client").get(pk=endpoint.pk)
    )
    require_version(endpoint, if_match)
    errors: dict[str, str] = {}
    changed: list[str] = []
    if url is not None:
        endpoint.url = _clean_url(url, errors)
        changed.append("url")
    if event_types is not None:
        endpoint.event_types = _clean_types(event_types, errors)
        changed.append("event_types")
    if description is not None:
        endpoint.description = _clean_description(description, errors)
        changed.append("description")
    if errors:
        raise ValidationError(errors)
    if changed:
        endpoint.save(update_fields=[*changed, "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, by: User) -> None:
    """Remove an endpoint with its secrets and delivery log."""
    _require_manager(by, endpoint.client)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


@transaction.atomic
def secret_rotate(*, endpoint: WebhookEndpoint, by: User) -> tuple[str, dt.datetime]:
    """A new secret for `endpoint`. Secrets still valid stay valid for WEBHOOK_SECRET_OVERLAP
    (and messages carry a signature for each) so the receiver can switch without losing one.
    Returns the new secret (shown this once) and when the old ones stop signing."""
    _require_manager(by, endpoint.client)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    now = timezone.now()
    until = now + secret_overlap()
    WebhookSecret.objects.filter(endpoint=endpoint).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=until)
    ).update(expires_at=until)
    # Secrets long expired only clutter the table.
    WebhookSecret.objects.filter(endpoint=endpoint, expires_at__lte=now).delete()
    secret = _secret_add(endpoint, now)
    endpoint.save(update_fields=["updated_at"])
    return secret, until


# Signatures per message at most: rotating again and again within the overlap keeps only the
# newest secrets signing, so the webhook-signature header stays short.
MAX_SIGNATURES = 3


def secrets_valid(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    """The secrets that sign a message sent now, newest first (MAX_SIGNATURES of them)."""
    return list(
        WebhookSecret.objects.filter(endpoint=endpoint)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-created_at", "-id")
        .values_list("secret", flat=True)[:MAX_SIGNATURES]
    )


@transaction.atomic
def endpoint_enable(*, endpoint: WebhookEndpoint, by: User) -> WebhookEndpoint:
    """Deliver to `endpoint` again. Deliveries left pending while it was off resume now;
    those that failed stay failed (replay them one by one). Events that happened meanwhile
    were not queued for it: the change feed has them."""
    _require_manager(by, endpoint.client)
    endpoint = (
        WebhookEndpoint.objects.select_for_update().select_related("client").get(pk=endpoint.pk)
    )
    if endpoint.client.revoked_at is not None:
        raise Conflict(_("This client was revoked: it gets no webhooks."), code="client_revoked")
    if endpoint.disabled_at is None:
        return endpoint
    now = timezone.now()
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.save(update_fields=["disabled_at", "disabled_reason", "updated_at"])
    waiting = list(
        Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    Delivery.objects.filter(pk__in=waiting).update(next_attempt_at=now, claim_token=None)
    _dispatch(waiting, now=now)
    return endpoint


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint, by: User) -> WebhookEndpoint:
    """Stop delivering to `endpoint` until it is enabled again (pending deliveries wait)."""
    _require_manager(by, endpoint.client)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.disabled_at is None:
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = (
            _("Disabled by %(username)s.") % {"username": by.get_username()}
        )[:300]
        endpoint.save(update_fields=["disabled_at", "disabled_reason", "updated_at"])
    return endpoint


# ---------------------------------------------------------------------------------------------
# Fan-out, claims and the sweep
# ---------------------------------------------------------------------------------------------


# The task that makes one attempt (webhooks.tasks.deliver), queued by name: the tasks call
# these services, never the other way round.
DELIVER_TASK = "webhooks.deliver"


def _queue(claimed: Sequence[tuple[int, uuid.UUID]], countdown: float | None = None) -> None:
    def send() -> None:
        for delivery_id, token in claimed:
            current_app.send_task(
                DELIVER_TASK, args=(delivery_id, str(token)), countdown=countdown or None
            )

    if claimed:
        # After the commit the deliveries are claimed and recorded: a broker that cannot be
        # reached must not fail the request that made them (their claims lapse, and the sweep,
        # deliveries_due, queues them again), so the error is logged, not raised.
        transaction.on_commit(send, robust=True)


def _claim(
    deliveries: Any, *, now: dt.datetime, due_by: dt.datetime | None = None
) -> list[tuple[int, uuid.UUID]]:
    """Claim the pending deliveries of `deliveries` due by `due_by` (default now): one token
    for the batch, and a lease past which the sweep may claim them again."""
    due_by = due_by or now
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            deliveries.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=due_by)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                claim_token=token, next_attempt_at=due_by + claim_lease()
            )
    return [(delivery_id, token) for delivery_id in ids]


def _dispatch(ids: Sequence[int], *, now: dt.datetime) -> int:
    claimed = _claim(Delivery.objects.filter(pk__in=ids), now=now)
    _queue(claimed)
    return len(claimed)


def _subscribed_endpoints(event: Event) -> list[WebhookEndpoint]:
    """Enabled endpoints of active clients of the event's court subscribed to its type whose
    account may learn of the event (the change feed's rule)."""
    endpoints = list(
        WebhookEndpoint.objects.filter(
            disabled_at__isnull=True,
            client__revoked_at__isnull=True,
            client__account__is_active=True,
            client__court_id=event.court_id,
            event_types__contains=[event.type],
        ).select_related("client__account")
    )
    seeing: dict[int, bool] = {}
    for endpoint in endpoints:
        if endpoint.client_id not in seeing:
            seeing[endpoint.client_id] = event_visible_to(endpoint.client.account, event)
    return [endpoint for endpoint in endpoints if seeing[endpoint.client_id]]


def event_fan_out(event_id: int) -> int:
    """Make the deliveries of an event and queue them. Safe to run twice: the second run finds
    the first's rows (unique per endpoint and event) and queues only what is still unclaimed.
    Returns how many were queued."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0  # its transaction rolled back after all, or it was deleted
    now = timezone.now()
    endpoints = _subscribed_endpoints(event)
    if not endpoints:
        _mark_fanned_out(event)
        return 0
    Delivery.objects.bulk_create(
        [
            Delivery(
                endpoint=endpoint,
                event=event,
                message_id=signing.message_id_new(),
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint in endpoints
        ],
        ignore_conflicts=True,
    )
    fresh = Delivery.objects.filter(
        event=event, endpoint__in=endpoints, replay_of__isnull=True, claim_token__isnull=True
    )
    with transaction.atomic():
        claimed = _claim(fresh, now=now)
        _queue(claimed)
    _mark_fanned_out(event)
    return len(claimed)


def events_fan_out(event_ids: Iterable[int]) -> int:
    """event_fan_out for each event, in order. Returns how many deliveries were queued."""
    return sum(event_fan_out(event_id) for event_id in event_ids)


def _mark_fanned_out(event: Event) -> None:
    """Tell the sweep's walk of the log that this event needs nothing more from it."""
    FannedOut.objects.bulk_create([FannedOut(event=event)], ignore_conflicts=True)


# pg_try_advisory_lock key of the event-log walk: one sweep walks at a time, without holding a
# transaction (and so the change feed's horizon) open while it fans out.
WALK_LOCK = 0x5057_4846  # "PWHF"


def events_fan_out_missed(*, batch: int = 500) -> int:
    """The sweep's walk of the event log behind the fast path: fan out every settled event past
    the cursor that the `fan_out_events` task did not mark as done (its message was lost), then move
    the cursor and drop the marks it passed. The first walk starts at the end of the log: the
    past is not sent. Returns how many events it fanned out."""
    with connection.cursor() as sql:
        sql.execute("SELECT pg_try_advisory_lock(%s)", [WALK_LOCK])
        (locked,) = sql.fetchone()
    if not locked:
        return 0
    try:
        cursor = FanOutCursor.objects.filter(pk=1).first()
        if cursor is None:
            last = Event.objects.order_by("-txid", "-id").first()
            start = {"txid": last.txid, "event_id": last.pk} if last else {"txid": 0, "event_id": 0}
            FanOutCursor.objects.get_or_create(pk=1, defaults=start)
            return 0
        events = list(
            Event.objects.filter(Q(txid__lt=SETTLED) | Q(txid=OWN))
            .filter(Q(txid__gt=cursor.txid) | Q(txid=cursor.txid, id__gt=cursor.event_id))
            .order_by("txid", "id")
            .values_list("id", "txid")[:batch]
        )
        done = set(
            FannedOut.objects.filter(event_id__in=[pk for pk, _ in events]).values_list(
                "event_id", flat=True
            )
        )
        missed = [pk for pk, _ in events if pk not in done]
        for event_id in missed:
            event_fan_out(event_id)
        if events:
            last_id, last_txid = events[-1]
            with transaction.atomic():
                FanOutCursor.objects.filter(pk=1).update(
                    txid=last_txid, event_id=last_id, updated_at=timezone.now()
                )
                # Marks of events the cursor has passed (a late fast path leaves some too).
                FannedOut.objects.filter(
                    Q(event__txid__lt=last_txid) | Q(event__txid=last_txid, event_id__lte=last_id)
                ).delete()
        return len(missed)
    finally:
        with connection.cursor() as sql:
            sql.execute("SELECT pg_advisory_unlock(%s)", [WALK_LOCK])


def deliveries_dispatch_due(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """The sweep: queue every pending delivery of an enabled endpoint whose attempt is due
    (retries, and claims whose task was lost). Returns how many were queued."""
    now = now or timezone.now()
    total = 0
    while True:
        due = Delivery.objects.filter(
            pk__in=Delivery.objects.filter(
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=now,
                endpoint__disabled_at__isnull=True,
            )
            .order_by("next_attempt_at")
            .values("pk")[:batch]
        )
        with transaction.atomic():
            claimed = _claim(due, now=now)
            _queue(claimed)
        total += len(claimed)
        if len(claimed) < batch:
            return total


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------


def site_url() -> str:
    """The public address links start with: SITE_URL (settings.ALERT_SITE_URL); without it,
    links are paths."""
    return str(_setting("ALERT_SITE_URL", "") or "").rstrip("/")


def _iso(moment: dt.datetime) -> str:
    text = moment.astimezone(dt.UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def payload_of(event: Event) -> dict[str, Any]:
    """The thin message of an event: what happened to what, and where to read it through the
    API (whose permission checks then apply). `data` is the event's change-feed item."""
    return {
        "type": event.type,
        "timestamp": _iso(event.occurred_at),
        "data": {
            "id": event.pk,
            "type": event.type,
            "occurred_at": _iso(event.occurred_at),
            "subject": event.subject_type,
            "subject_id": event.subject_id,
            "case": event.case_id,
            "link": site_url() + subject_link(event.subject_type, event.subject_id),
        },
    }


def body_of(event: Event) -> bytes:
    return json.dumps(payload_of(event), separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Answer:
    """What one attempt came to."""

    status_code: int | None
    duration_ms: int
    error: str = ""
    excerpt: str = ""
    # What a 429 or 503 asked for in its Retry-After header, if anything usable.
    retry_after: dt.timedelta | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def attempt_time_limit() -> float:
    """The longest one attempt may take, all of it: twice the per-read WEBHOOK_TIMEOUT."""
    return 2 * float(getattr(settings, "WEBHOOK_TIMEOUT", 10.0))


def _post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    started = time.monotonic()
    # httpx's timeouts are per read; a receiver dribbling bytes is cut off here, and by the
    # deliver task's time limit while it dribbles the headers.
    deadline = started + attempt_time_limit()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        destinations.check_url(url)
        with (
            destinations.http_client() as client,
            client.stream(
                "POST", url, content=body, headers={**headers, "content-type": "application/json"}
            ) as response,
        ):
            excerpt = b""
            for chunk in response.iter_raw():
                excerpt += chunk
                if len(excerpt) >= RESPONSE_EXCERPT_BYTES or time.monotonic() > deadline:
                    break
            text = excerpt[:RESPONSE_EXCERPT_BYTES].decode("utf-8", errors="replace")
            error = ""
            if 300 <= response.status_code < 400:
                error = "Redirects are not followed: point the endpoint at the final URL."
            elif not 200 <= response.status_code < 300:
                error = f"The receiver answered {response.status_code}."
            retry_after = None
            if response.status_code in (429, 503):
                retry_after = parse_retry_after(response.headers.get("retry-after"), timezone.now())
            return Answer(
                response.status_code,
                elapsed(),
                error,
                text[:RESPONSE_EXCERPT_BYTES],
                retry_after=retry_after,
            )
    except destinations.DestinationRefused as refused:
        return Answer(None, elapsed(), refused.message[:500])
    except httpx.TimeoutException:
        return Answer(None, elapsed(), "No answer within the time limit.")
    except SoftTimeLimitExceeded:
        return Answer(None, elapsed(), "No complete answer within the time limit.")
    except Exception as error:  # an attempt that fails is logged and retried, whatever broke
        return Answer(None, elapsed(), f"{type(error).__name__}: {error}"[:500])


def _give_up(delivery: Delivery, token: uuid.UUID, now: dt.datetime, reason: str) -> str:
    """End a delivery without sending it, for `reason`; "skipped" if the claim was lost."""
    ok = _finish(
        delivery,
        token,
        claim_token=None,
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        completed_at=now,
        last_error=reason,
    )
    return "failed" if ok else "skipped"


def _finish(delivery: Delivery, token: uuid.UUID, **changes: Any) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.PENDING, claim_token=token
        ).update(**changes)
    )


def _visibility_may_have_changed(delivery: Delivery, now: dt.datetime) -> bool:
    """Fan-out checked that the client may see the event. A first attempt made right after it
    need not ask again (the check costs as much as the rest of the attempt); a retry, a replay,
    or a first attempt that waited in a backlog does: the client may have left the case."""
    return bool(
        delivery.attempts
        or delivery.replay_of_id is not None
        or now - delivery.created_at > FRESH_FAN_OUT
    )


def delivery_send(delivery_id: int, token: str, *, now: dt.datetime | None = None) -> str:
    """One attempt of a claimed delivery (the `deliver` task). Returns what became of it:
    succeeded, retry, failed, paused (endpoint disabled) or skipped (not ours to send)."""
    try:
        claim = uuid.UUID(token)
    except ValueError:
        return "skipped"
    delivery = (
        Delivery.objects.select_related("endpoint__client__account", "event")
        .filter(pk=delivery_id, status=DeliveryStatus.PENDING, claim_token=claim)
        .first()
    )
    if delivery is None:
        return "skipped"
    now = now or timezone.now()
    endpoint, client = delivery.endpoint, delivery.endpoint.client
    if endpoint.disabled_at is not None:
        # Waits for the endpoint to be enabled again (the sweep passes it by till then).
        _finish(delivery, claim, claim_token=None, next_attempt_at=now)
        return "paused"
    if client.revoked_at is not None or not client.account.is_active:
        return _give_up(delivery, claim, now, "The client was revoked.")
    if _visibility_may_have_changed(delivery, now) and not event_visible_to(
        client.account, delivery.event
    ):
        return _give_up(
            delivery, claim, now, "The client may no longer see this event (it left the case)."
        )
    body = body_of(delivery.event)
    stamp = int(now.timestamp())
    answer = _post(
        endpoint.url,
        body=body,
        headers=signing.headers(
            secrets_valid(endpoint, now), msg_id=delivery.message_id, timestamp=stamp, body=body
        ),
    )
    return _record(delivery, claim, answer, now=timezone.now())


def _record(delivery: Delivery, token: uuid.UUID, answer: Answer, *, now: dt.datetime) -> str:
    attempts = delivery.attempts + 1
    common: dict[str, Any] = {
        "attempts": attempts,
        "last_status_code": answer.status_code,
        "last_response_ms": answer.duration_ms,
        "last_error": answer.error[:500],
    }
    gone = answer.status_code == 410
    with transaction.atomic():
        if answer.succeeded:
            outcome = "succeeded"
            changes: dict[str, Any] = {
                "status": DeliveryStatus.SUCCEEDED,
                "next_attempt_at": None,
                "completed_at": now,
                "claim_token": None,
            }
        elif gone or now >= delivery.created_at + retry_window():
            outcome = "failed"
            changes = {
                "status": DeliveryStatus.FAILED,
                "next_attempt_at": None,
                "completed_at": now,
                "claim_token": None,
            }
        else:
            outcome = "retry"
            # A receiver that said when to come back (429/503 with Retry-After) is not asked
            # sooner, within the retry window.
            delay = max(retry_delay(attempts), answer.retry_after or dt.timedelta(0))
            due = min(now + delay, delivery.created_at + retry_window())
            if due - now <= QUEUE_AHEAD:
                # Soon: queued now with a countdown, under a new claim; the sweep is the
                # fallback if that message is lost.
                next_token: uuid.UUID | None = uuid.uuid4()
                changes = {"next_attempt_at": due + claim_lease(), "claim_token": next_token}
            else:
                next_token = None
                changes = {"next_attempt_at": due, "claim_token": None}
        if not _finish(delivery, token, **common, **changes):
            return "skipped"  # our claim lapsed and another attempt took over
        DeliveryAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=answer.status_code,
            duration_ms=answer.duration_ms,
            error=answer.error[:500],
            response_excerpt=answer.excerpt[:RESPONSE_EXCERPT_BYTES],
        )
        if outcome == "retry" and next_token is not None:
            _queue([(delivery.pk, next_token)], countdown=max(0.0, (due - now).total_seconds()))
        if outcome == "failed":
            _after_failure(delivery, gone=gone, now=now)
    return outcome


def _after_failure(delivery: Delivery, *, gone: bool, now: dt.datetime) -> None:
    """Disable the endpoint when it is the receiver that fails, not one message: on 410 Gone,
    or when nothing reached it since this delivery began. Its owner hears of it."""
    endpoint = delivery.endpoint
    if gone:
        reason = "The receiver answered 410 Gone: it wants no more messages."
    elif not Delivery.objects.filter(
        endpoint=endpoint, status=DeliveryStatus.SUCCEEDED, completed_at__gte=delivery.created_at
    ).exists():
        window_hours = round(retry_window().total_seconds() / 3600)
        reason = (
            f"Every attempt for {window_hours} hours failed "
            f"(last: {delivery.last_error or 'see the delivery log'})."
        )[:300]
    else:
        return
    disabled = WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=True).update(
        disabled_at=now, disabled_reason=reason, updated_at=now
    )
    if disabled:
        endpoint.disabled_at, endpoint.disabled_reason = now, reason
        owner_notify_disabled(endpoint)


def _endpoint_page(endpoint: WebhookEndpoint) -> str:
    return reverse("webhooks:endpoint", args=[endpoint.client_id, endpoint.pk])


def _disabled_message(endpoint: WebhookEndpoint) -> tuple[str, str]:
    title = _("Webhook of %(client_name)s disabled") % {"client_name": endpoint.client.name}
    body = _(
        "Parley stopped sending webhooks to %(url)s. %(disabled_reason)s Fix the "
        "receiver, then enable the endpoint again; replay what it missed from "
        "its delivery log, or read it from the change feed."
    ) % {"url": endpoint.url, "disabled_reason": endpoint.disabled_reason}
    return title, body


def owner_notify_disabled(endpoint: WebhookEndpoint) -> None:
    """Tell the client's owner, in the inbox now and by e-mail after the commit."""
    owner = endpoint.client.owner
    # The e-mail in the owner's language (the inbox renders it for whoever reads it).
    with translation.override(language_of_user(owner) or settings.LANGUAGE_CODE):
        title, body = _disabled_message(endpoint)
    url = _endpoint_page(endpoint)
    notify(recipients=[owner], subject=AlertSubject.INTEGRATION, params={"endpoint": endpoint.pk})
    if not owner.email:
        return
    link = f"{site_url()}{url}"

    def send() -> None:
        try:
            EmailMessage(
                subject=title,
                body=f"{body}\n\n{link}\n",
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[owner.email],
                headers={"X-Parley-Webhook-Endpoint": str(endpoint.pk)},
            ).send(fail_silently=False)
        except Exception:  # the inbox has it; a mail server down must not undo the disabling
            logger.exception("could not e-mail the owner of webhook endpoint %s", endpoint.pk)

    transaction.on_commit(send)


def render_notifications(rows: Sequence[Notification], context: ReadContext) -> dict[int, Shown]:
    """The inbox's text of "endpoint disabled" notifications, for readers who still look after
    the endpoint's client (cases.permissions.may_manage_webhooks); unavailable to others."""
    ids = {r.params.get("endpoint") for r in rows}
    endpoints = {
        e.pk: e
        for e in WebhookEndpoint.objects.filter(
            pk__in=[i for i in ids if isinstance(i, int)]
        ).select_related("client__court", "client__account")
    }
    shown: dict[int, Shown] = {}
    for row in rows:
        endpoint = endpoints.get(row.params.get("endpoint"))
        if endpoint is None or not permissions.may_manage_webhooks(context.reader, endpoint.client):
            continue
        if endpoint.disabled_at is None:
            title = _("Webhook of %(client_name)s was disabled (enabled again since)") % {
                "client_name": endpoint.client.name
            }
            body = _("Parley had stopped sending webhooks to %(url)s.") % {"url": endpoint.url}
        else:
            title, body = _disabled_message(endpoint)
        shown[row.pk] = Shown(title=title, body=body, url=_endpoint_page(endpoint))
    return shown


# ---------------------------------------------------------------------------------------------
# Replay
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def delivery_replay(*, delivery: Delivery, by: User) -> Delivery:
    """Send a delivery's event to its endpoint again, as a new delivery with the same message
    id and a fresh retry schedule."""
    endpoint = delivery.endpoint
    _require_manager(by, endpoint.client)
    endpoint = (
        WebhookEndpoint.objects.select_for_update().select_related("client").get(pk=endpoint.pk)
    )
    if endpoint.disabled_at is not None:
        raise Conflict(_("The endpoint is disabled: enable it first."), code="endpoint_disabled")
    if endpoint.client.revoked_at is not None:
        raise Conflict(_("This client was revoked: it gets no webhooks."), code="client_revoked")
    if Delivery.objects.filter(
        endpoint=endpoint, event_id=delivery.event_id, status=DeliveryStatus.PENDING
    ).exists():
        raise Conflict(
            _("This event is still being delivered to the endpoint; wait for it to finish."),
            code="delivery_pending",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            replay = Delivery.objects.create(
                endpoint=endpoint,
                event_id=delivery.event_id,
                replay_of=delivery,
                message_id=delivery.message_id,
                next_attempt_at=now,
                created_at=now,
                created_by=by,
            )
    except IntegrityError:
        raise Conflict(
            _("This event is already being delivered to the endpoint."), code="delivery_pending"
        ) from None
    _dispatch([replay.pk], now=now)
    return replay


# ---------------------------------------------------------------------------------------------
# Keeping the delivery log to its retention
# ---------------------------------------------------------------------------------------------


def delivery_retention() -> dt.timedelta:
    return dt.timedelta(days=int(_setting("WEBHOOK_DELIVERY_RETENTION_DAYS", 30)))


def deliveries_prune(
    *, now: dt.datetime | None = None, batch: int = 1000, max_batches: int = 100
) -> int:
    """Delete finished deliveries (and their attempts) begun more than
    WEBHOOK_DELIVERY_RETENTION_DAYS ago, `batch` at a time. A delivery still pending (an
    endpoint's disabled, its deliveries wait) stays, and so does one whose replay is recent or
    pending: a replay goes with its original. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - delivery_retention()
    old = Q(created_at__lt=cutoff, status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED])
    total = 0
    for _batch in range(max_batches):
        with transaction.atomic():
            ids = list(
                Delivery.objects.filter(old)
                .exclude(replays__created_at__gte=cutoff)
                .exclude(replays__status=DeliveryStatus.PENDING)
                .order_by()
                .values_list("id", flat=True)[:batch]
            )
            if not ids:
                break
            Delivery.objects.filter(pk__in=ids).delete()  # with their attempts
        total += len(ids)
        if len(ids) < batch:
            break
    return total
