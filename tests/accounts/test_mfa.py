"""Two-factor sign-in (issue 14): a one-time code (TOTP) after the password for the people of a
court or office that requires it, set up on first sign-in (QR code made here, the key as text,
recovery codes), a staff reset, and API tokens without it. Everyone else signs in as before."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import mfa
from audit.models import AuditEvent
from cases.models import Court
from demo.data import DEMO_LOGINS
from parties.models import Organization, Role
from tests.conftest import World
from tests.factories import PASSWORD

STEP = dt.timedelta(seconds=30)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def require_for_court(court: Court) -> None:
    Court.objects.filter(pk=court.pk).update(mfa_required=True)


def require_for_office(office: Organization) -> None:
    Organization.objects.filter(pk=office.pk).update(mfa_required=True)


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def password_step(username: str, next_url: str = "") -> tuple[Client, Any]:
    client = Client(REMOTE_ADDR="198.51.100.20")
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client, client.post(reverse("login"), data)


def enrolled(user: User) -> TOTPDevice:
    device = mfa.totp_enrolment_start(user=user)
    assert mfa.totp_enrolment_confirm(user=user, device=device, code=code_of(device))
    device.refresh_from_db()
    return device


# --- who is asked --------------------------------------------------------------------------------


def test_people_of_a_court_that_requires_it_are_asked_for_a_code(world: World) -> None:
    require_for_court(world.court)

    assert mfa.mfa_required(world.user(Role.JUDGE))
    assert mfa.mfa_required(world.user(Role.COURT_STAFF))
    # Another court's judge, and the parties, are not its people.
    assert not mfa.mfa_required(world.strangers[Role.JUDGE])
    assert not mfa.mfa_required(world.user(Role.DEFENSE_COUNSEL))
    assert not mfa.mfa_required(world.user(Role.DEFENDANT))


def test_people_of_an_office_that_requires_it_are_asked_for_a_code(world: World) -> None:
    require_for_office(world.orgs["da"])

    assert mfa.mfa_required(world.user(Role.PROSECUTOR))
    assert mfa.mfa_required(world.strangers[Role.PROSECUTOR])
    assert not mfa.mfa_required(world.user(Role.DEFENSE_COUNSEL))
    assert not mfa.mfa_required(world.user(Role.JUDGE))


def test_without_a_requirement_the_password_signs_in_as_before(world: World) -> None:
    client, response = password_step("judge")

    assert response["Location"] == reverse("dashboard")
    assert signed_in(client)


def test_the_demo_courts_and_offices_do_not_require_it(db: None, settings: Any) -> None:
    settings.DEBUG = True  # seed_demo refuses to run otherwise
    call_command("seed_demo", "--force")

    assert not Court.objects.filter(mfa_required=True).exists()
    assert not Organization.objects.filter(mfa_required=True).exists()
    for login in DEMO_LOGINS:
        client = Client()
        response = client.post(
            reverse("login"), {"username": login.username, "password": login.password}
        )
        assert (response.status_code, signed_in(client)) == (302, True), login.username


# --- setting it up on first sign-in --------------------------------------------------------------


def test_first_sign_in_sets_up_the_app_before_anything_opens(world: World, clock: Any) -> None:
    require_for_court(world.court)
    case_page = reverse("cases:detail", args=[world.case.pk])

    client, response = password_step("judge", next_url=case_page)
    assert response["Location"] == reverse("accounts:second-factor-enrol")
    assert not signed_in(client)
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))

    page = client.get(reverse("accounts:second-factor-enrol"))
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=world.user(Role.JUDGE), confirmed=False)
    assert page.status_code == 200
    assert "<svg" in html and "http" not in html.split("<svg")[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )
    assert mfa.secret_text(device) in html

    done = client.post(reverse("accounts:second-factor-enrol"), {"code": code_of(device)})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    assert len(codes) == mfa.RECOVERY_CODES
    assert f'href="{case_page}"' in done.content.decode()
    assert signed_in(client)
    assert client.get(case_page).status_code == 200


def test_a_wrong_code_does_not_finish_the_set_up(world: World) -> None:
    require_for_court(world.court)
    client, _ = password_step("judge")
    client.get(reverse("accounts:second-factor-enrol"))

    response = client.post(reverse("accounts:second-factor-enrol"), {"code": "000000"})

    assert response.status_code == 400
    assert not signed_in(client)
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_a_password_alone_never_replaces_a_second_factor(world: World) -> None:
    require_for_court(world.court)
    device = enrolled(world.user(Role.JUDGE))
    client, response = password_step("judge")

    assert response["Location"] == reverse("accounts:second-factor")
    attempt = client.get(reverse("accounts:second-factor-enrol"))

    assert attempt["Location"] == reverse("accounts:second-factor")
    assert list(TOTPDevice.objects.filter(user=world.user(Role.JUDGE))) == [device]


# --- signing in with a code ----------------------------------------------------------------------


def test_the_code_signs_in_to_where_the_person_was_going(world: World, clock: Any) -> None:
    require_for_court(world.court)
    device = enrolled(world.user(Role.COURT_STAFF))
    clock.shift(STEP)
    docket = reverse("deadlines:docket")

    client, response = password_step("clerk", next_url=docket)
    assert (response["Location"], signed_in(client)) == (reverse("accounts:second-factor"), False)
    done = client.post(reverse("accounts:second-factor"), {"code": code_of(device)})

    assert done["Location"] == docket
    assert signed_in(client)
    assert client.get(docket).status_code == 200


def test_a_wrong_code_is_refused_and_recorded(world: World, clock: Any) -> None:
    require_for_court(world.court)
    enrolled(world.user(Role.COURT_STAFF))
    clock.shift(STEP)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    client, _ = password_step("clerk")
    response = client.post(reverse("accounts:second-factor"), {"code": "123456"})

    assert response.status_code == 400
    assert "not right" in response.content.decode()
    assert not signed_in(client)
    failed = AuditEvent.objects.filter(id__gt=before, kind="auth.login_failed")
    assert [event.data["username"] for event in failed] == ["clerk"]


def test_a_code_is_good_once(world: World, clock: Any) -> None:
    require_for_court(world.court)
    device = enrolled(world.user(Role.COURT_STAFF))
    clock.shift(STEP)
    code = code_of(device)
    first, _ = password_step("clerk")
    first.post(reverse("accounts:second-factor"), {"code": code})

    second, _ = password_step("clerk")
    response = second.post(reverse("accounts:second-factor"), {"code": code})

    assert response.status_code == 400
    assert not signed_in(second)


def test_a_recovery_code_signs_in_once(world: World) -> None:
    require_for_court(world.court)
    user = world.user(Role.COURT_STAFF)
    enrolled(user)
    code = StaticToken.objects.filter(device__user=user).first()
    assert code is not None

    first, _ = password_step("clerk")
    ok = first.post(reverse("accounts:second-factor"), {"code": code.token.upper()})
    second, _ = password_step("clerk")
    again = second.post(reverse("accounts:second-factor"), {"code": code.token})

    assert (ok.status_code, signed_in(first)) == (302, True)
    assert (again.status_code, signed_in(second)) == (400, False)
    assert mfa.recovery_codes_left(user) == mfa.RECOVERY_CODES - 1


def test_wrong_codes_count_towards_the_lockout(world: World, clock: Any, settings: Any) -> None:
    settings.SIGNIN_ACCOUNT_FAILURE_LIMIT = 4
    require_for_court(world.court)
    device = enrolled(world.user(Role.COURT_STAFF))
    client, _ = password_step("clerk")
    for n in range(4):
        clock.shift(dt.timedelta(seconds=10))  # past django-otp's own growing delay
        last = client.post(reverse("accounts:second-factor"), {"code": f"{n:06d}"})

    clock.shift(STEP)
    again, response = password_step("clerk")
    assert last.status_code == 429
    assert response.status_code == 429
    assert not signed_in(again) and code_of(device)


def test_the_code_step_expires(world: World, clock: Any, settings: Any) -> None:
    require_for_court(world.court)
    device = enrolled(world.user(Role.COURT_STAFF))
    client, _ = password_step("clerk")

    clock.shift(dt.timedelta(seconds=settings.MFA_PENDING_SECONDS + 1))
    response = client.post(reverse("accounts:second-factor"), {"code": code_of(device)})

    assert response["Location"] == reverse("login")
    assert not signed_in(client)


def test_someone_who_set_it_up_is_asked_even_when_not_required(world: World, clock: Any) -> None:
    device = enrolled(world.user(Role.DEFENSE_COUNSEL))
    clock.shift(STEP)

    client, response = password_step("defense")
    assert (response["Location"], signed_in(client)) == (reverse("accounts:second-factor"), False)
    client.post(reverse("accounts:second-factor"), {"code": code_of(device)})

    assert signed_in(client)


# --- a requirement that comes later --------------------------------------------------------------


def test_a_session_is_signed_out_when_its_court_starts_to_require_it(
    world: World, clock: Any, settings: Any
) -> None:
    client = Client()
    client.force_login(world.user(Role.COURT_STAFF))
    assert client.get(reverse("dashboard")).status_code == 200

    require_for_court(world.court)
    clock.shift(dt.timedelta(seconds=settings.MFA_RECHECK_SECONDS + 1))
    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not signed_in(client)


def test_an_api_session_gets_401_when_its_court_starts_to_require_it(
    world: World, clock: Any, settings: Any
) -> None:
    client = APIClient()
    client.force_login(world.user(Role.COURT_STAFF))
    require_for_court(world.court)
    clock.shift(dt.timedelta(seconds=settings.MFA_RECHECK_SECONDS + 1))

    response = client.get(reverse("case-list"))

    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"


def test_a_verified_session_stays_signed_in(world: World, clock: Any, settings: Any) -> None:
    require_for_court(world.court)
    device = enrolled(world.user(Role.COURT_STAFF))
    clock.shift(STEP)
    client, _ = password_step("clerk")
    client.post(reverse("accounts:second-factor"), {"code": code_of(device)})

    clock.shift(dt.timedelta(seconds=settings.MFA_RECHECK_SECONDS * 3))

    assert client.get(reverse("dashboard")).status_code == 200


# --- API tokens ----------------------------------------------------------------------------------


def test_api_tokens_are_not_asked_for_a_code(world: World) -> None:
    require_for_court(world.court)
    enrolled(world.user(Role.JUDGE))

    response = APIClient().post(
        reverse("api-token"), {"username": "judge", "password": PASSWORD}, format="json"
    )
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    assert response.status_code == 200
    assert reader.get(reverse("case-list")).status_code == 200


# --- the account-security page -------------------------------------------------------------------


def test_anyone_sets_it_up_from_the_security_page(world: World) -> None:
    client = Client()
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    assert "Off" in client.get(reverse("accounts:security")).content.decode()

    client.get(reverse("accounts:security-enrol"))
    device = TOTPDevice.objects.get(user=world.user(Role.DEFENSE_COUNSEL))
    done = client.post(reverse("accounts:security-enrol"), {"code": code_of(device)})

    assert done.status_code == 200
    assert mfa.has_second_factor(world.user(Role.DEFENSE_COUNSEL))
    assert "10 recovery codes left" in client.get(reverse("accounts:security")).content.decode()


def test_new_recovery_codes_replace_the_old_ones(world: World) -> None:
    user = world.user(Role.DEFENSE_COUNSEL)
    enrolled(user)
    old = set(StaticToken.objects.values_list("token", flat=True))
    client = Client()
    client.force_login(user)

    response = client.post(reverse("accounts:recovery-codes-renew"))

    new = set(StaticToken.objects.values_list("token", flat=True))
    assert response.status_code == 200
    assert len(new) == mfa.RECOVERY_CODES and not old & new
    assert all(code in response.content.decode() for code in new)


def test_it_can_be_turned_off_only_where_not_required(world: World) -> None:
    counsel, clerk = world.user(Role.DEFENSE_COUNSEL), world.user(Role.COURT_STAFF)
    require_for_court(world.court)
    for user in (counsel, clerk):
        enrolled(user)
        client = Client()
        client.force_login(user)
        client.post(reverse("accounts:second-factor-remove"))

    assert not mfa.has_second_factor(counsel)
    assert mfa.has_second_factor(clerk)


def test_the_security_pages_need_a_signed_in_person(world: World) -> None:
    for method, name in [
        ("get", "accounts:security"),
        ("get", "accounts:security-enrol"),
        ("post", "accounts:recovery-codes-renew"),
        ("post", "accounts:second-factor-remove"),
    ]:
        response = getattr(Client(), method)(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
    assert not TOTPDevice.objects.exists()


# --- staff reset ---------------------------------------------------------------------------------


def test_staff_reset_a_lost_second_factor_from_the_shell(world: World) -> None:
    require_for_court(world.court)
    enrolled(world.user(Role.JUDGE))

    call_command("mfa_reset", "judge")

    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()
    _client, response = password_step("judge")
    assert response["Location"] == reverse("accounts:second-factor-enrol")
    assert AuditEvent.objects.filter(kind="auth.mfa_reset", data__username="judge").exists()


def test_an_administrator_resets_it_in_the_admin(world: World) -> None:
    enrolled(world.user(Role.JUDGE))
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)

    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [world.user(Role.JUDGE).pk]},
    )

    assert response.status_code == 302
    assert not mfa.has_second_factor(world.user(Role.JUDGE))


def test_the_requirement_is_set_in_the_admin(world: World) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)

    court_page = client.get(reverse("admin:cases_court_change", args=[world.court.pk]))
    office_page = client.get(
        reverse("admin:parties_organization_change", args=[world.orgs["da"].pk])
    )

    assert 'name="mfa_required"' in court_page.content.decode()
    assert 'name="mfa_required"' in office_page.content.decode()
