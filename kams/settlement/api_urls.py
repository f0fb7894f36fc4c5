from rest_framework.routers import DefaultRouter

from kams.settlement import api

app_name = "settlement_api"
router = DefaultRouter()
router.register("schemes", api.SchemeViewSet, basename="scheme")
router.register("runs", api.RunViewSet, basename="run")
router.register("bills", api.BillViewSet, basename="bill")
urlpatterns = router.urls
