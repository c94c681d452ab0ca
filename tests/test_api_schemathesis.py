"""The API against its own OpenAPI schema, with Schemathesis (property-based, in-process).

The schema is read from /api/v1/schema/ of the real WSGI application, and every operation it
describes is called with generated requests as a signed-in court clerk and as a prosecutor
(real DRF tokens, real PostgreSQL; both on the world's case, so both see data). For each
response: never a server error, a documented status code and content type, and a body that
matches the documented schema.

Bounded so the file runs in a few minutes on a small machine: few examples per operation, a
fixed seed (derandomize), no per-example deadline (the first request to a view is slow).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, note, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import personal_token_create
from parties.models import Role
from tests.conftest import World

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

ROLES_UNDER_TEST = [Role.COURT_STAFF, Role.PROSECUTOR]


# One parameter, so that each test's id names its operation and the roles (without a
# parametrized fixture, schemathesis's ids are lost under pytest 9).
@pytest.fixture(params=[tuple(ROLES_UNDER_TEST)], ids="+".join)
def authorizations(request: pytest.FixtureRequest, world: World) -> dict[str, str]:
    """A real token for each persona under test, all on the world's case."""
    return {
        role: f"Token {personal_token_create(user=world.user(role), name='schemathesis')[1]}"
        for role in request.param
    }


@pytest.fixture(autouse=True)
def one_connection() -> Iterator[None]:
    """The project's WSGI application, kept on the test's database connection.

    A real server closes the connection after each request (close_old_connections); here the
    test's transaction lives on that connection, so, as Django's test client does, the
    signal handlers are off for the test's duration.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Read once, when the tests are collected: the schema is public (it needs no database), and
# schemathesis.pytest.from_fixture (a schema per test) does not run under pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema(case: Any, authorizations: dict[str, str]) -> None:
    # Each generated request is sent as every persona: one world and one generation per
    # operation, whatever the number of roles.
    for role, authorization in authorizations.items():
        note(f"as {role}")
        case.call_and_validate(headers={"Authorization": authorization}, checks=CHECKS)
