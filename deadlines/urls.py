"""Court-date pages. The calendar feeds have their own module; the REST API is deadlines.api."""

from django.urls import URLPattern, URLResolver, include, path

from deadlines.views import courts, deadlines, docket, hearings, notifications

app_name = "deadlines"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("deadlines.feed_urls")),
    path("docket/", docket.docket, name="docket"),
    path("cases/<int:case_id>/hearings/new/", hearings.hearing_schedule, name="hearing-new"),
    path("hearings/<int:hearing_id>/", hearings.hearing_detail, name="hearing"),
    path(
        "hearings/<int:hearing_id>/reschedule/",
        hearings.hearing_reschedule,
        name="hearing-reschedule",
    ),
    path("hearings/<int:hearing_id>/edit/", hearings.hearing_edit, name="hearing-edit"),
    path("hearings/<int:hearing_id>/cancel/", hearings.hearing_cancel, name="hearing-cancel"),
    path("hearings/<int:hearing_id>/held/", hearings.hearing_mark_held, name="hearing-held"),
    path("cases/<int:case_id>/deadlines/new/", deadlines.deadline_add, name="deadline-new"),
    path(
        "cases/<int:case_id>/deadlines/preview/",
        deadlines.deadline_rule_preview,
        name="deadline-preview",
    ),
    path("deadlines/<int:deadline_id>/", deadlines.deadline_detail, name="deadline"),
    path("deadlines/<int:deadline_id>/edit/", deadlines.deadline_edit, name="deadline-edit"),
    path(
        "deadlines/<int:deadline_id>/override/",
        deadlines.deadline_override,
        name="deadline-override",
    ),
    path(
        "deadlines/<int:deadline_id>/override/remove/",
        deadlines.deadline_override_remove,
        name="deadline-override-remove",
    ),
    path("deadlines/<int:deadline_id>/met/", deadlines.deadline_mark_met, name="deadline-met"),
    path("deadlines/<int:deadline_id>/cancel/", deadlines.deadline_cancel, name="deadline-cancel"),
    path("deadlines/<int:deadline_id>/reopen/", deadlines.deadline_reopen, name="deadline-reopen"),
    path("courts/<int:court_id>/closures/", courts.closures, name="closures"),
    path(
        "courts/<int:court_id>/closures/<int:closure_id>/remove/",
        courts.closure_remove,
        name="closure-remove",
    ),
    path("courts/<int:court_id>/courtrooms/", courts.courtroom_add, name="courtroom-add"),
    path("notifications/", notifications.notifications, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications-read-all",
    ),
    path("settings/alerts/", notifications.alert_settings, name="alert-settings"),
]
