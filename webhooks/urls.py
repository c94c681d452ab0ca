"""Pages of webhooks, under the API client they belong to. The REST API is in webhooks.api."""

from django.urls import path

from webhooks import views

app_name = "webhooks"

BASE = "integrations/clients/<int:client_id>/webhooks/"

urlpatterns = [
    path(BASE, views.endpoints, name="endpoints"),
    path(f"{BASE}<int:endpoint_id>/", views.endpoint, name="endpoint"),
    path(f"{BASE}<int:endpoint_id>/rotate/", views.endpoint_rotate, name="endpoint-rotate"),
    path(f"{BASE}<int:endpoint_id>/enable/", views.endpoint_enable, name="endpoint-enable"),
    path(f"{BASE}<int:endpoint_id>/disable/", views.endpoint_disable, name="endpoint-disable"),
    path(f"{BASE}<int:endpoint_id>/delete/", views.endpoint_delete, name="endpoint-delete"),
    path(
        f"{BASE}<int:endpoint_id>/deliveries/<int:delivery_id>/replay/",
        views.delivery_replay,
        name="delivery-replay",
    ),
]
