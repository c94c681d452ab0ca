"""REST API of court dates: hearings, deadlines, rules, closures, notifications, preferences."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
