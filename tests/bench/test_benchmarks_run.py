"""Every benchmark in bench/ runs at a tiny size, so that none can rot unnoticed (issue 16:
`make bench` had been failing on main since a column was added).

A benchmark seeds and truncates the database it is given, and some vacuum or drop it: it
never runs in the test database itself. Each gets a database of its own, copied from the test
database (migrated, empty) with CREATE DATABASE … TEMPLATE, and runs as a process of its own
with the development settings, as `make bench-…` runs it; its tables go to a temporary
directory, not over bench/results. The timings mean nothing at this size; that the run ends
and prints its table is the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection, connections
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]

# (module, arguments for a tiny run, the heading its table starts with, the file it writes)
BENCHMARKS = [
    (
        "cases_list",
        # The variants every run keeps (the shipped selector, guardian, the raw SQL) only.
        [
            "--cases",
            "4000",
            "--repeat",
            "1",
            "--warmup",
            "0",
            "--probe-repeat",
            "1",
            "--only",
            "shipped",
        ],
        "# Case list: 4,000 cases",
        "cases_list-4000.md",
    ),
    (
        "alerts_sweep",
        ["--scale", "0.001", "--due", "50", "--repeat", "1", "--deliveries", "1"],
        "# Alert sweep, 5,000 pending alerts",
        "alerts_sweep-5000.md",
    ),
    (
        "audit_trail",
        ["--events", "2000", "--repeat", "1"],
        "# audit trail, 2,000 events",
        "audit_trail-2000.md",
    ),
    (
        "docket_import",
        ["--hearings", "20", "--per-case", "5", "--reuse-database"],
        "# docket import, 20 hearings",
        "docket_import-20.md",
    ),
    (
        "webhook_fanout",
        ["--clients", "1", "--endpoints", "2", "--events", "2", "--deliver", "6", "--threads", "2"],
        "# webhook fan-out",
        "webhook_fanout.md",
    ),
    (
        "routes",
        ["--cases", "2000", "--repeat", "0", "--warmup", "0", "--roles", "court_staff"],
        "# Every GET route: 2,000 cases",
        "routes-2000-partial.md",
    ),
]


def _host(settings: dict[str, Any]) -> str:
    # The embedded server's socket directory may travel as `?host=` (scripts/devenv.py).
    return str(settings.get("HOST") or settings.get("OPTIONS", {}).get("host") or "")


def _admin(settings: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=_host(settings) or None,
        port=settings.get("PORT") or None,
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _url(settings: dict[str, Any], name: str) -> str:
    user = quote(settings.get("USER") or "postgres", safe="")
    password = settings.get("PASSWORD")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = _host(settings)
    if host.startswith("/"):  # a unix socket directory, as the embedded server gives
        return f"postgres://{auth}@/{name}?host={quote(host, safe='')}"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{name}"


def _create_from(admin: psycopg.Connection[Any], name: str, template: str) -> None:
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    # The template must have no other session; ours were closed, a straggler may linger a moment.
    for attempt in range(20):
        try:
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
            return
        except psycopg.errors.ObjectInUse:
            if attempt == 19:
                raise
            time.sleep(0.25)


@pytest.fixture(scope="module")
def bench_template(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """A copy of the migrated, empty test database that each benchmark's database is copied
    from (copying the test database itself would need every connection to it closed each
    time). Its name holds `bench`, which the benchmarks require of a database they seed."""
    with django_db_blocker.unblock():
        settings = dict(connection.settings_dict)
        # pytest-django made the test database (the module's django_db mark asks for it).
        assert settings["NAME"].startswith("test_"), settings["NAME"]
        # What the migrations load (profiles, deadline rules), put back if a transactional test
        # earlier in this process flushed it: the benchmarks expect a database as migrated.
        from cases.profiles import jurisdiction_profiles_load
        from tests import factories

        jurisdiction_profiles_load()
        factories.deadline_rules()
        connections.close_all()
        template = f"bench_tpl_{settings['NAME']}"[:63]
        with _admin(settings) as admin:
            _create_from(admin, template, settings["NAME"])
        try:
            yield template
        finally:
            with _admin(settings) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(template)
                    )
                )


# The mark makes pytest-django set up the test database even when this file runs alone (it
# sets up only what the collected tests ask for); the test itself reads nothing from it.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("module", "args", "heading", "written"), BENCHMARKS, ids=[b[0] for b in BENCHMARKS]
)
def test_benchmark_runs_at_a_tiny_size(
    module: str,
    args: list[str],
    heading: str,
    written: str,
    bench_template: str,
    tmp_path: Path,
) -> None:
    settings = dict(connection.settings_dict)
    name = f"bench_{module}_{settings['NAME']}"[:63]
    with _admin(settings) as admin:
        _create_from(admin, name, bench_template)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": _url(settings, name),
        "BENCH_RESULTS": str(tmp_path / "results"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DB_POOL_MAX_SIZE": "0",
        # A database thrown away after the run need not wait for the disk at each commit (the
        # embedded server syncs every one: seconds per benchmark on a busy disk).
        "PGOPTIONS": f"{os.environ.get('PGOPTIONS', '')} -c synchronous_commit=off".strip(),
        "PYTHONPATH": str(ROOT),
    }
    try:
        run = subprocess.run(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", f"bench.{module}", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        with _admin(settings) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    assert run.returncode == 0, f"bench.{module} failed:\n{run.stderr[-4000:]}"
    assert heading in run.stdout, run.stdout[-2000:]
    table = (tmp_path / "results" / written).read_text()
    assert table.startswith(heading)
    assert "|---" in table  # a markdown table, not only a heading
