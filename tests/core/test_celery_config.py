"""The Celery rules the alerts rely on: late acknowledgement, requeue when a worker dies, a sweep
every minute, and nothing ever scheduled further ahead than the broker's visibility timeout."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]
# webhooks is left out on purpose: a retry due within seconds is queued with a short countdown
# under a claim token (webhooks.services._queue), so a redelivered copy finds the claim gone.
OUR_CODE = [
    "accounts",
    "audit",
    "cases",
    "config",
    "core",
    "deadlines",
    "docketsync",
    "integrations",
    "negotiations",
    "parties",
    "records",
]


def test_tasks_are_acknowledged_late_and_requeued_when_their_worker_dies() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_every_beat_entry_runs_well_within_the_visibility_timeout() -> None:
    app.loader.import_default_modules()  # what a worker does at start: autodiscover the tasks
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["sweep-alerts"] == {"task": "deadlines.sweep_alerts", "schedule": 60.0}
    assert schedule["expire-offers"]["schedule"] == 60.0
    for name, entry in schedule.items():
        assert float(entry["schedule"]) < timeout, name  # type: ignore[arg-type]
        assert entry["task"] in app.tasks, name


def _calls_with_delay(path: Path) -> list[str]:
    """`apply_async(..., countdown=/eta=)` calls and `retry(countdown=...)` in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in {"countdown", "eta"}:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {keyword.arg}=")
    return found


@pytest.mark.parametrize("package", OUR_CODE)
def test_no_task_is_scheduled_with_a_countdown_or_eta(package: str) -> None:
    # Redis redelivers a task that is not acknowledged within the visibility timeout, so a task
    # held back by a countdown or ETA past it would run twice. Dates are found by the sweep
    # instead: it reads what is due from the database every minute.
    offenders = [
        hit for path in sorted((ROOT / package).rglob("*.py")) for hit in _calls_with_delay(path)
    ]
    assert offenders == []


def test_the_scan_finds_a_countdown(tmp_path: Path) -> None:
    sample = ROOT / "tests" / "data" / "_countdown_sample.py"
    sample.write_text("task.apply_async(args=[1], countdown=7200)\n")
    try:
        assert _calls_with_delay(sample) == ["tests/data/_countdown_sample.py:1 countdown="]
    finally:
        sample.unlink()


# --- time limits and queues ---------------------------------------------------------------------


def _our_tasks() -> dict[str, Any]:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_has_a_soft_and_a_hard_time_limit_of_its_own() -> None:
    tasks = _our_tasks()
    assert "deadlines.send_alert_emails" in tasks
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for name, task in tasks.items():
        assert task.soft_time_limit is not None, name
        assert task.time_limit is not None, name
        assert 0 < task.soft_time_limit < task.time_limit < visibility, name
    # And a net for any task added later.
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit < visibility


def test_the_alert_sweeps_end_within_the_minute_and_well_within_a_claim_lease() -> None:
    from deadlines import tasks as deadline_tasks

    for name in ("deadlines.sweep_alerts", "deadlines.send_alert_emails"):
        soft, hard = app.tasks[name].soft_time_limit, app.tasks[name].time_limit
        assert soft is not None and hard is not None
        assert deadline_tasks.SWEEP_BUDGET_SECONDS < soft < hard < 60
        # A claim is taken over only from a worker that is certainly gone.
        assert 2 * hard < settings.ALERT_CLAIM_LEASE_SECONDS
        # A send begun as the budget runs out can still time out before the soft limit.
        assert 0 < settings.EMAIL_TIMEOUT <= soft - deadline_tasks.SWEEP_BUDGET_SECONDS


def _routed_queue(task: str) -> str:
    return str(app.amqp.router.route({}, task)["queue"].name)


def test_alert_email_has_a_queue_of_its_own_that_a_plain_worker_also_consumes() -> None:
    _our_tasks()
    queue = settings.ALERT_EMAIL_QUEUE
    assert queue and queue != app.conf.task_default_queue
    assert _routed_queue("deadlines.send_alert_emails") == queue
    assert _routed_queue("deadlines.sweep_alerts") == app.conf.task_default_queue
    # A worker started without -Q consumes every declared queue.
    assert {app.conf.task_default_queue, queue} <= set(app.amqp.queues)
    # Each queue is bound by a key of its own: one shared key would copy every task into each.
    keys = [(q.exchange.name, q.routing_key) for q in app.amqp.queues.values()]
    assert len(set(keys)) == len(keys)
    assert all(routing_key == name for name, routing_key in keys)


def _consumed(command: list[str]) -> set[str]:
    """The queues a `celery -A config worker …` command line consumes."""
    declared = set(app.amqp.queues)
    only: set[str] = set()
    excluded: set[str] = set()
    for flag, value in itertools.pairwise(command):
        if flag in ("-Q", "--queues"):
            only |= set(value.split(","))
        if flag in ("-X", "--exclude-queues"):
            excluded |= set(value.split(","))
    return (only or declared) - excluded


def _every_routed_queue() -> set[str]:
    tasks = _our_tasks()
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    return {_routed_queue(str(name)) for name in set(tasks) | beat}


def test_the_docker_compose_workers_consume_every_queue_a_task_is_sent_to() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    workers = [
        service["command"]
        for service in compose["services"].values()
        if service.get("command", [])[:4] == ["celery", "-A", "config", "worker"]
    ]
    assert len(workers) == 2
    consumed = [_consumed(command) for command in workers]
    assert set().union(*consumed) >= _every_routed_queue()
    # In-app alerts and e-mail are consumed by different workers.
    assert not any({"celery", settings.ALERT_EMAIL_QUEUE} <= queues for queues in consumed)


def test_the_development_worker_consumes_every_queue_a_task_is_sent_to() -> None:
    source = (ROOT / "scripts" / "devenv.py").read_text()
    found = re.search(r'"celery worker": \[\*celery, ([^\]]*)\]', source)
    assert found, "scripts/devenv.py starts a Celery worker"
    command = ["celery", "-A", "config", *ast.literal_eval(f"[{found.group(1)}]")]
    assert _consumed(command) >= _every_routed_queue()
