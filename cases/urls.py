"""Case pages. The REST API lives in cases.api.urls."""

from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_open, name="open"),
    path("cases/<int:case_id>/", views.case_detail, name="detail"),
    path("cases/<int:case_id>/edit/", views.case_update, name="update"),
    path("cases/<int:case_id>/status/", views.case_transition, name="transition"),
    path("cases/<int:case_id>/charges/", views.charge_add, name="charge-add"),
    path("cases/<int:case_id>/participants/", views.participant_add, name="participant-add"),
    path(
        "cases/<int:case_id>/participants/people/",
        views.participant_people,
        name="participant-people",
    ),
    path(
        "cases/<int:case_id>/participants/defendants/",
        views.participant_defendants,
        name="participant-defendants",
    ),
    path(
        "cases/<int:case_id>/participants/<int:participant_id>/end/",
        views.participant_end,
        name="participant-end",
    ),
]
