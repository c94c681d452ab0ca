"""Pages for the people who look after API clients: the court's staff make clients and tokens,
owners keep them. Thin: integrations.selectors read (a client the user does not manage answers
404), integrations.services write, cases.permissions decides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import permissions
from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from core.forms import submit_form
from integrations import selectors, services
from integrations.forms import ApiClientForm, ApiTokenForm
from integrations.models import ApiClient, ApiToken


def _managed(request: HttpRequest, client_id: int) -> ApiClient:
    client = selectors.api_clients_managed_by(signed_in_user(request)).filter(pk=client_id).first()
    if client is None:
        raise Http404(_("No such API client."))
    return client


@login_required
@require_http_methods(["GET", "POST"])
def clients(request: HttpRequest) -> HttpResponse:
    """The clients the user looks after, and a new one for the courts whose staff they are."""
    user = signed_in_user(request)
    courts = selectors.courts_for_new_clients(user)
    form = ApiClientForm(courts=courts) if courts.exists() else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404(_("You make no API clients."))
        form = ApiClientForm(request.POST, courts=courts)
        client, status, _conflict = submit_form(
            form,
            lambda data: services.api_client_create(
                court=data["court"],
                name=data["name"],
                owner=data["owner"] or user,
                by=user,
                role=data["role"],
            ),
        )
        if client is not None:
            messages.success(
                request,
                _("Client “%(client_name)s” made. Now give it a token.")
                % {"client_name": client.name},
            )
            return redirect("integrations:client", client.pk)
    rows = list(selectors.api_clients_managed_by(user).order_by("court__name", "name"))
    sync_courts = [court for court in courts if permissions.may_sync_docket(user, court)]
    context = {"clients": rows, "form": form, "sync_courts": sync_courts}
    return render(request, "integrations/clients.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def client(request: HttpRequest, client_id: int) -> HttpResponse:
    """One client: its tokens, with a form for a new one (shown once, on this response)."""
    user = signed_in_user(request)
    api_client = _managed(request, client_id)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    status, new_key, new_token = 200, "", None
    if request.method == "POST":
        made, status, _conflict = submit_form(
            form,
            lambda data: services.api_token_create(
                client=api_client, by=user, name=data["name"], expires_at=data["expires_at"]
            ),
        )
        if made is not None:
            new_token, new_key = made
            form = ApiTokenForm()
            status = 201
    context: dict[str, Any] = {
        "client": api_client,
        "tokens": list(selectors.tokens_of(api_client)),
        "form": form,
        "new_key": new_key,
        "new_token": new_token,
    }
    response = render(request, "integrations/client.html", context, status=status)
    if new_key:
        # The only copy of the token: no cache may keep it.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, client_id: int, token_id: int) -> HttpResponse:
    api_client = _managed(request, client_id)
    token = ApiToken.objects.filter(client=api_client, pk=token_id).first()
    if token is None:
        raise Http404(_("No such token."))
    services.api_token_revoke(token=token, by=signed_in_user(request))
    messages.success(
        request,
        _("Token “%(token_name)s” (%(prefix)s…) revoked.")
        % {"token_name": token.name, "prefix": token.prefix},
    )
    return redirect("integrations:client", api_client.pk)


@login_required
@require_POST
def client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    api_client = _managed(request, client_id)
    services.api_client_revoke(client=api_client, by=signed_in_user(request))
    messages.success(
        request,
        _("Client “%(api_client_name)s” revoked: none of its tokens work.")
        % {"api_client_name": api_client.name},
    )
    return redirect("integrations:client", api_client.pk)
