"""REST API of one's own sign-in: tokens."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import views

router = SimpleRouter()
router.register("auth/tokens", views.PersonalTokenViewSet, basename="personal-token")

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="api-token"),
    path("auth/language/", views.LanguagePreferenceView.as_view(), name="api-language"),
    *router.urls,
]
