"""The web worker's entry point (config/wsgi.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, time
import config.wsgi
frozen = gc.get_freeze_count()
started = time.perf_counter()
gc.collect()
print(frozen, gc.isenabled(), round((time.perf_counter() - started) * 1000))
"""


def test_the_worker_hides_what_it_loaded_from_the_garbage_collector() -> None:
    """After loading, a full collection walks only what requests create: the application's own
    objects (Django, the URL configuration, the views) are frozen (gc.freeze), and collection
    stays on for the rest."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, enabled = int(out[0]), out[1]
    assert frozen > 100_000  # the URL configuration's views and everything they import
    assert enabled == "True"
