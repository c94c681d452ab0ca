"""REST API of docket sync."""

from django.urls import path

from docketsync.api import views

urlpatterns = [
    path("docket/sync/", views.DocketSyncView.as_view(), name="docket-sync"),
    path("docket/jobs/", views.DocketJobsView.as_view(), name="docket-jobs"),
    path("docket/jobs/<int:pk>/", views.DocketJobView.as_view(), name="docket-job"),
]
