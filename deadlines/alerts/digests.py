"""The daily digest: queued once per person and local day; the sweep delivers it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import connection, transaction
from django.utils import timezone

from deadlines.models import Alert, AlertChannel, AlertSettings, AlertSubject


def digests_send_due(*, now: dt.datetime | None = None) -> int:
    """Queue today's digest for every user whose local digest hour has come and who has not had
    one today. The DigestSent row is claimed first (unique per user and local day), so a
    repeated run queues nothing twice; the sweep delivers the digests like any alert."""
    now = now or timezone.now()
    queued = 0
    for alert_settings in AlertSettings.objects.filter(daily_digest=True).select_related("user"):
        user = alert_settings.user
        if not user.is_active:
            continue
        try:
            tz = zoneinfo.ZoneInfo(alert_settings.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = zoneinfo.ZoneInfo("UTC")
        local = now.astimezone(tz)
        if local.hour < alert_settings.digest_hour:
            continue
        day = local.date()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO deadlines_digestsent (user_id, day, sent_at) VALUES (%s, %s, %s) "
                    "ON CONFLICT (user_id, day) DO NOTHING RETURNING id",
                    [user.pk, day, now],
                )
                if cursor.fetchone() is None:
                    continue
            start_of_day = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz).astimezone(dt.UTC)
            channels = [AlertChannel.IN_APP.value]
            if user.email:
                channels.append(AlertChannel.EMAIL.value)
            Alert.objects.bulk_create(
                [
                    Alert(
                        recipient=user,
                        channel=channel,
                        subject=AlertSubject.DIGEST,
                        target_at=start_of_day,
                        lead_minutes=0,
                        send_at=now,
                    )
                    for channel in channels
                ],
                ignore_conflicts=True,
            )
            queued += 1
    return queued
