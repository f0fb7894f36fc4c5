from django.urls import path
from rest_framework.routers import DefaultRouter

from kams.club import api, api_members

app_name = "club_api"
router = DefaultRouter()
router.register("redemptions", api.RedemptionViewSet, basename="redemption")
router.register("entries", api.PointsEntryViewSet, basename="pointsentry")
router.register("adjustments", api.AdjustmentViewSet, basename="pointsadjustment")
router.register("rules", api.PointsRuleViewSet, basename="pointsrule")
router.register("expiry-rules", api.ExpiryRuleViewSet, basename="expiryrule")
router.register("items", api.RedemptionItemViewSet, basename="redemptionitem")
router.register("redemption-rules", api.RedemptionRuleViewSet, basename="redemptionrule")
router.register("runs", api.PointsRunViewSet, basename="pointsrun")
router.register("channels", api.RedemptionChannelViewSet, basename="redemptionchannel")
api_members.register(router)
urlpatterns = [
    path("cards/<str:card_no>/", api.CardSummaryView.as_view(), name="card_summary"),
    *router.urls,
]
