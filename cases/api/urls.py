from rest_framework.routers import SimpleRouter

from cases.api import party_views, views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("charges", views.ChargeViewSet, basename="charge")
router.register("statutes", views.StatuteViewSet, basename="statute")
router.register("courts", views.CourtViewSet, basename="court")
router.register("jurisdictions", views.JurisdictionViewSet, basename="jurisdiction")
router.register("defendants", party_views.DefendantViewSet, basename="defendant")
router.register("participants", party_views.ParticipantViewSet, basename="participant")

urlpatterns = router.urls
