from django.contrib import admin
from django.urls import include, path

from accounts.views import admin_login

urlpatterns = [
    # The admin signs in through the site's own sign-in (lockout, second factor).
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    path("api/v1/", include("config.api_urls")),
]
