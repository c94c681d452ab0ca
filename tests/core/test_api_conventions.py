"""API conventions every client relies on: versions (ETag / If-Match), throttling, ordering and
"changed since" filters, and what the schema says of every operation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import personal_token_create
from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Case, Charge
from parties.models import Role
from tests.api_date_helpers import NOW
from tests.conftest import World, api_as
from tests.deadline_helpers import hearing, manual_deadline
from tests.negotiation_helpers import draft_offer


def token_client(user: Any) -> APIClient:
    client = APIClient()
    _token, key = personal_token_create(user=user, name="convention tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- ETag and If-Match ---------------------------------------------------------------------------


def test_a_case_carries_its_version_and_a_change_gives_it_a_new_one(world: World) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    url = f"/api/v1/cases/{world.case.pk}/"

    read = client.get(url)
    assert read.status_code == 200
    etag = read["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34
    assert client.get(url)["ETag"] == etag  # the same version reads the same

    changed = client.patch(url, {"caption": "United States v. Doe et al."}, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.json()
    assert changed["ETag"] != etag
    assert changed["ETag"] == client.get(url)["ETag"]


def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(world: World) -> None:
    first = api_as(world.user(Role.PROSECUTOR))
    second = api_as(world.user(Role.COURT_STAFF))
    url = f"/api/v1/cases/{world.case.pk}/"
    etag = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == etag

    # Both read the same version; the first to write wins.
    assert first.patch(url, {"caption": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    before = AuditEvent.objects.filter(case_id=world.case.pk).count()
    stale = second.patch(url, {"caption": "Second"}, HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    body = stale.json()
    assert body["code"] == "precondition_failed"
    assert body["etag"] == first.get(url)["ETag"] != etag
    assert Case.objects.get(pk=world.case.pk).caption == "First"
    assert AuditEvent.objects.filter(case_id=world.case.pk).count() == before


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, 200),  # no precondition: clients that do not send one keep working
        ("*", 200),
        ('"not-a-version"', 412),
        ("current-weak", 412),  # If-Match compares strongly: W/"…" never matches
        ("current-among-others", 200),
    ],
)
def test_if_match_forms(world: World, header: str | None, expected: int) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    url = f"/api/v1/cases/{world.case.pk}/"
    etag = client.get(url)["ETag"]
    sent = {
        "current-weak": f"W/{etag}",
        "current-among-others": f'"older", {etag}',
    }.get(header or "", header)
    extra: dict[str, Any] = {"HTTP_IF_MATCH": sent} if sent else {}
    assert client.patch(url, {"caption": "Renamed"}, **extra).status_code == expected


def test_a_charge_carries_its_version_and_refuses_a_stale_one(world: World) -> None:
    charge = Charge.objects.get(case=world.case)
    client = token_client(world.user(Role.PROSECUTOR))
    url = f"/api/v1/charges/{charge.pk}/"
    etag = client.get(url)["ETag"]

    amended = client.patch(url, {"description": "Amended"}, HTTP_IF_MATCH=etag, format="json")
    assert amended.status_code == 200
    stale = client.patch(url, {"description": "Again"}, HTTP_IF_MATCH=etag, format="json")
    assert stale.status_code == 412
    assert stale.json()["etag"] == amended["ETag"]
    assert Charge.objects.get(pk=charge.pk).description == "Amended"


def test_a_version_is_no_way_around_permissions(world: World) -> None:
    """A precondition is checked after the permission: the defense gets 403, not 412."""
    url = f"/api/v1/cases/{world.case.pk}/"
    defense = api_as(world.user(Role.DEFENSE_COUNSEL))
    response = defense.patch(url, {"caption": "x"}, HTTP_IF_MATCH='"stale"')
    assert response.status_code == 403


def test_the_schema_describes_if_match_and_412(world: World) -> None:
    schema = api_as(world.user(Role.PROSECUTOR)).get("/api/v1/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/cases/{id}/"]["patch"]
    assert "If-Match" in {p["name"] for p in patch["parameters"]}
    assert "412" in patch["responses"]
    assert "ETag" in patch["responses"]["200"]["headers"]


# --- throttling ----------------------------------------------------------------------------------


@pytest.fixture
def rate(settings: Any) -> str:
    settings.API_THROTTLE_RATE = "3/min"
    return str(settings.API_THROTTLE_RATE)


def test_a_client_over_its_rate_gets_429_with_retry_after(world: World, rate: str) -> None:
    client = token_client(world.user(Role.PROSECUTOR))
    for _ in range(3):
        assert client.get("/api/v1/cases/").status_code == 200
    refused = client.get("/api/v1/cases/")

    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_each_token_has_its_own_budget(world: World, rate: str) -> None:
    first = token_client(world.user(Role.PROSECUTOR))
    second = token_client(world.user(Role.COURT_STAFF))
    for _ in range(3):
        assert first.get("/api/v1/cases/").status_code == 200
    assert first.get("/api/v1/cases/").status_code == 429
    assert second.get("/api/v1/cases/").status_code == 200


def test_a_session_user_is_counted_too(world: World, rate: str) -> None:
    user = world.user(Role.DEFENSE_COUNSEL)
    cache.delete(f"throttle_client_user:{user.pk}")
    client = APIClient()
    client.force_login(user)
    codes = [client.get("/api/v1/cases/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    cache.delete(f"throttle_client_user:{user.pk}")


def test_no_rate_means_no_limit(world: World, settings: Any) -> None:
    settings.API_THROTTLE_RATE = ""
    client = token_client(world.user(Role.PROSECUTOR))
    assert {client.get("/api/v1/cases/").status_code for _ in range(10)} == {200}


def test_the_cache_never_holds_a_token(world: World, rate: str) -> None:
    _token, key = personal_token_create(user=world.user(Role.PROSECUTOR), name="throttle test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/cases/").status_code == 200

    redis = cache._cache.get_client()  # type: ignore[attr-defined]
    keys = [found.decode() for found in redis.scan_iter(match="*throttle_client_token:*")]
    assert keys
    assert not any(key in cache_key for cache_key in keys)


# --- ordering and "changed since" ----------------------------------------------------------------


def _court_cases(world: World) -> list[Case]:
    """Three more cases in the world's court (the clerk sees all five), with dates and docket
    numbers in different orders from their ids."""
    opener = world.strangers[Role.PROSECUTOR]
    for number, day in (("1:26-cr-00009", 3), ("1:26-cr-00005", 20), ("1:26-cr-00007", 1)):
        case_services.case_open(
            court=world.court,
            docket_number=number,
            caption=f"United States v. {number}",
            by=opener,
            opened_on=dt.date(2026, 2, day),
        )
    return list(Case.objects.filter(court=world.court))


def _walk(client: APIClient, url: str) -> list[int]:
    """Every id of a list, following its `next` links."""
    seen: list[int] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        seen += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    return seen


@pytest.mark.parametrize(
    "ordering",
    ["docket_number", "-docket_number", "opened_on", "-opened_on", "updated_at", "-updated_at"],
)
def test_cases_in_the_order_asked_for_across_cursor_pages(world: World, ordering: str) -> None:
    cases = _court_cases(world)
    field = ordering.removeprefix("-")
    descending = ordering.startswith("-")
    expected = [
        case.pk
        for case in sorted(cases, key=lambda c: (getattr(c, field), c.pk), reverse=descending)
    ]
    client = api_as(world.user(Role.COURT_STAFF))

    assert _walk(client, f"/api/v1/cases/?ordering={ordering}&page_size=2") == expected


def test_the_default_order_is_newest_first(world: World) -> None:
    cases = _court_cases(world)
    client = api_as(world.user(Role.COURT_STAFF))
    newest_first = sorted((case.pk for case in cases), reverse=True)
    assert _walk(client, "/api/v1/cases/?page_size=2") == newest_first
    assert _walk(client, "/api/v1/cases/?ordering=-id&page_size=2") == newest_first


def test_an_order_never_shows_more_than_the_user_sees(world: World) -> None:
    _court_cases(world)
    client = api_as(world.user(Role.PROSECUTOR))
    assert _walk(client, "/api/v1/cases/?ordering=docket_number") == [world.case.pk]


def test_an_order_combines_with_the_filters(world: World) -> None:
    _court_cases(world)
    client = api_as(world.user(Role.COURT_STAFF))
    seen = _walk(
        client, f"/api/v1/cases/?ordering=opened_on&docket_number={world.case.docket_number}"
    )
    assert seen == [world.case.pk]


def test_an_order_not_offered_is_a_400_for_ordering(world: World) -> None:
    response = api_as(world.user(Role.COURT_STAFF)).get("/api/v1/cases/?ordering=caption")
    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]


def test_an_ordered_list_costs_the_same_whatever_its_length(
    world: World, django_assert_num_queries: Any
) -> None:
    client = api_as(world.user(Role.COURT_STAFF))
    with django_assert_num_queries(1) as few:
        client.get("/api/v1/cases/?ordering=updated_at")
    _court_cases(world)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/cases/?ordering=updated_at").json()["results"]) == 5


def test_the_schema_lists_the_orders(world: World) -> None:
    schema = api_as(world.user(Role.PROSECUTOR)).get("/api/v1/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert set(parameters["ordering"]["schema"]["enum"]) >= {"docket_number", "-updated_at"}
    for name in ("court", "docket_number", "status", "external_id", "updated_at__gte"):
        assert name in parameters


CHANGED_SINCE = {
    "charges": "/api/v1/charges/",
    "hearings": "/api/v1/hearings/",
    "deadlines": "/api/v1/deadlines/",
    "offers": "/api/v1/offers/",
}


def _touched(charge: Charge) -> Charge:
    Charge.objects.filter(pk=charge.pk).update(updated_at=timezone.now())
    return charge


@pytest.mark.parametrize("kind", CHANGED_SINCE)
def test_lists_with_updated_at_read_what_changed_since(world: World, kind: str) -> None:
    with time_machine.travel(NOW) as clock:
        rows = {
            # Filed when the world was built (whatever the date today): last changed now.
            "charges": lambda: _touched(Charge.objects.get(case=world.case)),
            "hearings": lambda: hearing(world),
            "deadlines": lambda: manual_deadline(world),
            "offers": lambda: draft_offer(world),
        }
        row = rows[kind]()
        clock.shift(dt.timedelta(hours=1))
        since = timezone.now()
        client = api_as(world.user(Role.PROSECUTOR))
        url = CHANGED_SINCE[kind]

        before = client.get(url, {"updated_at__gte": since.isoformat()})
        assert before.status_code == 200
        assert row.pk not in [r["id"] for r in before.json()["results"]]
        type(row)._default_manager.filter(pk=row.pk).update(updated_at=timezone.now())
        after = client.get(url, {"updated_at__gte": since.isoformat()})
        assert row.pk in [r["id"] for r in after.json()["results"]]


@pytest.mark.parametrize("url", ["/api/v1/cases/", *CHANGED_SINCE.values()])
@pytest.mark.parametrize(
    "moment",
    [
        "1174-09-16T18:57:38+18:18",  # an offset PostgreSQL refuses: read in UTC instead
        "0001-01-01T00:00:00+01:00",  # no UTC form
        "yesterday",
    ],
)
def test_an_odd_moment_is_never_a_500(world: World, url: str, moment: str) -> None:
    response = api_as(world.user(Role.PROSECUTOR)).get(url, {"updated_at__gte": moment})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert list(response.json()) == ["updated_at__gte"]


def test_a_far_offset_is_read_as_the_same_moment_in_utc(world: World) -> None:
    client = api_as(world.user(Role.PROSECUTOR))
    response = client.get("/api/v1/cases/", {"updated_at__gte": "2000-01-01T23:00:00+18:30"})
    assert [row["id"] for row in response.json()["results"]] == [world.case.pk]


# --- what every operation documents --------------------------------------------------------------


def test_every_operation_documents_its_errors(world: World) -> None:
    schema = api_as(world.user(Role.PROSECUTOR)).get("/api/v1/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path != "/api/v1/auth/token/":  # open to all, and not throttled (DRF's own)
                assert {"401", "403", "429"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "409"} <= codes, (method, path)
            for code, response in operation["responses"].items():
                if code >= "400":
                    assert "application/json" in response["content"], (method, path, code)


def test_posts_document_idempotency_keys(world: World) -> None:
    schema = api_as(world.user(Role.PROSECUTOR)).get("/api/v1/schema/?format=json").json()
    create = schema["paths"]["/api/v1/cases/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
    assert "422" in create["responses"]
    throttled = create["responses"]["429"]
    assert "Retry-After" in throttled["headers"]


def test_an_api_url_that_names_nothing_is_a_json_404(world: World) -> None:
    client = token_client(world.user(Role.PROSECUTOR))
    for response in (
        client.get("/api/v1/cases/0.5/"),
        client.post("/api/v1/cases/1/nothing/", {}, format="json"),
        client.get("/api/v1/no-such-list/"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
    # Without its final slash, a list's URL still redirects to it (APPEND_SLASH).
    assert client.get("/api/v1/cases").status_code == 301


def test_a_body_over_django_limits_is_a_json_400(world: World) -> None:
    """Django refuses a form of more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields while DRF reads
    it; the API answers in its own body, not with Django's HTML page."""
    fields = "&".join(f"field{n}=x" for n in range(1_200))
    response = token_client(world.user(Role.PROSECUTOR)).post(
        "/api/v1/cases/", fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_deadlock_is_a_409_to_retry_not_a_500(world: Any) -> None:
    """Two writers that deadlock: PostgreSQL rolls one back; it answers 409 and may be sent
    again (here the service raises what psycopg raises for a deadlock)."""
    import psycopg
    from django.db import OperationalError

    from core.api.exceptions import exception_handler

    class Deadlock(psycopg.errors.DeadlockDetected):
        pass

    try:
        try:
            raise Deadlock("deadlock detected")
        except psycopg.Error as cause:
            raise OperationalError("deadlock detected") from cause
    except OperationalError as exc:
        response = exception_handler(exc, {})
    assert response is not None
    assert response.status_code == 409
    assert response.data["code"] == "concurrent_update"
