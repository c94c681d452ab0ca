"""REST API of the case record: notes, documents and the discovery log."""

from rest_framework.routers import SimpleRouter

from records.api import views

router = SimpleRouter()
router.register("notes", views.NoteViewSet, basename="note")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("disclosures", views.DisclosureViewSet, basename="disclosure")

urlpatterns = router.urls
