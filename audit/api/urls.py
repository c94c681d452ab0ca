"""REST API of the case history."""

from django.urls import URLPattern, path

from audit.api import views

urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/history/", views.CaseHistoryView.as_view(), name="case-history"),
    path(
        "cases/<int:case_id>/history/export/",
        views.CaseHistoryExportView.as_view(),
        name="case-history-export",
    ),
]
