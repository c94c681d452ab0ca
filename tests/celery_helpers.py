"""Real Celery worker processes for tests: on the test database, a given broker, and settings
of the test's choosing (tests/test_alert_worker.py, tests/test_webhooks_worker.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote

from celery import Celery
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def wait_for(predicate: Callable[[], bool], seconds: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)  # polls what a real process (a Celery worker) writes
    return False


def database_url() -> str:
    """The test database as a URL a worker process can read from DATABASE_URL."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    # The embedded PostgreSQL (make test without DATABASE_URL) listens on a socket directory:
    # dj-database-url takes it percent-encoded in the host part.
    host = quote(db.get("HOST") or "127.0.0.1", safe="")
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def sender_app(name: str, broker: str) -> Celery:
    """A Celery app that sends tasks by name to `broker`, as beat does. Not the current app:
    shared tasks queued by later tests must keep using config.celery. Celery prefers the
    CELERY_BROKER_URL of the environment to the broker it is given (a developer's shell may set
    it), so the read and write URLs are pinned as well."""
    app = Celery(name, broker=broker, set_as_current=False)
    app.conf.update(broker_read_url=broker, broker_write_url=broker)
    app.conf.task_serializer = "json"
    app.conf.broker_connection_retry_on_startup = True
    app.conf.task_queues = settings.CELERY_TASK_QUEUES  # purge() empties them all
    return app


class Workers:
    """Celery worker processes (solo pool, one task at a time each) on the test database."""

    def __init__(
        self,
        *,
        name: str,
        broker: str,
        logs: Path,
        env: dict[str, str],
        args: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.broker = broker
        self.logs = logs
        self.env = env
        self.args = list(args)  # more worker options, e.g. ["-Q", "alert-email"]
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "DB_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": self.broker,
            **self.env,
        }
        number = len(self.processes) + 1
        log = (self.logs / f"{self.name}-worker-{number}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{self.name}-{number}-{os.getpid()}@%h",
                *self.args,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    def tail(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.logs.glob("*.log"))
