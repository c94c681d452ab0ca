from rest_framework.routers import SimpleRouter

from parties.api import views

router = SimpleRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")

urlpatterns = router.urls
