"""Benchmarks against a dedicated, seeded PostgreSQL database. See bench/README.md."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/parley_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"


def results_dir() -> Path:
    """Where a benchmark writes its tables: bench/results, or BENCH_RESULTS (the tiny runs in
    the test suite write to a temporary directory, not over the committed results)."""
    return Path(os.environ.get("BENCH_RESULTS") or Path(__file__).resolve().parent / "results")


def django_setup(
    *,
    database_url: str = DEFAULT_DATABASE_URL,
    redis_url: str = DEFAULT_REDIS_URL,
    fresh: bool = False,
) -> str:
    """Point Django at the bench database (creating and migrating it if needed; dropping it
    first if `fresh`); return its name. DATABASE_URL and REDIS_URL in the environment win over
    the defaults given.

    Call before importing any model.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DATABASE_URL", database_url)
    os.environ.setdefault("REDIS_URL", redis_url)
    name = database_create_if_missing(os.environ["DATABASE_URL"], fresh=fresh)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return name


def database_create_if_missing(url: str, *, fresh: bool = False) -> str:
    config = dj_database_url.parse(url)
    name = str(config["NAME"])
    # The seed truncates every table it fills: never let it near a database that is not ours.
    if "bench" not in name:
        raise SystemExit(f"Refusing to use database {name!r}: its name must contain 'bench'.")
    admin = psycopg.connect(
        # A unix socket directory with capitals travels as `?host=` (scripts/devenv.py).
        host=config.get("HOST") or config.get("OPTIONS", {}).get("host") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        if fresh:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name
