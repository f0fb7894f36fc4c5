from rest_framework.routers import DefaultRouter

from kams.resources import api

app_name = "resources_api"
router = DefaultRouter()
router.register("items", api.ItemViewSet, basename="resourceitem")
router.register("pickups", api.PickupOrderViewSet, basename="pickuporder")
router.register("returns", api.ReturnViewSet, basename="resourcereturn")
router.register("transfers", api.AgentTransferViewSet, basename="agenttransfer")
router.register("fee-adjustments", api.FeeAdjustmentViewSet, basename="feeadjustment")
router.register("stock", api.StockViewSet, basename="resourcestock")
router.register("movements", api.MovementViewSet, basename="movement")
urlpatterns = [*router.urls]
