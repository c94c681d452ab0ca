"""API clients: court-scoped service accounts with hashed, revocable Bearer tokens.

Made by the court's staff; requests run as the client's account, so every permission rule
applies; a party's client can only be made a participant in its own court's cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import party_services
from integrations import services
from integrations.auth import hash_token
from integrations.models import ApiClient, ApiToken
from parties.models import Role
from tests.conftest import World, api_as
from tests.integration_helpers import bearer, court_client

ROLES = list(Role)


def test_a_court_client_sees_its_courts_cases_only(world: World) -> None:
    client, key = court_client(world)
    response = bearer(key).get("/api/v1/cases/")
    assert response.status_code == 200, response.content
    dockets = {row["docket_number"] for row in response.json()["results"]}
    assert dockets == {world.case.docket_number, world.other_case.docket_number}
    assert bearer(key).get(f"/api/v1/cases/{world.foreign_case.pk}/").status_code == 404
    assert client.account.has_usable_password() is False


def test_the_token_is_stored_as_its_hash_only(world: World) -> None:
    client, key = court_client(world)
    token = ApiToken.objects.get(client=client)
    assert key.startswith("prl_") and len(key) > 40
    assert token.key_hash == hash_token(key)
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.prefix == key[: len(token.prefix)]


@pytest.mark.parametrize(
    "header",
    ["Bearer prl_wrong", "Bearer", "Bearer a b", "Bearer prl_\u00e9"],
)
def test_a_bad_bearer_token_is_401(world: World, header: str) -> None:
    court_client(world)
    api = bearer("x")
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoking_a_token_stops_it_and_not_the_others(world: World) -> None:
    client, key = court_client(world)
    clerk = world.user(Role.COURT_STAFF)
    _second, second_key = services.api_token_create(client=client, name="server 2", by=clerk)
    services.api_token_revoke(token=ApiToken.objects.get(key_hash=hash_token(key)), by=clerk)
    assert bearer(key).get("/api/v1/cases/").status_code == 401
    assert bearer(second_key).get("/api/v1/cases/").status_code == 200


def test_revoking_the_client_stops_every_token(world: World) -> None:
    client, key = court_client(world)
    services.api_client_revoke(client=client, by=world.user(Role.COURT_STAFF))
    assert bearer(key).get("/api/v1/cases/").status_code == 401
    client.account.refresh_from_db()
    assert client.account.is_active is False
    assert not ApiToken.objects.filter(client=client, revoked_at__isnull=True).exists()
    with pytest.raises(ValidationError):
        services.api_token_create(client=client, name="again", by=world.user(Role.COURT_STAFF))


def test_an_expired_token_is_401(world: World) -> None:
    client, _key = court_client(world)
    clerk = world.user(Role.COURT_STAFF)
    _token, key = services.api_token_create(
        client=client, name="short", by=clerk, expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert bearer(key).get("/api/v1/cases/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert bearer(key).get("/api/v1/cases/").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(world: World) -> None:
    client, key = court_client(world)
    token = ApiToken.objects.get(client=client)
    assert token.last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        bearer(key).get("/api/v1/cases/")
        token.refresh_from_db()
        assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        bearer(key).get("/api/v1/cases/")
        token.refresh_from_db()
        assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        bearer(key).get("/api/v1/cases/")
        token.refresh_from_db()
        assert token.last_used_at == start + dt.timedelta(seconds=61)


def test_a_client_token_is_throttled_on_its_own(world: World, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.API_THROTTLE_RATE = "2/min"
    client, key = court_client(world)
    _other, other_key = services.api_token_create(
        client=client, name="server 2", by=world.user(Role.COURT_STAFF)
    )
    assert [bearer(key).get("/api/v1/cases/").status_code for _ in range(3)] == [200, 200, 429]
    assert bearer(other_key).get("/api/v1/cases/").status_code == 200
    cache.clear()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_courts_staff_make_clients(world: World, role: Role) -> None:
    person = world.user(role)
    if role == Role.COURT_STAFF:
        client = services.api_client_create(
            court=world.court, name="Docket", owner=person, by=person
        )
        assert client.account.profile.role_kind == Role.COURT_STAFF
        assert client.account.groups.filter(pk=world.court.group_id).exists()
        return
    with pytest.raises(PermissionDenied):
        services.api_client_create(court=world.court, name="Docket", owner=person, by=person)


def test_staff_of_another_court_may_not_make_clients_here(world: World) -> None:
    stranger = world.strangers[Role.COURT_STAFF]
    with pytest.raises(PermissionDenied):
        services.api_client_create(court=world.court, name="X", owner=stranger, by=stranger)


def test_client_input_is_checked_per_field(world: World) -> None:
    clerk = world.user(Role.COURT_STAFF)
    court_client(world, name="Docket")
    with pytest.raises(ValidationError) as caught:
        services.api_client_create(
            court=world.court, name="Docket", owner=clerk, by=clerk, role=Role.JUDGE
        )
    assert set(caught.value.message_dict) == {"name", "role"}
    with pytest.raises(ValidationError) as caught:
        services.api_client_create(court=world.court, name="  ", owner=clerk, by=clerk)
    assert set(caught.value.message_dict) == {"name"}


def test_a_partys_client_takes_part_only_in_its_courts_cases(world: World) -> None:
    clerk = world.user(Role.COURT_STAFF)
    client = services.api_client_create(
        court=world.court,
        name="DA case system",
        owner=world.user(Role.PROSECUTOR),
        by=clerk,
        role=Role.PROSECUTOR,
        organization=world.orgs["da"],
    )
    _token, key = services.api_token_create(client=client, name="s", by=world.user(Role.PROSECUTOR))
    # Not a participant yet: it sees nothing.
    assert bearer(key).get("/api/v1/cases/").json()["results"] == []
    party_services.participant_add(
        case=world.case, by=world.user(Role.PROSECUTOR), role=Role.PROSECUTOR, user=client.account
    )
    dockets = [row["docket_number"] for row in bearer(key).get("/api/v1/cases/").json()["results"]]
    assert dockets == [world.case.docket_number]
    with pytest.raises(ValidationError) as caught:
        party_services.participant_add(
            case=world.foreign_case,
            by=world.strangers[Role.PROSECUTOR],
            role=Role.PROSECUTOR,
            user=client.account,
        )
    assert "another court" in caught.value.message_dict["user"][0]


# --- the API ---------------------------------------------------------------------------------


def _clients_listed(api: Any) -> list[int]:
    response = api.get("/api/v1/api-clients/")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()]


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_client_and_its_tokens(world: World, role: Role) -> None:
    client, _key = court_client(world)
    api = api_as(world.user(role))
    manages = role == Role.COURT_STAFF
    assert _clients_listed(api) == ([client.pk] if manages else [])
    tokens = api.get(f"/api/v1/api-clients/{client.pk}/tokens/")
    assert tokens.status_code == (200 if manages else 404)
    made = api.post(f"/api/v1/api-clients/{client.pk}/tokens/", {"name": "n"}, format="json")
    assert made.status_code == (201 if manages else 404)


@pytest.mark.parametrize("role", ROLES)
def test_strangers_see_no_client(world: World, role: Role) -> None:
    client, _key = court_client(world)
    api = api_as(world.strangers[role])
    assert _clients_listed(api) == []
    assert api.get(f"/api/v1/api-clients/{client.pk}/").status_code == 404
    assert api.get(f"/api/v1/api-clients/{client.pk}/tokens/").status_code == 404


def _party_client(world: World, role: Role = Role.PROSECUTOR) -> tuple[ApiClient, str]:
    """An office's client, made by the court's clerk for its owner, a person of that role."""
    clerk = world.user(Role.COURT_STAFF)
    client = services.api_client_create(
        court=world.court, name=f"{role} system", owner=world.user(role), by=clerk, role=role
    )
    _t, key = services.api_token_create(client=client, name="s", by=world.user(role))
    return client, key


def test_the_owner_manages_tokens_and_the_client_sees_only_itself(world: World) -> None:
    client, key = _party_client(world)
    api = api_as(world.user(Role.PROSECUTOR))
    made = api.post(f"/api/v1/api-clients/{client.pk}/tokens/", {"name": "n"}, format="json")
    assert made.status_code == 201
    assert made["Cache-Control"] == "no-store"
    body = made.json()
    assert body["token"].startswith("prl_")
    assert body["prefix"] == body["token"][: len(body["prefix"])]
    listed = api.get(f"/api/v1/api-clients/{client.pk}/tokens/").json()
    assert {row["name"] for row in listed} == {"s", "n"}
    assert all("token" not in row and "key_hash" not in row for row in listed)
    revoked = api.post(f"/api/v1/api-clients/{client.pk}/tokens/{body['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert bearer(body["token"]).get("/api/v1/cases/").status_code == 401
    # The client itself reads its own record, but does not mint tokens for itself.
    own = bearer(key)
    assert _clients_listed(own) == [client.pk]
    assert own.get(f"/api/v1/api-clients/{client.pk}/tokens/").status_code == 404


@pytest.mark.parametrize("role", [Role.PROSECUTOR, Role.DEFENSE_COUNSEL])
def test_the_court_never_holds_the_keys_of_a_partys_client(world: World, role: Role) -> None:
    """A party's client reads the party's offers: the court's staff, who made it, cannot mint
    its tokens, see them, or revoke it; only its owner can."""
    client, _key = _party_client(world, role)
    clerk = world.user(Role.COURT_STAFF)
    api = api_as(clerk)
    assert _clients_listed(api) == []
    assert api.get(f"/api/v1/api-clients/{client.pk}/tokens/").status_code == 404
    assert api.post(f"/api/v1/api-clients/{client.pk}/tokens/", {"name": "x"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.api_token_create(client=client, name="x", by=clerk)
    with pytest.raises(PermissionDenied):
        services.api_client_revoke(client=client, by=clerk)
    assert _clients_listed(api_as(world.user(role))) == [client.pk]


@pytest.mark.parametrize(
    ("role", "owner_role"),
    [
        (Role.COURT_STAFF, Role.JUDGE),
        (Role.COURT_STAFF, Role.PROSECUTOR),
        (Role.PROSECUTOR, Role.COURT_STAFF),
        (Role.PROSECUTOR, Role.DEFENSE_COUNSEL),
        (Role.DEFENSE_COUNSEL, Role.PROSECUTOR),
    ],
)
def test_the_owner_must_be_able_to_own_the_client(
    world: World, role: Role, owner_role: Role
) -> None:
    clerk = world.user(Role.COURT_STAFF)
    with pytest.raises(ValidationError) as caught:
        services.api_client_create(
            court=world.court, name="X", owner=world.user(owner_role), by=clerk, role=role
        )
    assert set(caught.value.message_dict) == {"owner"}
    assert not ApiClient.objects.exists()


def test_a_clerk_of_another_court_cannot_own_this_courts_client(world: World) -> None:
    with pytest.raises(ValidationError):
        services.api_client_create(
            court=world.court,
            name="X",
            owner=world.strangers[Role.COURT_STAFF],
            by=world.user(Role.COURT_STAFF),
        )


def test_a_partys_client_opens_cases_only_in_its_court(world: World) -> None:
    _client, key = _party_client(world)
    elsewhere = bearer(key).post(
        "/api/v1/cases/",
        {"court": world.other_court.pk, "docket_number": "9:26-cr-1", "caption": "U.S. v. X"},
        format="json",
    )
    assert elsewhere.status_code in (400, 403), elsewhere.content
    here = bearer(key).post(
        "/api/v1/cases/",
        {"court": world.court.pk, "docket_number": "9:26-cr-1", "caption": "U.S. v. X"},
        format="json",
    )
    assert here.status_code == 201, here.content


def test_token_input_errors_are_400_per_field(world: World) -> None:
    client, _key = court_client(world)
    api = api_as(world.user(Role.COURT_STAFF))
    response = api.post(
        f"/api/v1/api-clients/{client.pk}/tokens/",
        {"name": "", "expires_at": "2001-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "name" in response.json()
    response = api.post(
        f"/api/v1/api-clients/{client.pk}/tokens/",
        {"name": "x", "expires_at": "2001-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "expires_at" in response.json()
    assert api.post(f"/api/v1/api-clients/{client.pk}/tokens/999999/revoke/").status_code == 404


def test_an_unknown_client_is_404(world: World) -> None:
    api = api_as(world.user(Role.COURT_STAFF))
    assert api.get("/api/v1/api-clients/999999/").status_code == 404
    assert api.get("/api/v1/api-clients/abc/").status_code == 404
    assert ApiClient.objects.count() == 0


# --- the operators' command ------------------------------------------------------------------


def test_the_command_makes_a_client_and_prints_a_token_once(world: World) -> None:
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out, err = io.StringIO(), io.StringIO()
    call_command(
        "api_client",
        "create",
        "--court",
        str(world.court.pk),
        "--name",
        "Docket",
        "--as",
        "clerk",
        stdout=out,
    )
    client = ApiClient.objects.get(name="Docket")
    assert f"Client {client.pk} made" in out.getvalue()
    out = io.StringIO()
    call_command(
        "api_client",
        "token",
        "--client",
        str(client.pk),
        "--name",
        "s1",
        "--as",
        "clerk",
        stdout=out,
        stderr=err,
    )
    key = out.getvalue().strip()
    assert bearer(key).get("/api/v1/cases/").status_code == 200
    with pytest.raises(CommandError, match="court's staff"):
        call_command(
            "api_client", "token", "--client", str(client.pk), "--name", "s2", "--as", "judge"
        )
    with pytest.raises(CommandError, match="name"):
        call_command(
            "api_client",
            "create",
            "--court",
            str(world.court.pk),
            "--name",
            "Docket",
            "--as",
            "clerk",
        )
    out = io.StringIO()
    call_command("api_client", "list", stdout=out)
    assert "Docket" in out.getvalue() and "active" in out.getvalue()
    call_command("api_client", "revoke", "--client", str(client.pk), "--as", "clerk", stdout=out)
    assert bearer(key).get("/api/v1/cases/").status_code == 401


def test_a_client_token_retries_a_post_safely_with_an_idempotency_key(world: World) -> None:
    from cases.models import Case

    _client, key = court_client(world)
    body = {"court": world.court.pk, "docket_number": "1:26-cr-00900", "caption": "U.S. v. Lee"}
    first = bearer(key).post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = bearer(key).post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Case.objects.filter(docket_number="1:26-cr-00900").count() == 1


def test_a_token_is_never_kept_for_an_idempotent_retry(world: World) -> None:
    from rest_framework.test import APIClient

    from core.models import IdempotencyRecord

    client, _key = court_client(world)
    api = APIClient(enforce_csrf_checks=False)
    api.force_login(world.user(Role.COURT_STAFF))  # a session: the middleware knows who it is
    url = f"/api/v1/api-clients/{client.pk}/tokens/"
    first = api.post(url, {"name": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="mint-1")
    assert first.status_code == 201
    token = first.json()["token"]
    again = api.post(url, {"name": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="mint-1")
    assert again.status_code == 409
    assert again.json()["code"] == "idempotency_secret_not_kept"
    assert token not in again.content.decode()
    assert all(token.encode() not in bytes(r.body) for r in IdempotencyRecord.objects.all())
    assert ApiToken.objects.filter(client=client, name="n").count() == 1


def test_a_revoked_token_replays_nothing(world: World) -> None:
    client, key = court_client(world)
    body = {"court": world.court.pk, "docket_number": "1:26-cr-00901", "caption": "U.S. v. Kay"}
    first = bearer(key).post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-9")
    assert first.status_code == 201
    services.api_client_revoke(client=client, by=world.user(Role.COURT_STAFF))
    again = bearer(key).post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-9")
    assert again.status_code == 401
    assert "Idempotent-Replayed" not in again


def test_clients_tokens_and_webhooks_are_in_the_audit_trail_without_their_secrets(
    world: World,
) -> None:
    from audit.models import AuditEvent
    from webhooks import services as webhook_services

    client, key = court_client(world)
    clerk = world.user(Role.COURT_STAFF)
    _endpoint, secret = webhook_services.endpoint_create(
        client=client, by=clerk, url="https://93.184.215.14/hook", event_types=["case.created"]
    )
    services.api_token_revoke(token=ApiToken.objects.get(client=client), by=clerk)
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    for kind in (
        "api_client.created",
        "client_token.created",
        "client_token.changed",
        "webhook_endpoint.created",
        "webhook_secret.created",
    ):
        assert kind in kinds
    token_row = AuditEvent.objects.filter(kind="client_token.created").get()
    assert token_row.after is not None
    assert token_row.after["key_hash"] == "[redacted]"
    assert token_row.actor_id is None or token_row.actor_id == clerk.pk
    everything = str(list(AuditEvent.objects.values("before", "after", "data")))
    assert key not in everything and ApiToken.objects.get().key_hash not in everything
    assert secret not in everything
