"""Pages of the case record. The REST API lives in records.api."""

from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("cases/<int:case_id>/notes/", views.notes, name="notes"),
    path("cases/<int:case_id>/notes/<int:note_id>/edit/", views.note_edit, name="note-edit"),
    path("cases/<int:case_id>/documents/", views.documents, name="documents"),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/download/",
        views.document_download,
        name="document-download",
    ),
    path("cases/<int:case_id>/discovery/", views.discovery, name="discovery"),
    path("cases/<int:case_id>/discovery/index/", views.discovery_index, name="discovery-index"),
]
