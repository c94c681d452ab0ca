from rest_framework.routers import SimpleRouter

from cases.api import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("charges", views.ChargeViewSet, basename="charge")
router.register("statutes", views.StatuteViewSet, basename="statute")
router.register("courts", views.CourtViewSet, basename="court")
router.register("jurisdictions", views.JurisdictionViewSet, basename="jurisdiction")

urlpatterns = router.urls
