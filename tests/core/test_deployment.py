"""The deployment artefacts: docker-compose.yml, the Dockerfile and the production settings.

No database here: the settings checks run in subprocesses, as a fresh container would.
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
SHARED_ENV = ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "REDIS_URL")


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment, written either as a mapping or as a list of KEY=value."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def command(service: dict[str, Any]) -> list[str]:
    cmd = service.get("command") or []
    return shlex.split(cmd) if isinstance(cmd, str) else [str(arg) for arg in cmd]


def test_compose_defines_the_whole_stack(services: dict[str, dict[str, Any]]) -> None:
    assert {"postgres", "redis", *APP_SERVICES} <= services.keys()
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_app_services_share_their_configuration(services: dict[str, dict[str, Any]]) -> None:
    envs = {name: environment(services[name]) for name in APP_SERVICES}
    for name, env in envs.items():
        assert env.get("DJANGO_SETTINGS_MODULE") == "config.settings.production", name
        for key in SHARED_ENV:
            assert env.get(key) == envs["web"].get(key), f"{name} differs from web in {key}"
    web = envs["web"]
    assert (
        web["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in web["DATABASE_URL"]
    )
    assert web["REDIS_URL"].startswith("redis://redis:6379/")


def test_compose_commits_no_secrets(services: dict[str, dict[str, Any]]) -> None:
    web = environment(services["web"])
    assert web["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in web["DATABASE_URL"]
    assert environment(services["postgres"])["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )


def test_processes(services: dict[str, dict[str, Any]]) -> None:
    web = command(services["web"])
    assert web[0] == "gunicorn" and "config.wsgi:application" in web
    for name in ("worker", "beat"):
        cmd = command(services[name])
        assert cmd[0] == "celery", name
        assert cmd[cmd.index("-A") + 1] == "config", name
        assert name in cmd


def test_healthchecks(services: dict[str, dict[str, Any]]) -> None:
    for name in ("postgres", "redis", "web"):
        assert services[name].get("healthcheck", {}).get("test"), name
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_dockerfile_installs_hashed_requirements_and_drops_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "collectstatic" in dockerfile
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}


def production_env(**overrides: str | None) -> dict[str, str]:
    """A container-like environment: production settings with valid secrets, plus PATH and the
    test run's DATABASE_URL / REDIS_URL, adjusted by overrides (None removes a variable).

    Built from scratch rather than copied: the test process carries variables a deployment would
    not (DJANGO_ALLOW_ASYNC_UNSAFE, set for the browser tests, fails the deployment checks).
    """
    env = {
        key: os.environ[key] for key in ("PATH", "DATABASE_URL", "REDIS_URL") if key in os.environ
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
        ALLOWED_HOSTS="example.org",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- our own interpreter, arguments fixed by the tests
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_settings_refuse_to_load_without(missing: str) -> None:
    result = run_python(
        ["-c", "import config.settings.production"], production_env(**{missing: None})
    )
    assert result.returncode != 0
    assert missing in result.stderr.splitlines()[-1], result.stderr


def test_production_settings_reject_a_short_secret_key() -> None:
    result = run_python(
        ["-c", "import config.settings.production"], production_env(SECRET_KEY="x" * 20)
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.splitlines()[-1], result.stderr


def test_production_passes_the_deployment_checklist() -> None:
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env()
    )
    assert result.returncode == 0, result.stdout + result.stderr
