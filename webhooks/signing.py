"""Signing messages following the Standard Webhooks specification (standardwebhooks.com).

A secret is `whsec_` and the base64 of 32 random bytes (the spec asks for 24 to 64). Each
message carries three headers: `webhook-id` (the message id, the same on every retry),
`webhook-timestamp` (unix seconds of this attempt) and `webhook-signature`, a space-separated
list of `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per valid secret, so during
a rotation a receiver holding either secret verifies the message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"  # noqa: S105 (a marker, not a secret)
SECRET_BYTES = 32


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def message_id_new() -> str:
    # URL-safe base64 has no ".", which the signed content uses as its separator.
    return "msg_" + secrets.token_urlsafe(18)


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(
    secrets_valid: Iterable[str], *, msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, msg_id=msg_id, timestamp=timestamp, body=body)
            for secret in secrets_valid
        ),
    }
