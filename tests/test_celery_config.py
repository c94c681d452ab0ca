"""The Celery rules the alerts rely on: late acknowledgement, requeue when a worker dies, a sweep
every minute, and nothing ever scheduled further ahead than the broker's visibility timeout."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent
OUR_CODE = ["cases", "core", "deadlines", "negotiations", "parties", "config"]


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
