"""A person sets their own lead times, channels and digest; their reminders are replanned."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from deadlines.alerts.planning import plan_for_user
from deadlines.models import AlertPreference, AlertSettings, DeadlineKind, HearingKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User


MAX_LEAD_MINUTES = 60 * 24 * 60  # 60 days
MAX_LEADS = 8


def _valid_kinds() -> set[str]:
    return {v for v, _ in HearingKind.choices} | {v for v, _ in DeadlineKind.choices}


def _validated_leads(lead_minutes: Any) -> list[int]:
    if not isinstance(lead_minutes, list | tuple) or not lead_minutes:
        raise ValidationError({"lead_minutes": _("Give between 1 and 8 lead times.")})
    if len(lead_minutes) > MAX_LEADS:
        raise ValidationError({"lead_minutes": _("Give at most 8 lead times.")})
    leads: list[int] = []
    for value in lead_minutes:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError({"lead_minutes": _("Lead times are whole numbers of minutes.")})
        if not 1 <= value <= MAX_LEAD_MINUTES:
            raise ValidationError(
                {"lead_minutes": _("Each lead time is between 1 minute and 60 days (86400).")}
            )
        leads.append(value)
    if len(set(leads)) != len(leads):
        raise ValidationError({"lead_minutes": _("Lead times must be different from each other.")})
    return sorted(leads, reverse=True)


@transaction.atomic
def alert_preference_set(
    *,
    user: User,
    kind: str,
    lead_minutes: Sequence[int],
    in_app: bool,
    email: bool,
    replan: bool = True,
) -> AlertPreference:
    """Set `user`'s lead times and channels for one kind of date, then replan their alerts
    (a caller saving every kind at once passes `replan=False` and calls plan_for_user once)."""
    if kind not in _valid_kinds():
        raise ValidationError({"kind": _("Not a kind of hearing or deadline.")})
    leads = _validated_leads(list(lead_minutes) if lead_minutes is not None else None)
    pref, _created = AlertPreference.objects.update_or_create(
        user=user,
        kind=kind,
        defaults={"lead_minutes": leads, "in_app": bool(in_app), "email": bool(email)},
    )
    if replan:
        plan_for_user(user)
    return pref


@transaction.atomic
def alert_settings_set(
    *, user: User, daily_digest: bool, digest_hour: int, time_zone: str
) -> AlertSettings:
    errors: dict[str, str] = {}
    if (
        isinstance(digest_hour, bool)
        or not isinstance(digest_hour, int)
        or not 0 <= digest_hour <= 23
    ):
        errors["digest_hour"] = _("The hour is a whole number from 0 to 23.")
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        errors["time_zone"] = _("Not a known time zone (e.g. America/New_York).")
    if errors:
        raise ValidationError(errors)
    alert_settings, _created = AlertSettings.objects.update_or_create(
        user=user,
        defaults={
            "daily_digest": bool(daily_digest),
            "digest_hour": digest_hour,
            "time_zone": time_zone,
        },
    )
    return alert_settings
