"""Court-date pages. The calendar feeds have their own module; the REST API is deadlines.api."""

from django.urls import URLPattern, URLResolver, include, path

app_name = "deadlines"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("deadlines.feed_urls")),
]
