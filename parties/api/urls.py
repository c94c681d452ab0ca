from rest_framework.routers import SimpleRouter

from parties.api import views

router = SimpleRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("defendants", views.DefendantViewSet, basename="defendant")
router.register("participants", views.ParticipantViewSet, basename="participant")

urlpatterns = router.urls
