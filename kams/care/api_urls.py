from django.urls import path
from rest_framework.routers import DefaultRouter

from kams.care import api

app_name = "care_api"
router = DefaultRouter()
router.register("plans", api.VisitPlanViewSet, basename="visitplan")
router.register("visits", api.VisitViewSet, basename="visit")
router.register("quick-steps", api.QuickStepViewSet, basename="quickstep")
router.register("rules", api.CareRuleViewSet, basename="carerule")
router.register("gifts", api.GiftViewSet, basename="gift")
router.register("stock", api.GiftStockViewSet, basename="giftstock")
router.register("moves", api.GiftMoveViewSet, basename="giftmove")
router.register("proposals", api.CareProposalViewSet, basename="careproposal")
router.register("actions", api.CareActionViewSet, basename="careaction")
urlpatterns = [
    path("visit-statistics/", api.VisitStatisticsView.as_view(), name="visit_statistics"),
    *router.urls,
]
