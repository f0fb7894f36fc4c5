from rest_framework.routers import DefaultRouter

from kams.cards import api

app_name = "cards_api"
router = DefaultRouter()
router.register("cards", api.CardAdminViewSet, basename="card")
router.register("ranges", api.BlankRangeViewSet, basename="blankrange")
router.register("moves", api.BlankMoveViewSet, basename="blankmove")
router.register("stocktakes", api.StocktakeViewSet, basename="stocktake")
urlpatterns = [*router.urls]
