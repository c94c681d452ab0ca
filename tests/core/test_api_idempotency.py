"""Idempotency-Key on POST: a retry is answered from what the first request did."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from accounts.services import personal_token_create
from audit.models import AuditEvent
from core.models import IdempotencyRecord
from parties.models import Role
from records.models import Document, Note
from tests.conftest import World


def client_for(user: Any) -> tuple[APIClient, str]:
    _token, key = personal_token_create(user=user, name="idempotency tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, key


def note(client: APIClient, world: World, body: str, key: str | None) -> Any:
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        "/api/v1/notes/",
        {"case": world.case.pk, "visibility": "prosecution", "body": body},
        format="json",
        **headers,
    )


def test_a_retry_gets_the_first_answer_and_nothing_is_done_twice(world: World) -> None:
    client, _ = client_for(world.user(Role.PROSECUTOR))

    first = note(client, world, "Call the lab", "c0ffee00-0000-4000-8000-000000000001")
    retry = note(client, world, "Call the lab", "c0ffee00-0000-4000-8000-000000000001")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Note.objects.filter(case=world.case).count() == 1
    assert AuditEvent.objects.filter(kind="note.created", case_id=world.case.pk).count() == 1


def test_the_same_key_with_another_request_is_422(world: World) -> None:
    client, _ = client_for(world.user(Role.PROSECUTOR))
    assert note(client, world, "Call the lab", "key-1").status_code == 201

    reused = note(client, world, "Something else", "key-1")

    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert Note.objects.filter(case=world.case).count() == 1


def test_a_retry_while_the_first_is_answered_is_409(world: World) -> None:
    """The first request's record exists but has no answer yet (it is being processed)."""
    client, token = client_for(world.user(Role.PROSECUTOR))
    body = JSONRenderer().render({"case": world.case.pk, "visibility": "prosecution", "body": "x"})
    IdempotencyRecord.objects.create(
        client="token:" + hashlib.sha256(token.encode()).hexdigest(),
        key="key-2",
        request_hash=hashlib.sha256(b"POST\n/api/v1/notes/\n" + body).hexdigest(),
    )

    busy = note(client, world, "x", "key-2")

    assert busy.status_code == 409
    assert busy.json()["code"] == "idempotency_in_flight"
    assert not Note.objects.exists()

    # A first request that never finished (its process died) is taken over after a while.
    IdempotencyRecord.objects.filter(key="key-2").update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert note(client, world, "x", "key-2").status_code == 201
    assert note(client, world, "x", "key-2")["Idempotent-Replayed"] == "true"
    assert Note.objects.count() == 1


def test_keys_belong_to_their_client(world: World) -> None:
    prosecutor, _ = client_for(world.user(Role.PROSECUTOR))
    clerk, _ = client_for(world.user(Role.COURT_STAFF))
    assert note(prosecutor, world, "Mine", "shared-key").status_code == 201
    # The clerk writes behind the court wall only: 403, but not someone else's answer.
    other = note(clerk, world, "Mine", "shared-key")
    assert other.status_code == 403
    assert not other.has_header("Idempotent-Replayed")


def test_a_refusal_is_kept_and_replayed_too(world: World) -> None:
    client, _ = client_for(world.user(Role.DEFENDANT))
    first = note(client, world, "x", "key-3")
    again = note(client, world, "x", "key-3")
    assert first.status_code == again.status_code == 403
    assert again["Idempotent-Replayed"] == "true"


def test_without_a_key_every_post_counts(world: World) -> None:
    client, _ = client_for(world.user(Role.PROSECUTOR))
    assert note(client, world, "Once", None).status_code == 201
    assert note(client, world, "Once", None).status_code == 201
    assert Note.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_malformed_key_is_400(world: World) -> None:
    client, _ = client_for(world.user(Role.PROSECUTOR))
    for key in ["", "with space", "x" * 256, "ünïcode"]:
        response = note(client, world, "x", key)
        assert response.status_code == 400, key
        assert "Idempotency-Key" in response.json()
    assert not Note.objects.exists()


def test_an_anonymous_request_is_401_and_keeps_nothing(world: World) -> None:
    response = note(APIClient(), world, "x", "key-4")
    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_a_session_client_has_keys_too(world: World) -> None:
    client = APIClient()
    client.force_login(world.user(Role.PROSECUTOR))
    assert note(client, world, "Via the browser", "key-5").status_code == 201
    assert note(client, world, "Via the browser", "key-5")["Idempotent-Replayed"] == "true"
    assert Note.objects.count() == 1


def test_a_multipart_upload_is_not_covered(world: World) -> None:
    client, _ = client_for(world.user(Role.PROSECUTOR))
    for _ in range(2):
        response = client.post(
            "/api/v1/documents/",
            {
                "case": world.case.pk,
                "file": SimpleUploadedFile("a.txt", b"text\n"),
                "category": "evidence",
                "title": "Twice",
                "visibility": "prosecution",
            },
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="key-6",
        )
        assert response.status_code == 201
    assert Document.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()
