"""Version 1 of the REST API. Every endpoint is described at /api/v1/schema/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from core.api.schema_view import SchemaView
from core.api.views import not_found

urlpatterns = [
    path("", include("cases.api.urls")),
    path("", include("parties.api.urls")),
    path("", include("negotiations.api.urls")),
    path("", include("deadlines.api.urls")),
    path("", include("records.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("docketsync.api.urls")),
    path("", include("accounts.api.urls")),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # Its script is a file of its own (?script), not inline: the page works under the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    # Last: any other API path ending in "/" gets a JSON 404, not the site's HTML page.
    re_path(r"^.*/$", not_found),
]
