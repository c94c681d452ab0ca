"""The OpenAPI schema is built and rendered once per process for each language and format
(core.api.schema_view): the same bytes as building it afresh, each format its own."""

from __future__ import annotations

import json

import yaml
from django.test import Client, override_settings

from core.api.schema_view import SchemaView

URL = "/api/v1/schema/"


def test_the_schema_is_served_from_memory_after_the_first_request(db: None) -> None:
    SchemaView._rendered.clear()
    client = Client()
    first = client.get(URL)
    assert first.status_code == 200
    assert len(SchemaView._rendered) == 1
    again = client.get(URL)
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
    assert len(SchemaView._rendered) == 1
    assert yaml.safe_load(first.content)["paths"]["/api/v1/cases/"]


def test_json_and_yaml_are_kept_apart_and_say_the_same(db: None) -> None:
    SchemaView._rendered.clear()
    client = Client()
    as_yaml = yaml.safe_load(client.get(URL).content)
    response = client.get(URL, HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == as_yaml
    assert len(SchemaView._rendered) == 2


def test_a_changed_setting_builds_it_again(db: None) -> None:
    client = Client()
    client.get(URL)
    assert SchemaView._rendered
    with override_settings(API_THROTTLE_RATE="5/min"):
        assert not SchemaView._rendered
