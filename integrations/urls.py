"""Pages of integrations. The REST API lives in integrations.api."""

from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("integrations/clients/", views.clients, name="clients"),
    path("integrations/clients/<int:client_id>/", views.client, name="client"),
    path("integrations/clients/<int:client_id>/revoke/", views.client_revoke, name="client-revoke"),
    path(
        "integrations/clients/<int:client_id>/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="token-revoke",
    ),
]
