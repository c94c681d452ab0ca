"""What the route benchmark needs on top of bench/seed.py: a person of every role and, in the
measured clerk's court, a few cases played through the services (offers and counters, an
agreement, notes behind each wall, documents, hearings, deadlines, notifications), with the
tokens, calendar feeds and integration client that the routes take as path parameters.

The bulk seed gives the size (every list and picker walks it); these cases give every route
with a path parameter an object that each role may, or may not, see. Kept in `bench_seed` under
the name `routes` with the `cases` seed it was built on, so it is made once per seed.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction

WORLD_VERSION = 3  # 3: the rich cases' history recorded by the audit trigger
# (statute citations, status path, negotiation rounds, counsel role): the counsel role decides
# whether the measured defense attorney or the duty lawyer takes the case. The richest comes
# last: the benchmark tries the newest objects first.
RICH_CASES = [
    (["18 U.S.C. 1343"], ["negotiating", "agreement"], 1, "duty_lawyer"),
    (["18 U.S.C. 111(a)"], ["trial"], 1, "duty_lawyer"),
    (["18 U.S.C. 641"], ["negotiating", "agreement", "plea_entered"], 1, "defense_counsel"),
    (["21 U.S.C. 841(b)(1)(A)", "18 U.S.C. 922(g)(1)"], ["negotiating"], 3, "defense_counsel"),
]


@dataclass
class World:
    cases_seeded_at: str
    personas: dict[str, int]  # role -> user id
    court: int  # the measured court, where every rich case is
    cases: list[int]  # the rich cases, the last one richest
    tokens: dict[str, str] = field(default_factory=dict)  # role -> personal API token
    history_until: int = 0  # the newest audit event of the built world (world_history_reset)
    feeds: dict[str, str] = field(default_factory=dict)  # role -> calendar feed token

    def users(self) -> dict[str, User]:
        found = User.objects.select_related("profile").in_bulk(self.personas.values())
        return {role: found[pk] for role, pk in self.personas.items()}


def _cases_seeded_at() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT seeded_at FROM bench_seed WHERE name = 'cases'")
        return str(cursor.fetchone()[0])


def world_load() -> World | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version, shape FROM bench_seed WHERE name = 'routes'")
        row = cursor.fetchone()
    if row is None or row[0] != WORLD_VERSION:
        return None
    data = row[1] if isinstance(row[1], dict) else json.loads(row[1])
    world = World(**data)
    return world if world.cases_seeded_at == _cases_seeded_at() else None


def world_ensure(log: Callable[[str], None]) -> World:
    """The world of the current seed, built now if the seed has none (or a stale one)."""
    world = world_load()
    if world is not None:
        removed = world_history_reset(world)
        log(f"routes world: already built on this seed ({removed} events of earlier runs removed)")
        return world
    started = time.monotonic()
    from audit.context import AuditContext, acting

    with acting(AuditContext(via="command", request_id="bench.routes")):
        world = _build(log)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM audit_event")
        world.history_until = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_seed (name, cases, version, seeded_at, shape) "
            "VALUES ('routes', %s, %s, now(), %s) ON CONFLICT (name) DO UPDATE SET "
            "cases = EXCLUDED.cases, version = EXCLUDED.version, "
            "seeded_at = EXCLUDED.seeded_at, shape = EXCLUDED.shape",
            [len(world.cases), WORLD_VERSION, json.dumps(asdict(world))],
        )
    with connection.cursor() as cursor:
        for table in BULK_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    log(f"routes world: built in {time.monotonic() - started:.1f} s")
    return world


def world_history_reset(world: World) -> int:
    """Remove what earlier runs added to the rich cases' history, so that every run measures
    the same history: each history export is itself recorded in the case's history, and a run
    exports the richest case's history a hundred times (the file had grown to 450 kB over a
    dozen runs). The trail is append-only for the application (a trigger); the bench, as
    superuser, deletes its own requests' events in replica mode, which skips that trigger.
    Returns how many events went (0 where the role may not)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "DELETE FROM audit_event WHERE case_id = ANY(%s) AND id > %s",
            [world.cases, world.history_until],
        )
        return int(cursor.rowcount)


def world_stale() -> bool:
    """Whether an earlier version of the world was built on the current seed (its cases are
    there): the seed must be made again before this version is built."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM bench_seed WHERE name = 'routes'")
        return cursor.fetchone() is not None


@transaction.atomic
def _build(log: Callable[[str], None]) -> World:
    from accounts.services import personal_token_create
    from bench import seed as seeding
    from cases.models import CaseStatus, Court
    from cases.profiles import jurisdiction_profiles_load
    from deadlines.feeds import feed_issue
    from demo import data as demo
    from parties.models import Defendant

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases FROM bench_seed WHERE name = 'cases'")
        _bulk(cursor, cursor.fetchone()[0])
    log(
        f"routes world: offers, hearings, notes, notifications ({time.monotonic() - started:.1f} s)"
    )
    court = Court.objects.select_related("organization").get(name=seeding.MEASURED_COURT)
    judge = (
        User.objects.filter(profile__role_kind="judge", profile__organization=court.organization)
        .order_by("pk")
        .first()
    )
    assert judge is not None, "the seed has no judge in the measured court"
    people = {
        "prosecutor": User.objects.get(username="ausa.1"),  # the busiest: caseloads are skewed
        "defense_counsel": User.objects.get(username=seeding.MEASURED_ATTORNEY),
        "duty_lawyer": User.objects.get(username="duty.1"),
        "judge": judge,
        "court_staff": User.objects.get(username=seeding.MEASURED_CLERK),
    }
    defendants = list(
        Defendant.objects.filter(user__isnull=False).select_related("user").order_by("pk")[:3]
    )
    defendant_user = defendants[0].user
    assert defendant_user is not None
    people["defendant"] = defendant_user
    us = jurisdiction_profiles_load()["us-fed"]
    demo._statutes(us, demo.US_STATUTES, demo.US_LESSER, demo.US_STATUTE_TRAITS)

    today = dt.date.today()
    rich = []
    for n, (citations, path, rounds, counsel_role) in enumerate(RICH_CASES):
        # The first defendant (the defendant persona) is on the first and the last case.
        defendant = defendants[0] if n in (0, len(RICH_CASES) - 1) else defendants[n % 3]
        docket = f"ROUTES-{n + 1:03d}"
        demo._case(
            court=court,
            docket=docket,
            caption=f"United States v. {defendant.full_name}",
            opened_on=today - dt.timedelta(days=60 - 7 * n),
            prosecutor=people["prosecutor"],
            counsel=(counsel_role, people[counsel_role]),
            judge=judge,
            clerk=people["court_staff"],
            defendant=defendant,
            citations=citations,
            path=[CaseStatus(status) for status in path],
            rounds=rounds,
        )
        rich.append(court.cases.get(docket_number=docket).pk)
    log(f"routes world: {len(rich)} cases played through the services")
    _negotiation_open_items(rich[-1], people)
    _court_dates(court, people["court_staff"], judge, rich)
    _integration(court, people["court_staff"])
    world = World(
        cases_seeded_at=_cases_seeded_at(),
        personas={role: user.pk for role, user in people.items()},
        court=court.pk,
        cases=rich,
    )
    for role, user in people.items():
        world.tokens[role] = personal_token_create(user=user, name="bench.routes")[1]
        world.feeds[role] = feed_issue(user=user)
    return world


def _negotiation_open_items(case_id: int, people: dict[str, User]) -> None:
    """What a negotiation in progress also holds: the defense's suggestion awaiting an answer
    and the prosecution's next offer in draft (the routes that edit them answer only then)."""
    from cases.models import Case
    from demo import data as demo
    from negotiations import services as negotiation_services

    case = Case.objects.get(pk=case_id)
    negotiation_services.suggestion_submit(
        case=case, by=people["defense_counsel"], text="Consider the cooperation credit."
    )
    negotiation_services.offer_create(
        case=case,
        by=people["prosecutor"],
        data=demo._offer_input(case, rationale="Next round, in draft."),
    )


def _court_dates(court: Any, clerk: User, judge: User, case_ids: list[int]) -> None:
    """Courtrooms, a closure, the next hearing of each rich case and its deadlines, as the
    demo's court calendar does for its cases; then the participants hear of the hearings."""
    from cases.models import Case
    from cases.services import court_today
    from deadlines import services as date_services
    from deadlines.alerts.notices import notify_hearing_changed
    from deadlines.computation import calendar_for_court
    from deadlines.models import DeadlineKind, DeadlineRule, HearingKind
    from parties.models import Side

    next_hearing = {
        "intake": HearingKind.ARRAIGNMENT,
        "negotiating": HearingKind.STATUS_CONFERENCE,
        "agreement": HearingKind.PLEA_HEARING,
        "plea_entered": HearingKind.SENTENCING,
        "trial": HearingKind.TRIAL,
    }
    rooms = [
        date_services.courtroom_create(court=court, by=clerk, name=f"Routes courtroom {n}")
        for n in (1, 2)
    ]
    today = court_today(court)
    calendar = calendar_for_court(court)
    date_services.closure_add(
        court=court,
        by=clerk,
        date=calendar.next_court_day(today + dt.timedelta(days=20)),
        reason="Building maintenance (bench)",
    )
    calendar = calendar_for_court(court)
    zone = zoneinfo.ZoneInfo(court.time_zone)
    speedy = DeadlineRule.objects.filter(
        code="us-usc-3161c1-trial", jurisdiction=court.jurisdiction_id
    ).first()
    day = today
    for n, case in enumerate(Case.objects.filter(pk__in=case_ids).order_by("pk")):
        kind = next_hearing.get(case.status, HearingKind.STATUS_CONFERENCE)
        day = calendar.next_court_day(day)
        starts = dt.datetime.combine(day, dt.time(9 + n % 3 * 2, 30), tzinfo=zone)
        hearing = date_services.hearing_schedule(
            case=case,
            by=clerk,
            kind=kind,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            courtroom=rooms[n % len(rooms)],
            judge=judge,
        )
        notify_hearing_changed(hearing)
        if speedy is not None:
            date_services.deadline_create(
                case=case,
                by=clerk,
                kind=speedy.kind,
                title=speedy.name,
                responsible_side=speedy.responsible_side,
                rule=speedy,
                trigger_date=max(case.opened_on, today - dt.timedelta(days=3)),
            )
        date_services.deadline_create(
            case=case,
            by=clerk,
            kind=DeadlineKind.DISCOVERY_DUE,
            title="Discovery due (Rule 16)",
            responsible_side=Side.PROSECUTION,
            due_date=calendar.next_court_day(today + dt.timedelta(days=3 + n)),
        )


def _integration(court: Any, clerk: User) -> None:
    """The court's docket system: an API client with a token, a webhook endpoint and the
    deliveries of one event."""
    from django.test import override_settings

    from integrations import services as integration_services
    from integrations.models import Event, EventType
    from webhooks import services as webhook_services

    client = integration_services.api_client_create(
        court=court, name="Bench docket system", owner=clerk, by=clerk
    )
    integration_services.api_token_create(client=client, name="bench", by=clerk)
    # A loopback address (nothing listens on the discard port): the machine may have no DNS.
    with override_settings(WEBHOOK_ALLOW_PRIVATE_DESTINATIONS=True):
        webhook_services.endpoint_create(
            client=client,
            by=clerk,
            url="http://127.0.0.1:9/parley",
            event_types=list(EventType.values),
        )
    event = Event.objects.filter(court=court).order_by("-id").first()
    if event is not None:
        transaction.on_commit(lambda: webhook_services.event_fan_out(event.pk))


# Tables the bulk rows go to, analysed after the load.
BULK_TABLES = ["negotiations_offer", "deadlines_hearing", "records_note", "deadlines_notification"]


def _bulk(cursor: Any, cases: int) -> None:
    """The volume behind the lists, in set-based SQL, scaled with the seed:
    - a prosecution offer on every case in negotiation or later, and on every fourth older case
      (sent while negotiating, rejected otherwise);
    - a hearing on every other case, in one courtroom per court, spread over nine years past and
      one to come (held, or scheduled), never overlapping in a courtroom;
    - a note on every case (shared or the prosecution's), and for each shared note a
      notification to the defense lawyer, nine in ten of them read.
    As the seed does, as superuser it skips the row triggers (audit, foreign keys)."""
    from bench import seed as seeding
    from deadlines.models import HearingKind

    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")
    clerk = User.objects.get(username=seeding.MEASURED_CLERK).pk
    cursor.execute(
        """
        INSERT INTO negotiations_offer (round_number, side, status, custody_min_months,
            custody_max_months, cooperation, appeal_waiver, immigration_safe_plea,
            no_enhancement, offense_level, criminal_history_category, leniency_stage,
            leniency_circumstances, expires_at, rationale, discovery_items_disclosed, response,
            withdrawal_reason, sent_at, closed_at, created_at, updated_at, author_id, case_id,
            discovery_disclosure_ids)
        SELECT 1, 'prosecution', CASE WHEN c.status = 'negotiating' THEN 'sent' ELSE 'rejected'
            END, 12, 24, false, true, false, false, 20, 'II', '', '[]'::jsonb,
            c.created_at + interval '30 days', 'Early resolution spares the witnesses.', 0, '',
            '', c.created_at + interval '7 days',
            CASE WHEN c.status <> 'negotiating' THEN c.created_at + interval '14 days' END,
            c.created_at + interval '7 days', c.created_at + interval '7 days', p.user_id, c.id,
            '{}'
        FROM cases_case c
        JOIN parties_caseparticipant p ON p.case_id = c.id AND p.role = 'prosecutor'
        WHERE c.id <= %(n)s
          AND (c.status IN ('negotiating', 'agreement', 'plea_entered') OR c.id %% 4 = 0)
        """,
        {"n": cases},
    )
    cursor.execute(
        "INSERT INTO deadlines_courtroom (name, court_id) SELECT 'Bench courtroom', id "
        "FROM cases_court"
    )
    cursor.execute(
        """
        INSERT INTO deadlines_hearing (kind, starts_at, ends_at, status, notes, sequence,
            created_at, updated_at, case_id, courtroom_id, created_by_id)
        SELECT %(kind)s, s.starts, s.starts + least(s.step * 0.9, interval '1 hour'),
            CASE WHEN s.starts < now() THEN 'held' ELSE 'scheduled' END, '', 0,
            c.created_at, c.created_at, c.id, r.id, %(clerk)s
        FROM cases_case c
        JOIN deadlines_courtroom r ON r.court_id = c.court_id AND r.name = 'Bench courtroom'
        CROSS JOIN LATERAL (
            SELECT date_trunc('hour', now()) - interval '9 years'
                       + c.id * (interval '10 years' / %(n)s) AS starts,
                   interval '10 years' / %(n)s AS step
        ) s
        WHERE c.id <= %(n)s AND c.id %% 2 = 0
        """,
        {"n": cases, "kind": HearingKind.STATUS_CONFERENCE, "clerk": clerk},
    )
    cursor.execute(
        """
        INSERT INTO records_note (visibility, body, created_at, updated_at, author_id, case_id)
        SELECT (ARRAY['shared', 'prosecution'])[1 + c.id %% 2],
            'Discovery exchanged by e-mail; see the log.', c.created_at, c.created_at,
            p.user_id, c.id
        FROM cases_case c
        JOIN parties_caseparticipant p ON p.case_id = c.id AND p.role = 'prosecutor'
        WHERE c.id <= %(n)s
        """,
        {"n": cases},
    )
    cursor.execute(
        """
        INSERT INTO deadlines_notification (subject, created_at, read_at, case_id, recipient_id,
            params)
        SELECT 'record', n.created_at,
            CASE WHEN n.case_id < 0.9 * %(n)s THEN n.created_at + interval '1 day' END,
            n.case_id, p.user_id, jsonb_build_object('note', n.id)
        FROM records_note n
        JOIN parties_caseparticipant p ON p.case_id = n.case_id AND p.side = 'defense'
            AND p.role IN ('defense_counsel', 'duty_lawyer') AND p.end_date IS NULL
        WHERE n.visibility = 'shared' AND n.case_id <= %(n)s
        """,
        {"n": cases},
    )
    # The rest of the world is played through the services, with the triggers on: the rich
    # cases' history is what the audit trigger records of them, as in production.
    cursor.execute("SET LOCAL session_replication_role = DEFAULT")
