from rest_framework.routers import DefaultRouter

from kams.channels import api

app_name = "channels_api"
router = DefaultRouter()
router.register("agents", api.AgentViewSet, basename="agent")
router.register("transactions", api.TransactionViewSet, basename="transaction")
urlpatterns = router.urls
