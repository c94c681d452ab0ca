"""REST API of integrations: the change feed and API clients' tokens."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from integrations.api import views

router = SimpleRouter()
router.register("api-clients", views.ApiClientViewSet, basename="api-client")

urlpatterns = [
    path("events/", views.EventFeedView.as_view(), name="event-feed"),
    *router.urls,
]
