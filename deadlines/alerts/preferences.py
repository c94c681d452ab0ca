"""What each person wants: lead times and channels per kind of date (their row, or the
defaults), and their digest settings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deadlines.models import (
    DEFAULT_LEAD_MINUTES,
    AlertChannel,
    AlertPreference,
    AlertSettings,
    DeadlineKind,
    HearingKind,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class EffectivePreference:
    """What applies to one kind of date for one user: their row, or the defaults."""

    kind: str
    label: str
    lead_minutes: tuple[int, ...]
    in_app: bool
    email: bool
    is_default: bool


def _kind_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for value, label in HearingKind.choices:
        labels[value] = str(label)
    for value, label in DeadlineKind.choices:
        labels[value] = str(label)
    return labels


def _default_preference(kind: str) -> EffectivePreference:
    return EffectivePreference(
        kind=kind,
        label=_kind_labels().get(kind, kind),
        lead_minutes=DEFAULT_LEAD_MINUTES,
        in_app=True,
        email=True,
        is_default=True,
    )


def _from_row(row: AlertPreference) -> EffectivePreference:
    return EffectivePreference(
        kind=row.kind,
        label=_kind_labels().get(row.kind, row.kind),
        lead_minutes=tuple(sorted(row.lead_minutes, reverse=True)),
        in_app=row.in_app,
        email=row.email,
        is_default=False,
    )


def preferences_of(user: User) -> list[EffectivePreference]:
    """Every kind of date (hearing kinds, then deadline kinds) with the lead times and channels
    that apply to `user`."""
    rows = {row.kind: row for row in AlertPreference.objects.filter(user=user)}
    kinds = [value for value, _ in HearingKind.choices] + [v for v, _ in DeadlineKind.choices]
    return [_from_row(rows[kind]) if kind in rows else _default_preference(kind) for kind in kinds]


def _preferences_for(user_ids: Iterable[int]) -> dict[tuple[int, str], EffectivePreference]:
    """The preference rows of these users (one query); missing (user, kind) pairs mean the
    defaults."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {
        (row.user_id, row.kind): _from_row(row)
        for row in AlertPreference.objects.filter(user_id__in=ids)
    }


def _preference(
    prefs: dict[tuple[int, str], EffectivePreference], user_id: int, kind: str
) -> EffectivePreference:
    return prefs.get((user_id, kind)) or _default_preference(kind)


def _channels(pref: EffectivePreference, user: User) -> list[str]:
    channels = []
    if pref.in_app:
        channels.append(AlertChannel.IN_APP.value)
    if pref.email and user.email:
        channels.append(AlertChannel.EMAIL.value)
    return channels


def alert_settings_of(user: User) -> AlertSettings:
    """The user's settings (unsaved defaults when they have none)."""
    found = AlertSettings.objects.filter(user=user).first()
    return found or AlertSettings(user=user)
