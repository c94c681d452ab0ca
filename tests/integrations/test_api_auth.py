"""Signing in to the API (token and session), refusing the anonymous, and the API's own docs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import PersonalToken
from cases.models import Case, CaseStatusChange, Charge
from integrations.auth import hash_token
from parties.models import CaseParticipant, Defendant, Role
from tests.api_helpers import MISSING_ID, ids
from tests.conftest import World
from tests.deadlines.test_api_hearings import COURT_DATE_PATHS
from tests.docketsync.test_docket_sync_api import DOCKET_SYNC_PATHS
from tests.factories import PASSWORD
from tests.integrations.test_event_feed import INTEGRATION_PATHS
from tests.records.test_api_records import RECORD_PATHS
from tests.webhooks.test_webhooks_api import WEBHOOK_PATHS


def token_for(username: str, password: str = PASSWORD) -> Any:
    return APIClient().post(
        reverse("api-token"), {"username": username, "password": password}, format="json"
    )


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def written_rows() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Case, Charge, CaseParticipant, Defendant, CaseStatusChange)
    )


# --- token -------------------------------------------------------------------------------


def test_username_and_password_get_a_token(world: World) -> None:
    response = token_for("defense")

    assert response.status_code == 200
    body = response.json()
    token = PersonalToken.objects.get(user=world.user(Role.DEFENSE_COUNSEL))
    assert body["token"].startswith("prp_")
    # Only the hash is kept, and the answer is never cached.
    assert (token.key_hash, token.id, body["expires_at"] is not None) == (
        hash_token(body["token"]),
        body["id"],
        True,
    )
    assert response["Cache-Control"] == "no-store"


def test_token_opens_the_api_as_its_user(world: World) -> None:
    key = token_for("defense").json()["token"]

    response = with_token(key).get(reverse("case-list"))

    assert response.status_code == 200
    assert ids(response) == [world.case.pk]


def test_asking_twice_gives_two_tokens_that_both_work(world: World) -> None:
    first, second = token_for("judge").json()["token"], token_for("judge").json()["token"]

    assert first != second
    assert with_token(first).get(reverse("case-list")).status_code == 200
    assert with_token(second).get(reverse("case-list")).status_code == 200


def test_token_writes_without_a_csrf_token(world: World) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for('prosecutor').json()['token']}")

    response = client.post(
        reverse("case-transition", args=[world.case.pk]), {"to_status": "negotiating"}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [("defense", "wrong-horse"), ("nobody", PASSWORD), ("defense", ""), ("", "")],
)
def test_wrong_credentials_get_no_token(world: World, username: str, password: str) -> None:
    response = token_for(username, password)

    assert response.status_code == 400
    assert not PersonalToken.objects.exists()


def test_deactivated_user_gets_no_token_and_their_token_stops_working(world: World) -> None:
    key = token_for("defense").json()["token"]
    counsel = world.user(Role.DEFENSE_COUNSEL)
    counsel.is_active = False
    counsel.save()

    assert token_for("defense").status_code == 400
    response = with_token(key).get(reverse("case-list"))
    # 401: TokenAuthentication is listed first and asks for a token.
    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_made_up_token_is_refused(world: World) -> None:
    response = with_token("0" * 40).get(reverse("case-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "The token is not valid, or was revoked or expired.",
        "code": "authentication_failed",
    }


# --- session -----------------------------------------------------------------------------


def test_signed_in_session_reads_the_api(world: World) -> None:
    client = APIClient()
    assert client.login(username="judge", password=PASSWORD)

    response = client.get(reverse("case-list"))

    assert set(ids(response)) == {world.case.pk, world.other_case.pk}


def test_session_write_without_csrf_token_is_refused(world: World) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="prosecutor", password=PASSWORD)

    response = client.post(
        reverse("case-transition", args=[world.case.pk]), {"to_status": "negotiating"}
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not CaseStatusChange.objects.exists()


def test_session_write_with_the_csrf_token_of_the_docs_page_goes_through(world: World) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="prosecutor", password=PASSWORD)
    # The page Swagger UI runs in, and its script (a file of its own, for the CSP), which
    # sets the cookie.
    client.get(reverse("api-docs"))
    client.get(reverse("api-docs"), {"script": ""})

    response = client.post(
        reverse("case-transition", args=[world.case.pk]),
        {"to_status": "negotiating"},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 200


# --- the anonymous -----------------------------------------------------------------------


def anonymous_requests(world: World) -> list[tuple[str, str, Any]]:
    case, charge = world.case, world.case.charges.get()
    participant = CaseParticipant.objects.filter(case=case).first()
    assert participant is not None
    reads = [
        reverse(f"{name}-list")
        for name in (
            "case",
            "charge",
            "participant",
            "defendant",
            "statute",
            "court",
            "jurisdiction",
            "organization",
            "complex-mark",
            "rights-explanation",
        )
    ] + [
        reverse("case-detail", args=[case.pk]),
        reverse("charge-detail", args=[charge.pk]),
        reverse("participant-detail", args=[participant.pk]),
        reverse("defendant-detail", args=[world.defendant.pk]),
        reverse("statute-detail", args=[world.statute.pk]),
        reverse("court-detail", args=[world.court.pk]),
        reverse("jurisdiction-detail", args=[world.court.jurisdiction_id]),
        reverse("organization-detail", args=[world.orgs["da"].pk]),
        reverse("event-feed"),
        reverse("api-client-list"),
    ]
    writes: list[tuple[str, str, Any]] = [
        (
            "post",
            reverse("case-list"),
            {"court": world.court.pk, "docket_number": "X", "caption": "X"},
        ),
        ("patch", reverse("case-detail", args=[case.pk]), {"caption": "X"}),
        ("post", reverse("case-transition", args=[case.pk]), {"to_status": "dismissed"}),
        ("post", reverse("charge-list"), {"case": case.pk, "statute": world.statute.pk}),
        ("patch", reverse("charge-detail", args=[charge.pk]), {"description": "X"}),
        (
            "post",
            reverse("participant-list"),
            {"case": case.pk, "role": "duty_lawyer", "user": world.strangers[Role.DUTY_LAWYER].pk},
        ),
        ("post", reverse("participant-end", args=[participant.pk]), {}),
        ("post", reverse("defendant-list"), {"first_name": "A", "last_name": "B"}),
        ("patch", reverse("defendant-detail", args=[world.defendant.pk]), {"last_name": "X"}),
        ("post", reverse("docket-sync"), {"court": world.court.pk, "records": []}),
    ]
    return [("get", url, None) for url in reads] + writes


def test_anonymous_request_is_refused_on_every_endpoint_and_writes_nothing(world: World) -> None:
    client = APIClient()
    before = written_rows()

    answers = {
        (method, url): getattr(client, method)(url, body, format="json")
        for method, url, body in anonymous_requests(world)
    }

    # 401, not 403: TokenAuthentication is listed first and asks for a token.
    assert {
        key: (r.status_code, r.get("WWW-Authenticate"), r.json()) for key, r in answers.items()
    } == {
        key: (
            401,
            "Token",
            {
                "detail": "Authentication credentials were not provided.",
                "code": "not_authenticated",
            },
        )
        for key in answers
    }
    assert written_rows() == before


def test_anonymous_cannot_tell_a_case_from_a_missing_one(world: World) -> None:
    client = APIClient()

    case = client.get(reverse("case-detail", args=[world.case.pk]))
    missing = client.get(reverse("case-detail", args=[MISSING_ID]))

    assert (case.status_code, case.json()) == (missing.status_code, missing.json())
    assert case.status_code == 401
    assert case["WWW-Authenticate"] == missing["WWW-Authenticate"] == "Token"


# --- schema and docs ---------------------------------------------------------------------


def test_schema_describes_every_endpoint(db: None) -> None:
    response = APIClient().get(reverse("api-schema"), {"format": "json"})

    assert response.status_code == 200
    assert set(response.json()["paths"]) == {
        "/api/v1/auth/language/",
        "/api/v1/auth/token/",
        "/api/v1/auth/tokens/",
        "/api/v1/auth/tokens/{id}/revoke/",
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/eligible-people/",
        "/api/v1/cases/{id}/transition/",
        "/api/v1/charges/",
        "/api/v1/charges/{id}/",
        "/api/v1/courts/",
        "/api/v1/courts/{id}/",
        "/api/v1/defendants/",
        "/api/v1/defendants/{id}/",
        "/api/v1/jurisdictions/",
        "/api/v1/jurisdictions/{id}/",
        "/api/v1/organizations/",
        "/api/v1/organizations/{id}/",
        "/api/v1/participants/",
        "/api/v1/participants/{id}/",
        "/api/v1/participants/{id}/end/",
        "/api/v1/statutes/",
        "/api/v1/statutes/{id}/",
        "/api/v1/offers/",
        "/api/v1/offers/preview/",
        "/api/v1/offers/{id}/",
        "/api/v1/offers/{id}/accept/",
        "/api/v1/offers/{id}/concessions/",
        "/api/v1/offers/{id}/counter/",
        "/api/v1/offers/{id}/exposure/",
        "/api/v1/offers/{id}/reject/",
        "/api/v1/offers/{id}/respond/",
        "/api/v1/offers/{id}/send/",
        "/api/v1/offers/{id}/withdraw/",
        "/api/v1/suggestions/",
        "/api/v1/suggestions/{id}/",
        "/api/v1/suggestions/{id}/respond/",
        "/api/v1/complex-marks/",
        "/api/v1/complex-marks/{id}/",
        "/api/v1/rights-explanations/",
        "/api/v1/rights-explanations/{id}/",
        "/api/v1/agreements/",
        "/api/v1/agreements/{id}/",
        "/api/v1/agreements/{id}/checklist/",
        "/api/v1/agreements/{id}/pdf/",
        "/api/v1/agreements/{id}/review/",
        "/api/v1/agreements/{id}/sign/",
        "/api/v1/agreements/{id}/statement/",
        "/api/v1/agreements/{id}/submit/",
        "/api/v1/agreements/{id}/withdraw/",
    } | COURT_DATE_PATHS | RECORD_PATHS | INTEGRATION_PATHS | WEBHOOK_PATHS | DOCKET_SYNC_PATHS | {
        "/api/v1/cases/{case_id}/history/",
        "/api/v1/cases/{case_id}/history/export/",
    }


def test_schema_generates_without_warnings_and_validates(db: None, tmp_path: Path) -> None:
    # Raises SchemaGenerationError on any warning, SchemaValidationError on an invalid schema.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yaml"))

    assert "/api/v1/cases/{id}/transition/" in (tmp_path / "s.yaml").read_text()


def test_docs_page_loads_only_assets_served_by_the_app(db: None) -> None:
    response = APIClient().get(reverse("api-docs"))
    html = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert re.findall(r"(?:https?:)?//[\w.-]+\.\w", html) == []
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    # Swagger UI's own start-up script is the page's address with ?script (no inline script).
    script = f"{reverse('api-docs')}?script="
    assert script in assets
    assets.remove(script)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "<script>" not in html and "<style>" not in html


def test_docs_page_points_swagger_at_our_schema(db: None) -> None:
    script = APIClient().get(reverse("api-docs"), {"script": ""})

    assert script["Content-Type"].startswith("application/javascript")
    assert f'url: "{reverse("api-schema")}"' in script.content.decode()
