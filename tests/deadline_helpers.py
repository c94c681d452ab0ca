"""Building blocks for court-date tests: courtrooms, hearings and deadlines on the `world`
fixture's case, all made through deadlines.services (so history and alerts are written as in
real use). Times are aware datetimes; `at(...)` builds one in the world court's zone
(America/New_York). Freeze the clock (time_machine) before calling these when the test is
about dates: a hearing or deadline is planned relative to `timezone.now()` only where said.

    from tests.deadline_helpers import courtroom, hearing, manual_deadline, rule, at, NY
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib.auth.models import User

from cases.models import Case, Court
from deadlines import services
from deadlines.models import (
    Courtroom,
    Deadline,
    DeadlineKind,
    DeadlineRule,
    Hearing,
    HearingKind,
)
from parties.models import Role
from tests import factories
from tests.conftest import World

NY = zoneinfo.ZoneInfo("America/New_York")

# Codes of the rules deadlines/migrations/0003_seed_rules.py ships.
US_TRIAL_70 = "us-usc-3161c1-trial"  # event, 70 calendar days after, forward (45(a)), court
US_INDICTMENT_30 = "us-usc-3161b-indictment"  # event, 30 days after, forward (45(a)), prosecution
US_PSR_35_BEFORE = "us-frcrp-32e2-psr-disclosure"  # hearing:sentencing, 35 days before, backward
US_PSR_OBJECTIONS_14 = "us-frcrp-32f1-psr-objections"  # event, 14 days after, forward
US_CORRECTION_14 = "us-frcrp-35a-correction"  # hearing:sentencing, 14 days after, forward
US_APPEAL_14 = "us-frap-4b1a-notice-of-appeal"  # event, 14 days after, forward, defense
US_SUGGESTION_7 = "us-office-suggestion-response"  # suggestion_response_due, 7 days, forward
CN_EXPEDITED_TRIAL_10 = "cn-cpl-225-expedited-trial"  # event, 10 days after, forward, court


def at(
    year: int, month: int, day: int, hour: int = 9, minute: int = 0, zone: Any = NY
) -> dt.datetime:
    """An aware moment on the world court's wall clock (New York) unless `zone` says otherwise."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def clerk(world: World) -> User:
    return world.user(Role.COURT_STAFF)


def judge(world: World) -> User:
    return world.user(Role.JUDGE)


def courtroom(world: World, name: str = "Courtroom 1", court: Court | None = None) -> Courtroom:
    """A courtroom of the world's court (or of `court`, made by its own clerk, a stranger
    clerk of the other court). Returns the existing one if the name is taken."""
    court = court or world.court
    existing = Courtroom.objects.filter(court=court, name=name).first()
    if existing is not None:
        return existing
    by = clerk(world) if court.pk == world.court.pk else world.strangers[Role.COURT_STAFF]
    return services.courtroom_create(court=court, by=by, name=name)


def ensure_seeded_rules() -> None:
    """The seeded rules, put back after a transactional test's flush (see factories)."""
    factories.deadline_rules()


def rule(code: str) -> DeadlineRule:
    """A seeded rule by its code (see the constants above)."""
    ensure_seeded_rules()
    return DeadlineRule.objects.select_related("jurisdiction").get(code=code)


def hearing(
    world: World,
    *,
    kind: str = HearingKind.PLEA_HEARING,
    starts_at: dt.datetime | None = None,
    minutes: int = 60,
    room: Courtroom | None = None,
    case: Case | None = None,
    by: User | None = None,
    judge_user: User | None = None,
    notes: str = "",
) -> Hearing:
    """A hearing scheduled by the clerk on the world case (default: a plea hearing on Tuesday
    2026-12-15 at 09:00 New York, one hour, in "Courtroom 1")."""
    starts = starts_at or at(2026, 12, 15, 9)
    return services.hearing_schedule(
        case=case or world.case,
        by=by or clerk(world),
        kind=kind,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        courtroom=room or courtroom(world),
        judge=judge_user,
        notes=notes,
    )


def manual_deadline(
    world: World,
    *,
    due_date: dt.date = dt.date(2026, 12, 18),
    title: str = "Discovery due",
    kind: str = DeadlineKind.DISCOVERY_DUE,
    responsible_side: str = "prosecution",
    case: Case | None = None,
    by: User | None = None,
    due_at: dt.datetime | None = None,
) -> Deadline:
    """A deadline set by hand by the clerk on the world case."""
    return services.deadline_create(
        case=case or world.case,
        by=by or clerk(world),
        kind=kind,
        title=title,
        responsible_side=responsible_side,
        due_date=due_date,
        due_at=due_at,
    )


def event_deadline(
    world: World,
    *,
    code: str = US_TRIAL_70,
    trigger_date: dt.date = dt.date(2026, 11, 2),
    case: Case | None = None,
    by: User | None = None,
    title: str = "",
) -> Deadline:
    """A deadline computed by a seeded event rule (default: Speedy Trial Act 70 days)."""
    chosen = rule(code)
    return services.deadline_create(
        case=case or world.case,
        by=by or clerk(world),
        kind=chosen.kind,
        title=title,
        rule=chosen,
        trigger_date=trigger_date,
    )


def hearing_deadline(
    world: World,
    trigger: Hearing,
    *,
    code: str = US_PSR_35_BEFORE,
    by: User | None = None,
    title: str = "",
) -> Deadline:
    """A deadline computed from a hearing by a seeded rule (default: PSR 35 days before
    sentencing; `trigger` must be a sentencing hearing then)."""
    chosen = rule(code)
    return services.deadline_create(
        case=trigger.case,
        by=by or clerk(world),
        kind=chosen.kind,
        title=title,
        rule=chosen,
        trigger_hearing=trigger,
    )


def sentencing(world: World, starts_at: dt.datetime | None = None, **kwargs: Any) -> Hearing:
    return hearing(
        world, kind=HearingKind.SENTENCING, starts_at=starts_at or at(2027, 2, 9, 10), **kwargs
    )


def inbox_of(user: User) -> list[Any]:
    """What `user` reads in their inbox now (deadlines.notifications.Shown), newest first."""
    from deadlines import notifications

    rows = list(notifications.notifications_for(user))
    return [item.shown for item in notifications.notifications_shown(user, rows)]
