"""Pages for the people who look after an API client's webhooks: its owner and the court's
staff. Thin: a client the user does not manage answers 404 (integrations.selectors), writes go
through webhooks.services, and a secret is shown once, on the response that made it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import login_required_htmx as login_required
from core.decorators import signed_in_user
from core.exceptions import Conflict
from core.forms import submit_form
from integrations.models import ApiClient
from integrations.selectors import api_clients_managed_by
from webhooks import selectors, services
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, DeliveryStatus, WebhookEndpoint

# The delivery log on the page shows the newest deliveries; the API pages through all of them.
LOG_LENGTH = 50


def _client(request: HttpRequest, client_id: int) -> ApiClient:
    client = api_clients_managed_by(signed_in_user(request)).filter(pk=client_id).first()
    if client is None:
        raise Http404(_("No such API client."))
    return client


def _endpoint(client: ApiClient, endpoint_id: int) -> WebhookEndpoint:
    endpoint = selectors.endpoints_of(client).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404(_("No such webhook endpoint."))
    endpoint.client = client
    return endpoint


def _no_store(response: HttpResponse) -> HttpResponse:
    # The only copy of a secret: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def endpoints(request: HttpRequest, client_id: int) -> HttpResponse:
    """A client's endpoints, and a form to subscribe a new one (its secret shown once)."""
    user = signed_in_user(request)
    client = _client(request, client_id)
    form = EndpointForm(request.POST if request.method == "POST" else None)
    status, conflict, new_secret, new_endpoint = 200, "", "", None
    if request.method == "POST":
        made, status, conflict = submit_form(
            form,
            lambda data: services.endpoint_create(
                client=client,
                by=user,
                url=data["url"],
                event_types=data["event_types"],
                description=data["description"],
            ),
        )
        if made is not None:
            new_endpoint, new_secret = made
            form, status = EndpointForm(), 201
    context: dict[str, Any] = {
        "client": client,
        "endpoints": list(selectors.endpoints_of(client)),
        "form": form,
        "conflict": conflict,
        "new_secret": new_secret,
        "new_endpoint": new_endpoint,
    }
    response = render(request, "webhooks/endpoints.html", context, status=status)
    return _no_store(response) if new_secret else response


def _render_endpoint(
    request: HttpRequest,
    client: ApiClient,
    endpoint: WebhookEndpoint,
    *,
    form: EndpointForm | None = None,
    status: int = 200,
    conflict: str = "",
    new_secret: str = "",
    previous_until: Any = None,
) -> HttpResponse:
    if form is None:
        form = EndpointForm(
            initial={
                "url": endpoint.url,
                "event_types": endpoint.event_types,
                "description": endpoint.description,
            }
        )
    context: dict[str, Any] = {
        "client": client,
        "endpoint": endpoint,
        "form": form,
        "conflict": conflict,
        "new_secret": new_secret,
        "previous_until": previous_until,
        "secrets": list(endpoint.secrets.order_by("-created_at", "-id")),
        "deliveries": selectors.deliveries_with_attempts(endpoint, limit=LOG_LENGTH),
        "log_length": LOG_LENGTH,
        "pending": DeliveryStatus.PENDING,
    }
    response = render(request, "webhooks/endpoint.html", context, status=status)
    return _no_store(response) if new_secret else response


@login_required
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest, client_id: int, endpoint_id: int) -> HttpResponse:
    """One endpoint: its settings (editable), secrets and delivery log."""
    client = _client(request, client_id)
    hook = _endpoint(client, endpoint_id)
    if request.method == "GET":
        return _render_endpoint(request, client, hook)
    form = EndpointForm(request.POST)
    saved, status, conflict = submit_form(
        form,
        lambda data: services.endpoint_update(
            endpoint=hook,
            by=signed_in_user(request),
            url=data["url"],
            event_types=data["event_types"],
            description=data["description"],
        ),
    )
    if saved is not None:
        messages.success(request, _("Endpoint saved."))
        return redirect("webhooks:endpoint", client.pk, hook.pk)
    return _render_endpoint(request, client, hook, form=form, status=status, conflict=conflict)


@login_required
@require_POST
def endpoint_rotate(request: HttpRequest, client_id: int, endpoint_id: int) -> HttpResponse:
    client = _client(request, client_id)
    hook = _endpoint(client, endpoint_id)
    secret, until = services.secret_rotate(endpoint=hook, by=signed_in_user(request))
    return _render_endpoint(request, client, hook, new_secret=secret, previous_until=until)


def _act(
    request: HttpRequest, client_id: int, endpoint_id: int, action: Any, done: str
) -> HttpResponse:
    client = _client(request, client_id)
    hook = _endpoint(client, endpoint_id)
    try:
        action(hook, signed_in_user(request))
    except Conflict as conflict:
        return _render_endpoint(request, client, hook, status=409, conflict=conflict.message)
    messages.success(request, done)
    return redirect("webhooks:endpoint", client.pk, hook.pk)


@login_required
@require_POST
def endpoint_enable(request: HttpRequest, client_id: int, endpoint_id: int) -> HttpResponse:
    return _act(
        request,
        client_id,
        endpoint_id,
        lambda hook, by: services.endpoint_enable(endpoint=hook, by=by),
        _("Endpoint enabled. Deliveries that were waiting are on their way."),
    )


@login_required
@require_POST
def endpoint_disable(request: HttpRequest, client_id: int, endpoint_id: int) -> HttpResponse:
    return _act(
        request,
        client_id,
        endpoint_id,
        lambda hook, by: services.endpoint_disable(endpoint=hook, by=by),
        _("Endpoint disabled. Nothing is sent to it until you enable it again."),
    )


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, client_id: int, endpoint_id: int) -> HttpResponse:
    client = _client(request, client_id)
    hook = _endpoint(client, endpoint_id)
    services.endpoint_delete(endpoint=hook, by=signed_in_user(request))
    messages.success(request, _("Endpoint %(url)s deleted.") % {"url": hook.url})
    return redirect("webhooks:endpoints", client.pk)


@login_required
@require_POST
def delivery_replay(
    request: HttpRequest, client_id: int, endpoint_id: int, delivery_id: int
) -> HttpResponse:
    client = _client(request, client_id)
    hook = _endpoint(client, endpoint_id)
    delivery = Delivery.objects.filter(endpoint=hook, pk=delivery_id).first()
    if delivery is None:
        raise Http404(_("No such delivery."))
    try:
        services.delivery_replay(delivery=delivery, by=signed_in_user(request))
    except Conflict as conflict:
        return _render_endpoint(request, client, hook, status=409, conflict=conflict.message)
    messages.success(
        request,
        _("Message %(message_id)s queued to be sent again.") % {"message_id": delivery.message_id},
    )
    return redirect("webhooks:endpoint", client.pk, hook.pk)
