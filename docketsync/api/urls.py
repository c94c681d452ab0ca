"""REST API of docket sync."""

from django.urls import path

from docketsync.api import views

urlpatterns = [
    path("docket/sync/", views.DocketSyncView.as_view(), name="docket-sync"),
]
