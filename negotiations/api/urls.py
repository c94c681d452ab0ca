from rest_framework.routers import SimpleRouter

from negotiations.api import views

router = SimpleRouter()
router.register("offers", views.OfferViewSet, basename="offer")
router.register("suggestions", views.SuggestionViewSet, basename="suggestion")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("complex-marks", views.ComplexCaseMarkViewSet, basename="complex-mark")
router.register(
    "rights-explanations", views.RightsExplanationViewSet, basename="rights-explanation"
)

urlpatterns = router.urls
