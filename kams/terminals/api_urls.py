from rest_framework.routers import DefaultRouter

from kams.terminals import api

app_name = "terminals_api"
router = DefaultRouter()
router.register("models", api.HandsetModelViewSet, basename="handsetmodel")
router.register("levels", api.SubsidyLevelViewSet, basename="subsidylevel")
router.register("sales", api.SaleViewSet, basename="subsidisedsale")
router.register("imports", api.ObservationImportViewSet, basename="observationimport")
router.register("flags", api.AnomalyViewSet, basename="anomaly")
urlpatterns = [*router.urls]
