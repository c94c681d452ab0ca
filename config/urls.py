from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from accounts.views import admin_login
from cases import views as case_views

urlpatterns = [
    # The admin signs in through the site's own sign-in (lockout, second factor).
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    # Password, then a one-time code where one is due (accounts.mfa); failures lock out.
    path("login/", account_views.SignInView.as_view(), name="login"),
    # Django's LogoutView accepts POST only: a link or a prefetch cannot sign anyone out.
    path("logout/", account_views.SignOutView.as_view(), name="logout"),
    path("", include("accounts.urls")),
    path("", case_views.dashboard, name="dashboard"),
    path("", include("cases.urls")),
    path("", include("negotiations.urls")),
    path("", include("deadlines.urls")),
    path("", include("records.urls")),
    path("", include("audit.urls")),
    path("", include("docketsync.urls")),
    path("", include("integrations.urls")),
    path("", include("webhooks.urls")),
    path("api/v1/", include("config.api_urls")),
]
