"""Sign-in (password, then a one-time code where one is due), the account-security page and
personal API tokens. Thin: the rules are in accounts.mfa, accounts.services and
accounts.lockout."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts import mfa, selectors, services
from accounts.forms import CodeForm, EnrolForm, LanguageForm, PersonalTokenForm
from accounts.language import language_cookie_set, session_language_remember
from accounts.redirects import safe_next
from core.decorators import login_required_htmx, signed_in_user
from core.forms import submit_form
from parties.services import profile_language_set


class SignInView(LoginView):
    """Django's sign-in page; where a second factor is due, the password only opens the step
    for the code (accounts.mfa), and `next` is kept to this site's own paths."""

    redirect_authenticated_user = True

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        request = request or self.request
        given = request.POST.get(self.redirect_field_name) or request.GET.get(
            self.redirect_field_name
        )
        return safe_next(given, request)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if mfa.has_second_factor(user):
            mfa.pending_start(self.request, user, next_url=self.get_success_url())
            return redirect("accounts:second-factor")
        if mfa.mfa_required(user):
            mfa.pending_start(self.request, user, next_url=self.get_success_url())
            return redirect("accounts:second-factor-enrol")
        return super().form_valid(form)


class SignOutView(LogoutView):
    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        request = request or self.request
        given = request.POST.get(self.redirect_field_name) or request.GET.get(
            self.redirect_field_name
        )
        return safe_next(given, request)


def _finish_sign_in(request: HttpRequest, user: User, pending: dict[str, Any]) -> None:
    mfa.pending_clear(request)
    request.session[mfa.JUST_VERIFIED_KEY] = True
    login(request, user, backend=pending["backend"])


def _locked_out(request: HttpRequest, user: User) -> bool:
    """Whether axes refuses this account or address now; if so the response becomes its
    lockout answer (axes.middleware)."""
    if AxesProxyHandler.is_allowed(request, {"username": user.get_username()}):
        return False
    request.axes_locked_out = True  # type: ignore[attr-defined]
    return True


def _start_again(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("The step for the code has expired: sign in again."))
    return redirect("login")


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the one-time code (or a recovery code)."""
    found = mfa.pending_user(request)
    if found is None:
        return _start_again(request)
    user, pending = found
    if not mfa.has_second_factor(user):
        return redirect("accounts:second-factor-enrol")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if _locked_out(request, user):
                return HttpResponse(status=429)
            device = mfa.second_factor_verify(user=user, code=form.cleaned_data["code"])
            if device is not None:
                _finish_sign_in(request, user, pending)
                return redirect(pending["next"] or settings.LOGIN_REDIRECT_URL)
            # Counted like a wrong password (lockout) and recorded in the audit trail.
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=request
            )
            form.add_error(
                "code",
                _("That code is not right, or was used already. Type the code the app shows now."),
            )
    return render(request, "accounts/second_factor.html", {"form": form}, status=status)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: while signing in (the court or office requires it and the
    person has none yet), or from the account-security page."""
    signing_in = request.resolver_match is not None and (
        request.resolver_match.url_name == "second-factor-enrol"
    )
    pending: dict[str, Any] = {}
    if signing_in:
        found = mfa.pending_user(request)
        if found is None:
            return _start_again(request)
        user, pending = found
        if mfa.has_second_factor(user):
            # A password alone never replaces a second factor.
            return redirect("accounts:second-factor")
    elif not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    else:
        user = signed_in_user(request)
    device = mfa.totp_enrolment_start(user=user)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if signing_in and _locked_out(request, user):
                return HttpResponse(status=429)
            codes = mfa.totp_enrolment_confirm(
                user=user, device=device, code=form.cleaned_data["code"]
            )
            if codes is not None:
                if signing_in:
                    _finish_sign_in(request, user, pending)
                    next_url = pending["next"] or reverse(settings.LOGIN_REDIRECT_URL)
                else:
                    mfa.session_mark_verified(request.session)
                    next_url = reverse("accounts:security")
                return _recovery_codes_page(request, codes, next_url=next_url)
            form.add_error("code", _("That is not the code the app shows now; try again."))
    context = {
        "form": form,
        "signing_in": signing_in,
        "qr_svg": mfa.qr_svg(device),
        "secret": mfa.secret_text(device),
        "required": mfa.mfa_required(user),
    }
    return render(request, "accounts/second_factor_enrol.html", context, status=status)


def _recovery_codes_page(request: HttpRequest, codes: list[str], *, next_url: str) -> HttpResponse:
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next_url": next_url}
    )
    response["Cache-Control"] = "no-store"  # the only copy of the codes
    return response


@login_required_htmx
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    device = mfa.totp_device_of(user)
    context = {
        "device": device,
        "required": mfa.mfa_required(user),
        "recovery_codes_left": mfa.recovery_codes_left(user) if device else 0,
    }
    return render(request, "accounts/security.html", context)


@login_required_htmx
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not mfa.has_second_factor(user):
        messages.error(request, _("Set up an authenticator app first."))
        return redirect("accounts:security")
    codes = mfa.recovery_codes_renew(user=user)
    return _recovery_codes_page(request, codes, next_url=reverse("accounts:security"))


@login_required_htmx
@require_POST
def second_factor_remove(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if mfa.mfa_required(user):
        messages.error(
            request,
            _("Your court or office requires a second factor: set up a new app instead."),
        )
        return redirect("accounts:security")
    mfa.second_factor_remove(user=user)
    messages.success(request, _("Two-factor sign-in is off: the password alone signs you in."))
    return redirect("accounts:security")


@login_required_htmx
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The person's own API tokens, and a form for a new one (shown once, on this response)."""
    user = signed_in_user(request)
    form = PersonalTokenForm(request.POST if request.method == "POST" else None)
    status, new_key, new_token, conflict = 200, "", None, ""
    if request.method == "POST":
        made, status, conflict = submit_form(
            form, lambda data: services.personal_token_create(user=user, name=data["name"])
        )
        if made is not None:
            new_token, new_key = made
            form = PersonalTokenForm()
            status = 201
    context = {
        "tokens": list(selectors.personal_tokens_of(user)),
        "form": form,
        "new_key": new_key,
        "new_token": new_token,
        "conflict": conflict,
        "lifetime_days": services.personal_token_lifetime().days,
    }
    response: HttpResponseBase = render(request, "accounts/tokens.html", context, status=status)
    if new_key:
        response["Cache-Control"] = "no-store"  # the only copy of the token
    return response  # type: ignore[return-value]


@login_required_htmx
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = signed_in_user(request)
    token = selectors.personal_tokens_of(user).filter(pk=token_id).first()
    if token is None:
        raise Http404(_("No such token."))
    services.personal_token_revoke(token=token)
    messages.success(
        request,
        _("Token “%(name)s” (%(prefix)s…) revoked.") % {"name": token.name, "prefix": token.prefix},
    )
    return redirect("accounts:tokens")


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's sign-in page is the site's: one place with the lockout and second factor."""
    target = safe_next(request.GET.get("next"), request) or reverse("admin:index")
    return redirect_to_login(target)


def _same_site_path(url: str, request: HttpRequest) -> str:
    parts = urlsplit(url)
    if not parts.path or parts.netloc != request.get_host():
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


@require_http_methods(["GET", "POST"])
def language(request: HttpRequest) -> HttpResponse:
    """The language page (signed in), and the header's switch (anyone): a signed-in person's
    choice is kept on their profile; everyone's in the browser's language cookie too."""
    if request.method == "GET" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
    initial = {"language": profile.preferred_language if profile else ""}
    form = LanguageForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            chosen = form.cleaned_data["language"]
            if profile is not None:
                profile_language_set(profile=profile, language=chosen)
                shown = session_language_remember(request.session, request.user)
            else:
                shown = chosen
            translation.activate(shown or translation.get_language_from_request(request))
            # Back to the page the switch was pressed on (the header's form names none, so
            # that a page says nothing of its own address: a 404 for a case that does not
            # exist reads exactly as one for a case you may not see).
            next_url = safe_next(request.POST.get("next"), request) or safe_next(
                _same_site_path(request.headers.get("Referer", ""), request), request
            )
            if profile is not None and not next_url:
                messages.success(request, _("Your language is saved."))
            response = redirect(next_url or reverse("accounts:language"))
            if shown:
                language_cookie_set(response, shown)
            return response
        return render(request, "accounts/language.html", {"form": form}, status=400)
    return render(request, "accounts/language.html", {"form": form, "profile": profile})
