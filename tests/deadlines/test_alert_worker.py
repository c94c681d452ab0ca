"""Exactly once through a real Celery worker: 1,000 due alerts, the worker SIGKILLed in the
middle of its sweep (and, in the second test, Redis killed and restarted), and every alert
delivered once.

The workers are separate processes (`celery -A config worker`) on the test database, with a
short claim lease, writing e-mail to files; the test sends them the sweep task the way beat
does. In-app notifications are exactly once by construction (the flip to `sent` and the
Notification commit together). An e-mail is marked `sending`, sent, then recorded: a worker
killed between the send and the record sends it again after the lease, under the same
Message-ID (see deadlines.alerts). The tests count both, and require that any repeat is that
one message.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

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
from tests.celery_helpers import Workers, sender_app, wait_for
from tests.conftest import World

TOTAL = 1000
LEASE_SECONDS = 3
HEADER = re.compile(r"^X-Parley-Alert: (\d+)$", re.MULTILINE)
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
MESSAGE_ID = re.compile(r"^Message-ID: <alert-(\d+)@alerts\.parley>$", re.MULTILINE)

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _sent() -> int:
    return Alert.objects.filter(status=AlertStatus.SENT).count()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _workers(broker: str, mail_dir: Path, logs: Path) -> Workers:
    """Alert workers: e-mail written to files in `mail_dir`, a short claim lease."""
    return Workers(
        name="alerts",
        broker=broker,
        logs=logs,
        env={
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "ALERT_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS),
        },
    )


class Sender:
    """Sends the sweep task the way beat does (by name, through the broker)."""

    def __init__(self, broker: str) -> None:
        self.app = sender_app("alert-worker-test", broker)

    def sweep(self) -> None:
        """Both sweeps, in-app and e-mail (on its own queue), as beat sends them each minute."""
        self.app.send_task("deadlines.sweep_alerts")
        self.app.send_task(
            "deadlines.send_alert_emails", queue=settings.ALERT_EMAIL_QUEUE or "celery"
        )

    def purge(self) -> None:
        self.app.control.purge()

    def close(self) -> None:
        self.app.close()


def _seed_due_alerts(world: World, *, later: int = 0, later_by: float = 0.0) -> list[Alert]:
    """TOTAL alerts about a hearing ten days ahead, half in-app and half by e-mail, spread over
    the five participants: all due now but the last `later`, due `later_by` seconds from now."""
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
    people = [
        world.user(role)
        for role in (
            Role.PROSECUTOR,
            Role.DEFENSE_COUNSEL,
            Role.DUTY_LAWYER,
            Role.DEFENDANT,
            Role.JUDGE,
        )
    ]
    now = timezone.now()
    alerts = [
        Alert(
            recipient=people[i % len(people)],
            channel=AlertChannel.IN_APP if i % 2 == 0 else AlertChannel.EMAIL,
            subject=AlertSubject.REMINDER,
            case=world.case,
            hearing=hearing,
            target_at=starts,
            lead_minutes=10_000 + i,
            send_at=(
                now + dt.timedelta(seconds=later_by)
                if i >= TOTAL - later
                else now - dt.timedelta(minutes=1)
            ),
        )
        for i in range(TOTAL)
    ]
    Alert.objects.bulk_create(alerts)
    assert Alert.objects.filter(status=AlertStatus.PENDING).count() == TOTAL
    return list(Alert.objects.all())


def _emails(mail_dir: Path) -> tuple[Counter[int], Counter[int]]:
    """How often each alert id appears in the X-Parley-Alert and Message-ID headers of every
    message the workers wrote."""
    headers: Counter[int] = Counter()
    message_ids: Counter[int] = Counter()
    for path in mail_dir.glob("*"):
        text = path.read_text(errors="replace")
        headers.update(int(found) for found in HEADER.findall(text))
        message_ids.update(int(found) for found in MESSAGE_ID.findall(text))
    return headers, message_ids


def _assert_each_delivered_once(alerts: list[Alert], mail_dir: Path, kills: int) -> None:
    assert Alert.objects.filter(status=AlertStatus.SENT).count() == TOTAL
    assert not Alert.objects.exclude(status=AlertStatus.SENT).exists()

    in_app = {a.pk for a in alerts if a.channel == AlertChannel.IN_APP}
    by_email = {a.pk for a in alerts if a.channel == AlertChannel.EMAIL}
    notified = list(Notification.objects.values_list("alert_id", flat=True))
    assert len(notified) == len(in_app) == TOTAL // 2
    assert set(notified) == in_app

    headers, message_ids = _emails(mail_dir)
    assert set(headers) == by_email
    assert message_ids == headers
    repeated = {alert_id: n for alert_id, n in headers.items() if n > 1}
    print(f"e-mails: {sum(headers.values())} messages, {len(headers)} alerts, repeated {repeated}")
    # Only a message in flight at a kill can repeat, under its own Message-ID.
    assert len(repeated) <= kills, repeated
    assert set(repeated.values()) <= {2}
    assert sum(headers.values()) == TOTAL // 2 + len(repeated)


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    path = tmp_path / "logs"
    path.mkdir()
    return path


def _log_tail(logs: Path) -> str:
    return "\n".join(
        f"--- {path.name}\n" + path.read_text(errors="replace")[-3000:]
        for path in sorted(logs.glob("*.log"))
    )


def _sweep_until_all_sent(sender: Sender, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sender.sweep()
        if wait_for(lambda: _sent() == TOTAL, 1.0):
            return True
    return False


def test_a_worker_killed_mid_sweep_leaves_every_alert_delivered_exactly_once(
    world: World, mail_dir: Path, logs: Path
) -> None:
    broker = settings.CELERY_BROKER_URL
    alerts = _seed_due_alerts(world)
    sender = Sender(broker)
    workers = _workers(broker, mail_dir, logs)
    try:
        sender.purge()
        first = workers.start()
        sender.sweep()
        assert wait_for(lambda: _sent() >= 150, 40, every=0.01), _log_tail(logs)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        sent_at_kill = _sent()
        assert sent_at_kill < TOTAL, "the worker finished before it was killed"
        # Its claims outlive it until their lease ends.
        stranded = Alert.objects.filter(status=AlertStatus.CLAIMED).count()
        assert stranded > 0
        print(f"killed after {sent_at_kill} sent, {stranded} claims stranded")

        workers.start()
        # A ceiling, not a wait: the e-mail sweep, a task of its own with two durable writes per
        # message, comes after the in-app one on this single worker.
        assert _sweep_until_all_sent(sender, 90), _log_tail(logs)
        # Give any late duplicate the chance to show up before counting.
        # A stranded claim can only be taken over once its lease ends: a duplicate, if the real
        # workers made one, shows within a lease.
        time.sleep(LEASE_SECONDS + 1)
    finally:
        workers.stop_all()
        sender.close()

    _assert_each_delivered_once(alerts, mail_dir, kills=1)
    # The stranded claims were taken over: claimed twice, sent once.
    assert Alert.objects.filter(attempts=2).count() >= stranded - 1
    assert not Alert.objects.filter(attempts__gt=2).exists()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[tuple[int, Callable[[], None], Callable[[], None]]]:
    port = _free_port()
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        processes.append(
            subprocess.Popen(  # noqa: S603 - a fixed command line
                [
                    REDIS_SERVER,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp_path),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        assert wait_for(answers, 10), "redis-server did not start"

    def kill() -> None:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    start()
    try:
        yield port, start, kill
    finally:
        kill()


def test_redis_restarted_mid_sweep_loses_no_alert_and_sends_none_twice(
    world: World,
    mail_dir: Path,
    logs: Path,
    private_redis: tuple[int, Callable[[], None], Callable[[], None]],
) -> None:
    port, redis_start, redis_kill = private_redis
    broker = f"redis://127.0.0.1:{port}/0"
    # 200 alerts come due only after Redis is back.
    alerts = _seed_due_alerts(world, later=200, later_by=24 * 3600)
    workers = _workers(broker, mail_dir, logs)
    sender = Sender(broker)
    try:
        worker = workers.start()
        sender.sweep()
        assert wait_for(lambda: _sent() >= 150, 40, every=0.01), _log_tail(logs)
        # Redis dies without persistence (the sweep task's message goes with it) and is back
        # a second later, while the worker is still sending what it claimed.
        redis_kill()
        time.sleep(1)  # a real redis-server stays down for a second
        redis_start()
        sent_at_restart = _sent()
        assert sent_at_restart < TOTAL - 200, "the sweep finished before Redis came back"

        sender.close()
        sender = Sender(broker)
        restarts = 0

        def sweep_until_sent(total: int, seconds: float) -> None:
            """Beat's minutes, one a second: both sweeps again (the e-mail sweep's message,
            still queued, went with Redis) until `total` alerts are sent."""
            nonlocal worker, restarts
            deadline = time.monotonic() + seconds
            while _sent() < total and time.monotonic() < deadline:
                # Kombu's Redis transport can give up on a lost connection ("Unrecoverable
                # error"); the worker then exits and its supervisor (docker-compose
                # `restart: unless-stopped`) starts it again. This loop plays the supervisor.
                if worker.poll() is not None:
                    restarts += 1
                    assert restarts <= 2, _log_tail(logs)
                    worker = workers.start()
                sender.sweep()
                wait_for(lambda: _sent() == total, 1.0)
            assert _sent() == total, _log_tail(logs)

        sweep_until_sent(TOTAL - 200, 90)
        Alert.objects.filter(status=AlertStatus.PENDING).update(
            send_at=timezone.now() - dt.timedelta(seconds=1)
        )
        sweep_until_sent(TOTAL, 90)
        time.sleep(1)  # a late duplicate from the real worker would show within a second
    finally:
        workers.stop_all()
        sender.close()

    _assert_each_delivered_once(alerts, mail_dir, kills=0)
    assert set(Alert.objects.values_list("attempts", flat=True)) == {1}
