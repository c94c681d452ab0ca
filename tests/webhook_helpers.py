"""A local webhook receiver and helpers for the webhook tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from integrations.models import ApiClient, EventType
from webhooks import services
from webhooks.models import Delivery, WebhookEndpoint


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 answering each POST with the next status of `answers`
    (the last one repeats) and `headers` on the answers that are not 2xx, and keeping what it
    received."""

    answers: list[int] = field(default_factory=lambda: [200])
    headers: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def answer(self) -> int:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            receiver.received.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status = receiver.answer()
            text = b"ok" if status < 300 else b"receiver error: " + b"x" * 3000
            self.send_response(status)
            self.send_header("content-length", str(len(text)))
            for name, value in receiver.headers.items() if status >= 300 else ():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def serve(receiver: Receiver) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = True
    settings.ALERT_SITE_URL = "http://testserver"
    yield from serve(Receiver())


def endpoint_for(
    client: ApiClient, url: str, types: list[str] | None = None
) -> tuple[WebhookEndpoint, str]:
    return services.endpoint_create(
        client=client,
        by=client.owner,
        url=url,
        event_types=types or [value for value in EventType.values],
    )


def send_due(delivery: Delivery) -> str:
    """Run the attempt a queued task would: claim it if it is due, then send it."""
    delivery.refresh_from_db()
    if delivery.claim_token is None or (
        delivery.next_attempt_at is not None and delivery.next_attempt_at <= timezone.now()
    ):
        services.deliveries_dispatch_due()
        delivery.refresh_from_db()
    assert delivery.claim_token is not None, "nothing claimed"
    return services.delivery_send(delivery.pk, str(delivery.claim_token))
