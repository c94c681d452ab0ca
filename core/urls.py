from django.urls import include, path

from accounts import views as account_views
from core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Password, then a one-time code where one is due (accounts.mfa); failures lock out.
    path("login/", account_views.SignInView.as_view(), name="login"),
    # Django's LogoutView accepts POST only: a link or a prefetch cannot sign anyone out.
    path("logout/", account_views.SignOutView.as_view(), name="logout"),
    path("", include("accounts.urls")),
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
