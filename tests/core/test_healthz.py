"""GET /healthz: database and Redis reachability for load balancers."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_reports_ok_when_database_and_redis_answer(client: Client) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_unreachable(client: Client, settings: Any) -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_database_is_unreachable(client: Client, monkeypatch: Any) -> None:
    from django.db import OperationalError, connection

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    # Not a mock of our data: it stands in for a database server that is down.
    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


def test_healthz_needs_no_login(client: Client, db: Any) -> None:
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.post(reverse("healthz")).status_code == 405
