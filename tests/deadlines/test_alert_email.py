"""Alert e-mail is sent once, and a mail server that never answers holds up nothing.

Each e-mail is claimed, marked `sending` (committed), handed to the mail server outside any
transaction, and recorded `sent` in one short statement, again on a fresh connection if the
database connection was cut in between (deadlines.alerts._deliver_email). These tests cut the
connection for real (pg_terminate_backend from another connection), run a real SMTP server of
their own on a loopback port (one that accepts and never says a word, then one that answers),
and run the sweeps in real Celery workers, one for in-app alerts and one for e-mail, as
docker-compose does.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.db import connection
from django.utils import timezone

from deadlines import alerts
from deadlines.models import (
    Alert,
    AlertChannel,
    AlertStatus,
    AlertSubject,
    Courtroom,
    Hearing,
    HearingKind,
    Notification,
)
from parties.models import Role
from tests.celery_helpers import Workers, database_url, sender_app, wait_for
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)

# Tuesday 24 November 2026, 10:00 in New York (the world's court).
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=300)
PEOPLE = [Role.PROSECUTOR, Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT, Role.JUDGE]
MESSAGE_ID = re.compile(r"^Message-ID: (<alert-\d+@alerts\.parley>)\r?$", re.MULTILINE)


def _terminate(pid: int) -> None:
    """End the PostgreSQL backend `pid` from another connection, and wait until it is gone."""
    with psycopg.connect(database_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


def _our_backend_pid() -> int:
    connection.ensure_connection()
    assert connection.connection is not None
    return int(connection.connection.info.backend_pid)


class CutAfterSending(MemoryBackend):
    """Sends (into mail.outbox), then cuts the sending process's database connection: every
    message is accepted in the instant before its record."""

    def send_messages(self, email_messages: Any) -> int:
        sent = super().send_messages(email_messages)
        _terminate(_our_backend_pid())
        return sent


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _hearing_due_now(world: World) -> Hearing:
    """A trial two hours ahead, its two-hour reminders (five people, in-app and e-mail) due."""
    room = Courtroom.objects.create(court=world.court, name="Courtroom 4B")
    starts = timezone.now() + dt.timedelta(hours=2)
    hearing = Hearing.objects.create(
        case=world.case,
        kind=HearingKind.TRIAL,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        courtroom=room,
        judge=world.user(Role.JUDGE),
        created_by=world.user(Role.COURT_STAFF),
    )
    alerts.plan_for_hearing(hearing)
    assert Alert.objects.filter(send_at__lte=timezone.now()).count() == 10
    return hearing


def _emails() -> Any:
    return Alert.objects.filter(channel=AlertChannel.EMAIL)


def _message_ids() -> Counter[str]:
    return Counter(m.extra_headers["Message-ID"] for m in mail.outbox)


def test_a_connection_cut_between_the_send_and_the_record_sends_no_email_twice(
    world: World, clock: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.deadlines.test_alert_email.CutAfterSending"
    _hearing_due_now(world)

    result = alerts.sweep()

    # Each record was written on a new connection: every e-mail is recorded, none retried.
    assert (result.sent, result.retried) == (10, 0)
    assert set(_emails().values_list("status", flat=True)) == {AlertStatus.SENT}
    assert _message_ids() == Counter(
        f"<alert-{pk}@alerts.parley>" for pk in _emails().values_list("pk", flat=True)
    )

    # Later sweeps, once every claim would have lapsed, find them recorded and send nothing.
    clock.shift(LEASE + dt.timedelta(seconds=1))
    again = alerts.sweep()
    assert again.claimed == 0
    assert len(mail.outbox) == 5
    assert set(_message_ids().values()) == {1}


def test_a_record_whose_answer_was_lost_is_found_on_retry_and_nothing_is_sent_again(
    world: World, clock: Any
) -> None:
    _hearing_due_now(world)
    by_email = set(_emails().values_list("pk", flat=True))
    lost: list[int] = []

    def lose_the_answer(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        """Once: let the statement that marks an e-mail sent run (and commit, in autocommit),
        then cut the connection before its answer is read."""
        result = execute(sql, params, many, context)
        if (
            not lost
            and sql.startswith('UPDATE "deadlines_alert"')
            and params
            and params[0] == AlertStatus.SENT
            and by_email & set(params)
        ):
            lost.extend(by_email & set(params))
            _terminate(_our_backend_pid())
            execute("SELECT 1", None, False, context)  # the client learns the connection is gone
        return result

    with connection.execute_wrapper(lose_the_answer):
        result = alerts.sweep()

    assert len(lost) == 1
    assert (result.sent, result.retried, result.skipped) == (10, 0, 0)
    (alert,) = Alert.objects.filter(pk__in=lost)
    assert (alert.status, alert.attempts) == (AlertStatus.SENT, 1)
    assert len(mail.outbox) == 5
    assert set(_message_ids().values()) == {1}

    clock.shift(LEASE + dt.timedelta(seconds=1))
    assert alerts.sweep().claimed == 0
    assert alerts.deliver(alert.pk) == "skipped"
    assert len(mail.outbox) == 5


def test_an_email_whose_worker_died_while_sending_is_sent_again_after_the_lease_under_its_id(
    world: World, clock: Any
) -> None:
    _hearing_due_now(world)
    # A worker claimed the e-mails, marked the first one `sending`, and died: whether the mail
    # server took it first, nothing here can know.
    ids = alerts.claim_batch(now=NOW, batch=50, channel=AlertChannel.EMAIL)
    assert sorted(ids) == sorted(_emails().values_list("pk", flat=True))
    in_flight = min(ids)
    Alert.objects.filter(pk=in_flight).update(status=AlertStatus.SENDING)

    clock.shift(LEASE - dt.timedelta(seconds=1))
    early = alerts.sweep(channel=AlertChannel.EMAIL)
    assert early.claimed == 0
    assert Alert.objects.get(pk=in_flight).status == AlertStatus.SENDING
    assert not mail.outbox

    clock.shift(dt.timedelta(seconds=2))
    late = alerts.sweep(channel=AlertChannel.EMAIL)

    assert (late.claimed, late.sent) == (5, 5)
    alert = Alert.objects.get(pk=in_flight)
    assert (alert.status, alert.attempts) == (AlertStatus.SENT, 2)
    # Sent again under the same Message-ID (a mail client that had it shows it once), and the
    # alert says why, for whoever reads the admin.
    assert f"<alert-{in_flight}@alerts.parley>" in _message_ids()
    assert alert.last_error == alerts.LOST_WHILE_SENDING
    others = Alert.objects.filter(pk__in=ids).exclude(pk=in_flight)
    assert set(others.values_list("last_error", flat=True)) == {""}


# --- a mail server that never answers, with real workers --------------------------------------


class MailServer:
    """An SMTP server on a free loopback port, each connection in a thread of its own. While
    `silent`, it accepts a connection and never says a word (calling `on_silence` first);
    otherwise it speaks just enough SMTP to accept every message."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.silent = True
        self.on_silence: Callable[[], None] | None = None
        self.connections = 0
        self.silences: list[float] = []  # how long each silent connection was waited on
        self.messages: list[bytes] = []
        self._threads: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            if self.silent:
                accepted = time.monotonic()
                if self.on_silence is not None:
                    self.on_silence()
                conn.settimeout(30)
                try:
                    while conn.recv(1024):
                        pass
                except OSError:
                    pass
                self.silences.append(time.monotonic() - accepted)
                return
            reader = conn.makefile("rb")
            conn.sendall(b"220 parley-test ESMTP\r\n")
            for line in reader:
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 parley-test\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    data = b"".join(iter(lambda: reader.readline(), b".\r\n"))
                    self.messages.append(data)
                    conn.sendall(b"250 Queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 Bye\r\n")
                    return
                else:
                    conn.sendall(b"250 OK\r\n")

    def message_ids(self) -> Counter[str]:
        found: Counter[str] = Counter()
        for data in self.messages:
            found.update(MESSAGE_ID.findall(data.decode(errors="replace")))
        return found

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    path = tmp_path / "logs"
    path.mkdir()
    return path


EMAIL_WORKER = "parley-test-email-worker"


def _seed_due(world: World) -> tuple[set[int], set[int]]:
    """Five people, each an in-app and an e-mail alert about a hearing ten days ahead, due a
    minute ago (real time: the workers run on the real clock)."""
    room = Courtroom.objects.create(court=world.court, name="Courtroom 1")
    starts = timezone.now() + dt.timedelta(days=10)
    hearing = Hearing.objects.create(
        case=world.case,
        kind=HearingKind.TRIAL,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        courtroom=room,
        created_by=world.user(Role.COURT_STAFF),
    )
    due = timezone.now() - dt.timedelta(minutes=1)
    Alert.objects.bulk_create(
        Alert(
            recipient=world.user(role),
            channel=channel,
            subject=AlertSubject.REMINDER,
            case=world.case,
            hearing=hearing,
            target_at=starts,
            lead_minutes=10_000,
            send_at=due,
        )
        for role in PEOPLE
        for channel in (AlertChannel.IN_APP, AlertChannel.EMAIL)
    )
    in_app = set(Alert.objects.filter(channel=AlertChannel.IN_APP).values_list("pk", flat=True))
    return in_app, set(_emails().values_list("pk", flat=True))


def _snapshot() -> dict[str, Any]:
    """From a connection of its own: the e-mail alerts as committed, and what the e-mail
    worker's database session is doing."""
    with psycopg.connect(database_url(), autocommit=True) as other:
        statuses: dict[int, str] = dict(
            other.execute(
                "SELECT id, status FROM deadlines_alert WHERE channel = 'email'"
            ).fetchall()
        )
        sessions = other.execute(
            "SELECT state, xact_start IS NOT NULL FROM pg_stat_activity "
            "WHERE application_name = %s",
            [EMAIL_WORKER],
        ).fetchall()
        locks = other.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE a.application_name = %s AND l.locktype IN ('relation', 'tuple')",
            [EMAIL_WORKER],
        ).fetchone()
    return {"statuses": statuses, "sessions": sessions, "locks": locks[0] if locks else None}


@pytest.mark.celery
def test_a_mail_server_that_never_answers_delays_no_in_app_alert_and_holds_nothing(
    world: World, mail_server: MailServer, logs: Path
) -> None:
    in_app, by_email = _seed_due(world)
    snapshots: list[dict[str, Any]] = []
    mail_server.on_silence = lambda: snapshots.append(_snapshot())
    broker = django_settings.CELERY_BROKER_URL
    queue = django_settings.ALERT_EMAIL_QUEUE
    assert queue, "alert e-mail has a queue of its own"
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_server.port),
        "EMAIL_TIMEOUT": "0.5",
    }
    # As docker-compose runs them: every queue but alert e-mail, and alert e-mail alone.
    workers = Workers(
        name="in-app", broker=broker, logs=logs, env=smtp, args=["--exclude-queues", queue]
    )
    email_workers = Workers(
        name="email",
        broker=broker,
        logs=logs,
        env={**smtp, "DATABASE_URL": f"{database_url()}?application_name={EMAIL_WORKER}"},
        args=["--queues", queue],
    )
    sender = sender_app("alert-email-test", broker)

    def sent(ids: set[int]) -> bool:
        return Alert.objects.filter(pk__in=ids, status=AlertStatus.SENT).count() == len(ids)

    def settled() -> bool:
        return (
            bool(snapshots)
            and not _emails().filter(status__in=[AlertStatus.CLAIMED, AlertStatus.SENDING]).exists()
        )

    def tail() -> str:
        return workers.tail()

    try:
        sender.control.purge()
        email_workers.start()
        workers.start()
        # Beat's minute: the e-mail sweep first, then the in-app one.
        sender.send_task("deadlines.send_alert_emails", queue=queue)
        sender.send_task("deadlines.sweep_alerts")

        assert wait_for(lambda: sent(in_app), 60), tail()
        assert wait_for(settled, 30), tail()
        assert Notification.objects.filter(alert_id__in=in_app).count() == len(in_app)

        # While the worker waited on the mail server, the attempt was committed as `sending`,
        # the rest of its batch committed as claimed (leased), and it held no transaction and
        # no lock.
        (seen,) = snapshots
        assert Counter(seen["statuses"].values()) == {
            AlertStatus.SENDING: 1,
            AlertStatus.CLAIMED: len(by_email) - 1,
        }
        assert seen["sessions"] and set(seen["sessions"]) == {("idle", False)}
        assert seen["locks"] == 0
        (tried,) = [pk for pk, status in seen["statuses"].items() if status == AlertStatus.SENDING]

        # The attempt gave up after EMAIL_TIMEOUT and waits for its retry; the server's silence
        # ended the sweep, and the rest of the batch was given back untried.
        assert mail_server.connections == 1
        (waited,) = mail_server.silences
        assert 0.4 <= waited < 10
        alert = Alert.objects.get(pk=tried)
        assert alert.status == AlertStatus.PENDING
        assert alert.attempts == 1
        assert "timed out" in alert.last_error
        assert alert.send_at > timezone.now() + dt.timedelta(seconds=30)
        others = _emails().exclude(pk=tried)
        assert set(others.values_list("status", "attempts", "last_error")) == {
            (AlertStatus.PENDING, 0, "")
        }

        # Later the mail server answers: the retry sends each e-mail once.
        mail_server.silent = False
        _emails().update(send_at=timezone.now() - dt.timedelta(seconds=1))
        sender.send_task("deadlines.send_alert_emails", queue=queue)
        assert wait_for(lambda: sent(by_email), 30), tail()
    finally:
        workers.stop_all()
        email_workers.stop_all()
        sender.close()

    assert mail_server.message_ids() == Counter(f"<alert-{pk}@alerts.parley>" for pk in by_email)
    assert Alert.objects.get(pk=tried).attempts == 2
