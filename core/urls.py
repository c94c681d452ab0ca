from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    # Django's LogoutView accepts POST only: a link or a prefetch cannot sign anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("", include("cases.urls")),
    path("", include("negotiations.urls")),
    path("", include("deadlines.urls")),
    path("", include("records.urls")),
    path("", include("audit.urls")),
    path("", include("docketsync.urls")),
    path("", include("integrations.urls")),
    path("", include("webhooks.urls")),
]
