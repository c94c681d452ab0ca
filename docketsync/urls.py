"""Court staff pages of docket sync. The REST API is docketsync.api."""

from django.urls import path

from docketsync import views

app_name = "docketsync"

urlpatterns = [
    path("courts/<int:court_id>/docket-sync/", views.docket_sync, name="sync"),
    path("courts/<int:court_id>/docket-sync/apply/", views.docket_sync_apply, name="apply"),
    path("courts/<int:court_id>/docket-sync/template.csv", views.csv_template, name="template"),
    path("courts/<int:court_id>/docket-sync/jobs/<int:job_id>/", views.docket_sync_job, name="job"),
    path(
        "courts/<int:court_id>/docket-sync/jobs/<int:job_id>/apply/",
        views.docket_sync_job_apply,
        name="job_apply",
    ),
]
