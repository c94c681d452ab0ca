"""API clients for tests: a court's docket system, and a party's case system."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from integrations import services
from integrations.models import ApiClient
from parties.models import Role
from tests.conftest import World


def court_client(world: World, name: str = "Docket system") -> tuple[ApiClient, str]:
    """A client of the world's court (court staff), made by its clerk; returns it and a token."""
    clerk = world.user(Role.COURT_STAFF)
    client = services.api_client_create(court=world.court, name=name, owner=clerk, by=clerk)
    _token, key = services.api_token_create(client=client, name="server 1", by=clerk)
    return client, key


def bearer(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def owner_of(client: ApiClient) -> User:
    return client.owner
