"""Court-date pages. The calendar feeds have their own module; the REST API is deadlines.api."""

from django.urls import URLPattern, URLResolver, include, path

from deadlines import views

app_name = "deadlines"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("deadlines.feed_urls")),
    path("docket/", views.docket, name="docket"),
    path("cases/<int:case_id>/hearings/new/", views.hearing_schedule, name="hearing-new"),
    path("hearings/<int:hearing_id>/", views.hearing_detail, name="hearing"),
    path(
        "hearings/<int:hearing_id>/reschedule/",
        views.hearing_reschedule,
        name="hearing-reschedule",
    ),
    path("hearings/<int:hearing_id>/edit/", views.hearing_edit, name="hearing-edit"),
    path("hearings/<int:hearing_id>/cancel/", views.hearing_cancel, name="hearing-cancel"),
    path("hearings/<int:hearing_id>/held/", views.hearing_mark_held, name="hearing-held"),
    path("cases/<int:case_id>/deadlines/new/", views.deadline_add, name="deadline-new"),
    path(
        "cases/<int:case_id>/deadlines/preview/",
        views.deadline_rule_preview,
        name="deadline-preview",
    ),
    path("deadlines/<int:deadline_id>/", views.deadline_detail, name="deadline"),
    path("deadlines/<int:deadline_id>/edit/", views.deadline_edit, name="deadline-edit"),
    path(
        "deadlines/<int:deadline_id>/override/",
        views.deadline_override,
        name="deadline-override",
    ),
    path(
        "deadlines/<int:deadline_id>/override/remove/",
        views.deadline_override_remove,
        name="deadline-override-remove",
    ),
    path("deadlines/<int:deadline_id>/met/", views.deadline_mark_met, name="deadline-met"),
    path("deadlines/<int:deadline_id>/cancel/", views.deadline_cancel, name="deadline-cancel"),
    path("deadlines/<int:deadline_id>/reopen/", views.deadline_reopen, name="deadline-reopen"),
    path("courts/<int:court_id>/closures/", views.closures, name="closures"),
    path(
        "courts/<int:court_id>/closures/<int:closure_id>/remove/",
        views.closure_remove,
        name="closure-remove",
    ),
    path("courts/<int:court_id>/courtrooms/", views.courtroom_add, name="courtroom-add"),
    path("notifications/", views.notifications, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification-read",
    ),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("settings/alerts/", views.alert_settings, name="alert-settings"),
]
