"""The API against its own OpenAPI schema, with Schemathesis (property-based, in-process).

The schema is read from /api/v1/schema/ of the real WSGI application, and every operation it
describes is called with generated requests as a signed-in court clerk or a prosecutor (real
tokens, real PostgreSQL; both on the world's case, so both see data). For each response: never
a server error, a documented status code and content type, and a body that matches the
documented schema.

- Requests are generated valid (positive) and invalid (negative: a wrong type, a value out of
  range, a missing required property, at any depth), EXAMPLES per operation, mixed, with a
  fixed seed (derandomize), plus the schema's own examples.
- An id in the path names a real object of the world (its case, a charge, a draft offer, a
  hearing, ...), so a body reaches the code that reads it instead of stopping at a 404, and
  each request goes as the persona who may act on that kind of object (the prosecution on
  offers, the court on hearings; the two in turn elsewhere).
- Schemathesis's coverage phase (every way each value can break its schema, ~500 requests on
  a large body) is off: it made this file the slowest of the suite. What it and fuzzing found
  has regression tests of its own (tests/test_api_robustness.py).
- Sequences: Schemathesis's state machine chains operations by the links it infers from the
  schema (a case created, then moved, read, changed; a rule listed, then previewed), with the
  ids the API answered, SEQUENCES scenarios of up to SEQUENCE_STEPS calls.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, note, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import personal_token_create
from deadlines.models import DeadlineRule
from parties.models import CaseParticipant, Role
from records import services as record_services
from tests.conftest import World
from tests.deadline_helpers import courtroom, hearing, manual_deadline
from tests.integration_helpers import court_client
from tests.negotiation_helpers import charge_of, draft_offer
from webhooks import services as webhook_services

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

ROLES_UNDER_TEST = [Role.COURT_STAFF, Role.PROSECUTOR]

# Requests generated per operation, valid and invalid mixed.
EXAMPLES = 10

# Scenarios of the stateful test, and calls in each.
SEQUENCES = 15
SEQUENCE_STEPS = 6

# Who acts on each kind of object: the one who may write it, so that a body is read in full.
ACTOR = {
    "offers": Role.PROSECUTOR,
    "notes": Role.PROSECUTOR,
    "charges": Role.PROSECUTOR,
    "defendants": Role.PROSECUTOR,
    "suggestions": Role.PROSECUTOR,
    "agreements": Role.PROSECUTOR,
    "hearings": Role.COURT_STAFF,
    "deadlines": Role.COURT_STAFF,
    "courtrooms": Role.COURT_STAFF,
    "closures": Role.COURT_STAFF,
    "api-clients": Role.COURT_STAFF,
    "webhooks": Role.COURT_STAFF,
    "webhook-deliveries": Role.COURT_STAFF,
    "participants": Role.COURT_STAFF,
}


# One parameter, so that each test's id names its operation and the roles (without a
# parametrized fixture, schemathesis's ids are lost under pytest 9).
@pytest.fixture(params=[tuple(ROLES_UNDER_TEST)], ids="+".join)
def authorizations(request: pytest.FixtureRequest, world: World) -> dict[str, str]:
    """A real token for each persona under test, all on the world's case."""
    return {
        role: f"Token {personal_token_create(user=world.user(role), name='schemathesis')[1]}"
        for role in request.param
    }


@pytest.fixture
def targets(world: World) -> dict[str, int]:
    """The object each kind of path names: one of the world's, which the personas may read."""
    prosecutor = world.user(Role.PROSECUTOR)
    client, _key = court_client(world)
    endpoint, _secret = webhook_services.endpoint_create(
        client=client,
        by=client.owner,
        url="https://93.184.215.14/parley/hook",
        event_types=["case.updated"],
    )
    note_ = record_services.note_add(
        case=world.case, by=prosecutor, visibility="shared", body="Call the agent."
    )
    return {
        "cases": world.case.pk,
        "charges": charge_of(world.case).pk,
        "offers": draft_offer(world).pk,
        "hearings": hearing(world).pk,
        "deadlines": manual_deadline(world).pk,
        "notes": note_.pk,
        "participants": CaseParticipant.objects.filter(case=world.case).first().pk,  # type: ignore[union-attr]
        "defendants": world.defendant.pk,
        "courtrooms": courtroom(world).pk,
        "rules": DeadlineRule.objects.filter(jurisdiction=world.court.jurisdiction).first().pk,  # type: ignore[union-attr]
        "statutes": world.statute.pk,
        "courts": world.court.pk,
        "jurisdictions": world.court.jurisdiction_id,
        "organizations": world.orgs["da"].pk,
        "api-clients": client.pk,
        "webhooks": endpoint.pk,
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
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
schema.config.phases.coverage.enabled = False

_RESOURCE = re.compile(r"^/api/v1/(?P<resource>[a-z-]+)/")


def _resource(case: Any) -> str:
    found = _RESOURCE.match(case.operation.path)
    return found["resource"] if found else ""


def _aim(case: Any, targets: dict[str, int]) -> None:
    """Point a generated id in the path at the world's object of that kind."""
    resource = _resource(case)
    for name, value in (case.path_parameters or {}).items():
        if not isinstance(value, int) or isinstance(value, bool):
            continue  # a malformed id: left as generated, for the 404 it must get
        if name == "case_id":
            case.path_parameters[name] = targets["cases"]
        elif name == "id" and resource in targets:
            case.path_parameters[name] = targets[resource]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema(
    case: Any, authorizations: dict[str, str], targets: dict[str, int]
) -> None:
    _aim(case, targets)
    role = ACTOR.get(_resource(case)) or ROLES_UNDER_TEST[next(_turns) % len(ROLES_UNDER_TEST)]
    note(f"as {role}")
    case.call_and_validate(headers={"Authorization": authorizations[role]}, checks=CHECKS)


_turns = itertools.count()


Workflow = schema.as_state_machine()


def test_the_api_keeps_its_schema_through_sequences(authorizations: dict[str, str]) -> None:
    calls: list[str] = []

    class Sequences(Workflow):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            calls.append(f"{case.method} {case.operation.path}")
            role = ACTOR.get(_resource(case), Role.PROSECUTOR)
            return {"headers": {"Authorization": authorizations[role]}}

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Sequences.run(
        settings=settings(
            max_examples=SEQUENCES,
            stateful_step_count=SEQUENCE_STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # Chains, not single calls: more calls than scenarios, over several operations.
    assert len(calls) > SEQUENCES and len(set(calls)) > 3, calls
