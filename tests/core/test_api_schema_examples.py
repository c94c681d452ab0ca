"""The examples in the OpenAPI schema are written by hand (`OpenApiExample`); each must be valid
against the schema of the body it illustrates, or an integrator copying one gets a 400."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from parties.models import Role
from tests.conftest import World, api_as


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's schema dialect as JSON Schema: `nullable` becomes a null alternative."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "enum" in converted and None not in converted["enum"]:
            converted["enum"] = [*converted["enum"], None]
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _examples(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any], Any]]:
    """(where, body schema, example value) for every example of every request and response."""
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += [(code, response) for code, response in operation["responses"].items()]
            for part, body in bodies:
                for media_type, media in body.get("content", {}).items():
                    for name, example in media.get("examples", {}).items():
                        where = f"{method.upper()} {path} {part} {media_type} {name!r}"
                        found.append((where, media["schema"], example["value"]))
    return found


@pytest.fixture
def schema(world: World) -> dict[str, Any]:
    response = api_as(world.user(Role.PROSECUTOR)).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_every_example_in_the_schema_is_valid(schema: dict[str, Any]) -> None:
    components = _json_schema(schema["components"])
    examples = _examples(schema)
    # The examples written for cases, charges, offers, parties, docket sync, API clients and
    # webhooks: if they vanished from the schema, this test would check nothing.
    assert len(examples) >= 25
    problems = []
    for where, body_schema, value in examples:
        validator = jsonschema.Draft7Validator(
            {**_json_schema(body_schema), "components": components},
            format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
        )
        problems += [
            f"{where}: {error.message} at {list(error.absolute_path)}"
            for error in validator.iter_errors(value)
        ]
    assert problems == [], "\n".join(problems)


def test_a_wrong_example_would_be_found(schema: dict[str, Any]) -> None:
    """The check itself: an example with a field of the wrong type fails."""
    components = _json_schema(schema["components"])
    where, body_schema, value = next(
        item for item in _examples(schema) if "/api/v1/cases/ request" in item[0]
    )
    assert isinstance(value, dict) and "docket_number" in value, where
    validator = jsonschema.Draft7Validator({**_json_schema(body_schema), "components": components})
    assert validator.is_valid(value)
    assert not validator.is_valid({**value, "docket_number": 12})
