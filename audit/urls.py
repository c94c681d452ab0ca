"""The case history page and its exports."""

from django.urls import URLPattern, path

from audit import views

app_name = "audit"

urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/history/", views.history, name="history"),
    path(
        "cases/<int:case_id>/history/export.csv",
        views.history_export_csv,
        name="history-export-csv",
    ),
    path(
        "cases/<int:case_id>/history/export.jsonl",
        views.history_export_jsonl,
        name="history-export-jsonl",
    ),
]
