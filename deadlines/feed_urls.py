"""iCalendar feed addresses (secret-token URLs) and the page that manages them."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
