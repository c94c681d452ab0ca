"""REST API of court dates: hearings, deadlines, rules, closures, notifications, preferences."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from deadlines.api import views

router = SimpleRouter()
router.register("hearings", views.HearingViewSet, basename="hearing")
router.register("deadlines", views.DeadlineViewSet, basename="deadline")
router.register("rules", views.RuleViewSet, basename="deadline-rule")
router.register("courtrooms", views.CourtroomViewSet, basename="courtroom")
router.register("closures", views.ClosureViewSet, basename="closure")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("alert-preferences", views.AlertPreferenceViewSet, basename="alert-preference")

urlpatterns = [
    path("alert-settings/", views.AlertSettingsView.as_view(), name="alert-settings"),
    *router.urls,
]
