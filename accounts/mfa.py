"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238) through django-otp.

Who must use it: everyone who sits in a court (judges, court staff) whose `mfa_required` is set,
and everyone who belongs to an office (parties.Organization) whose `mfa_required` is set. Anyone
else may set it up for themselves; once set up, it is asked for at every sign-in.

The password step never signs anyone in when a code is due: it parks the person in the session
("pending", for MFA_PENDING_SECONDS) and Django's login() runs only after the code. A session
records whether it passed the second factor; a signed-in session whose court or office starts to
require it later is found within MFA_RECHECK_SECONDS and signed out (accounts.middleware).

Personal API tokens are not asked for a code (docs/api.md).
"""

from __future__ import annotations

import time
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import services as audit_services

RECOVERY_CODES = 10
# The session's second-factor state: {"state": ..., "checked": unix time}.
SESSION_KEY = "parley_mfa"
VERIFIED, NOT_REQUIRED, REQUIRED = "verified", "not_required", "required"
# Set by the verify step just before login(), which the sign-in hook reads (accounts.signals).
JUST_VERIFIED_KEY = "parley_mfa_just_verified"
# Between the password and the code: {"user", "backend", "at", "next", "hash"}.
PENDING_KEY = "parley_mfa_pending"


# --- who --------------------------------------------------------------------------------------


def mfa_required(user: User) -> bool:
    """Whether the user's court or office requires a second factor (one query)."""
    if not user.is_active:
        return False
    return User.objects.filter(
        Q(groups__court__mfa_required=True) | Q(profile__organization__mfa_required=True),
        pk=user.pk,
    ).exists()


def totp_device_of(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("id").first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- the session ----------------------------------------------------------------------------


def session_mark_signed_in(session: Any, user: User) -> None:
    """Record, as the session is signed in, whether it passed (or needs) the second factor."""
    if session.pop(JUST_VERIFIED_KEY, False):
        state = VERIFIED
    else:
        state = REQUIRED if mfa_required(user) else NOT_REQUIRED
    session[SESSION_KEY] = {"state": state, "checked": time.time()}


def session_state(session: Any, user: User) -> str:
    """The session's state, read again from the court and office when it is older than
    MFA_RECHECK_SECONDS (or missing: a session from before two-factor sign-in)."""
    mark = session.get(SESSION_KEY)
    recheck = int(getattr(settings, "MFA_RECHECK_SECONDS", 300))
    if isinstance(mark, dict) and (
        mark.get("state") in (VERIFIED, REQUIRED)
        or time.time() - float(mark.get("checked", 0)) < recheck
    ):
        return str(mark["state"])
    state = REQUIRED if mfa_required(user) else NOT_REQUIRED
    session[SESSION_KEY] = {"state": state, "checked": time.time()}
    return state


def pending_start(request: Any, user: User, *, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[1]),
        "at": time.time(),
        "next": next_url,
        "hash": user.get_session_auth_hash(),
    }


def pending_user(request: Any) -> tuple[User, dict[str, Any]] | None:
    """The person between password and code, while the step is fresh and nothing about the
    account changed (active, same password)."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > int(settings.MFA_PENDING_SECONDS):
        request.session.pop(PENDING_KEY, None)
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.get_session_auth_hash() != pending.get("hash"):
        request.session.pop(PENDING_KEY, None)
        return None
    return user, pending


def pending_clear(request: Any) -> None:
    request.session.pop(PENDING_KEY, None)


# --- devices --------------------------------------------------------------------------------


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the person is setting up (made once, then reused until
    confirmed, so reloading the page keeps the same QR code)."""
    device = totp_device_of(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a code it shows. Returns new recovery codes, or None if
    the code is wrong. Any earlier authenticator is replaced."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(_digits(code)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_services.record("auth.mfa_enrolled", actor=user, data={"username": user.username})
    return recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """A new set of single-use recovery codes; the old ones stop working. Shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _digits(code: str) -> str:
    return "".join(code.split())


def second_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (a six-digit code, or a recovery code, used up), or None.
    django-otp slows down repeated wrong codes per device."""
    code = _digits(code).lower()
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        devices: list[Device] = [
            *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=user, confirmed=True),
        ]
        for device in devices:
            if isinstance(device, TOTPDevice) and not code.isdigit():
                continue  # a recovery code, not the app's
            if device.verify_token(code):
                return device
    return None


@transaction.atomic
def second_factor_remove(*, user: User, by: User | None = None) -> int:
    """Remove the person's authenticator and recovery codes (their own choice when not
    required, or an administrator's reset). They set it up again at their next sign-in if
    their court or office requires it. Returns how many devices went."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    audit_services.record(
        "auth.mfa_reset", actor=by or user, data={"username": user.username, "devices": removed}
    )
    return removed


def qr_svg(device: TOTPDevice) -> str:
    """The authenticator's setup address as an inline SVG QR code, made here (no service)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    svg: str = image.to_string(encoding="unicode")
    return svg


def secret_text(device: TOTPDevice) -> str:
    """The secret as base32 in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def session_mark_verified(session: Any) -> None:
    """The signed-in person just proved a second factor (set it up) in this session."""
    session[SESSION_KEY] = {"state": VERIFIED, "checked": time.time()}
