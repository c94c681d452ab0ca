"""iCalendar feed addresses (secret-token URLs) and the page that manages them."""

from django.urls import URLPattern, path, re_path

from deadlines import feed_views

urlpatterns: list[URLPattern] = [
    # secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]{20,128})\.ics$",
        feed_views.feed_ics,
        name="feed-ics",
    ),
    path("calendar/feeds/", feed_views.feeds_page, name="feeds"),
    path("calendar/feeds/new/", feed_views.feed_create, name="feed-create"),
    path("calendar/feeds/<int:feed_id>/rotate/", feed_views.feed_rotate, name="feed-rotate"),
    path("calendar/feeds/<int:feed_id>/revoke/", feed_views.feed_revoke, name="feed-revoke"),
]
