"""Writes about API clients and their tokens. Permissions come from cases.permissions."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Court
from cases.services import court_member_add
from core.text import single_line
from integrations.auth import TOKEN_PREFIX, hash_token
from integrations.models import ApiClient, ApiToken, Event, EventLogPruned
from parties.models import Organization, Role
from parties.services import profile_set

# Shown in lists so a person can tell tokens apart; the rest of the token is never stored.
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8


def _account_username(court: Court, name: str) -> str:
    base = f"api-{court.pk}-{slugify(name)[:100] or 'client'}"
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


@transaction.atomic
def api_client_create(
    *,
    court: Court,
    name: str,
    owner: User,
    by: User,
    role: str = Role.COURT_STAFF,
    organization: Organization | None = None,
) -> ApiClient:
    """Make a client and its service account. A court client sits in the court as its staff;
    a party's client sees only the cases it is made a participant of."""
    if not permissions.may_manage_api_clients(by, court):
        raise PermissionDenied(_("Only the court's staff make API clients for the court."))
    errors: dict[str, str] = {}
    name = single_line(name)
    if not name:
        errors["name"] = _("Name the client, e.g. the docket system it is.")
    elif len(name) > 120:
        errors["name"] = _("Keep the name to 120 characters.")
    elif ApiClient.objects.filter(court=court, name=name).exists():
        errors["name"] = _("%(court)s already has a client named %(name)s.") % {
            "court": court,
            "name": repr(name),
        }
    if role not in permissions.API_CLIENT_ROLES:
        allowed = ", ".join(sorted(permissions.API_CLIENT_ROLES))
        errors["role"] = _("A client acts as one of: %(allowed)s.") % {"allowed": allowed}
    if role in permissions.API_CLIENT_ROLES and not permissions.may_own_api_client(
        owner, court, role
    ):
        errors["owner"] = (
            _(
                "The owner of a court's client is its staff; of a %(role)s's client, a "
                "%(role)s. %(username)s may not own it."
            )
            % {"role": Role(role).label.lower(), "username": owner.get_username()}
            if role != Role.COURT_STAFF
            else _("The owner of a court's client is one of its staff; %(username)s is not.")
            % {"username": owner.get_username()}
        )
    if errors:
        raise ValidationError(errors)
    account = User(
        username=_account_username(court, name),
        first_name=name[:150],
        last_name=_("(API client)"),
        is_active=True,
    )
    account.set_unusable_password()
    account.save()
    if organization is None and role != Role.COURT_STAFF:
        # A party's system works for its owner's office.
        organization = owner.profile.organization
    profile_set(user=account, role_kind=role, organization=organization)
    if role == Role.COURT_STAFF:
        court_member_add(court=court, user=account)
    return ApiClient.objects.create(
        name=name, court=court, role=role, account=account, owner=owner, created_by=by
    )


@transaction.atomic
def api_client_revoke(*, client: ApiClient, by: User) -> ApiClient:
    """Stop a client for good: its tokens stop working and its account is deactivated."""
    permissions.require_api_client_manager(by, client)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is None:
        now = timezone.now()
        client.revoked_at = now
        client.save(update_fields=["revoked_at"])
        client.tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
        User.objects.filter(pk=client.account_id).update(is_active=False)
    return client


def api_token_create(
    *,
    client: ApiClient,
    name: str,
    by: User,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `client`. Returns the token row and the token itself, which is shown
    this once and stored only as its hash."""
    permissions.require_api_client_manager(by, client)
    errors: dict[str, str] = {}
    name = single_line(name)
    if not name:
        errors["name"] = _("Name the token, e.g. where it is installed.")
    elif len(name) > 120:
        errors["name"] = _("Keep the name to 120 characters.")
    if ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=False).exists():
        errors["client"] = _("This client was revoked; make a new client instead.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("An expiry must be in the future.")
    if errors:
        raise ValidationError(errors)
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        client=client,
        name=name,
        prefix=key[:PREFIX_LENGTH],
        key_hash=hash_token(key),
        created_by=by,
        expires_at=expires_at,
    )
    return token, key


def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    permissions.require_api_client_manager(by, token.client)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# ---------------------------------------------------------------------------------------------
# Keeping the event log to its retention
# ---------------------------------------------------------------------------------------------

PRUNE_BATCH = 1000


def event_retention() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "EVENT_RETENTION_DAYS", 90)))


def events_prune(
    *, now: dt.datetime | None = None, batch: int = PRUNE_BATCH, max_batches: int = 100
) -> int:
    """Delete the events older than EVENT_RETENTION_DAYS, `batch` at a time, each batch in a
    transaction of its own; an event with a delivery still pending stays until it is done.
    Records how far the log was pruned, so that the feed can tell a client whose cursor is
    older that it missed events. Returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - event_retention()
    total = 0
    for _batch in range(max_batches):
        with transaction.atomic():
            rows = list(
                Event.objects.filter(occurred_at__lt=cutoff)
                .exclude(webhook_deliveries__status="pending")
                .order_by()
                .values_list("txid", "id")[:batch]
            )
            if not rows:
                break
            Event.objects.filter(pk__in=[event_id for _txid, event_id in rows]).delete()
            last_txid, last_id = max(rows)
            EventLogPruned.objects.bulk_create(
                [EventLogPruned(txid=0, event_id=0, pruned_at=now)], ignore_conflicts=True
            )
            mark = EventLogPruned.objects.select_for_update().get(pk=1)
            if (mark.txid, mark.event_id) < (last_txid, last_id):
                mark.txid, mark.event_id, mark.pruned_at = last_txid, last_id, now
                mark.save()
        total += len(rows)
        if len(rows) < batch:
            break
    return total
