from django.urls import path
from rest_framework.routers import DefaultRouter

from kams.partners import api

app_name = "partners_api"
router = DefaultRouter()
router.register("partners", api.PartnerViewSet, basename="partner")
router.register("agreements", api.AgreementViewSet, basename="agreement")
router.register("activities", api.ActivityViewSet, basename="activity")
router.register("outlets", api.OutletViewSet, basename="outlet")
router.register("services", api.PartnerServiceViewSet, basename="service")
router.register("coupon-batches", api.CouponBatchViewSet, basename="couponbatch")
router.register("coupons", api.CouponViewSet, basename="coupon")
router.register("exchanges", api.ExchangeViewSet, basename="exchange")
router.register("exchange-files", api.ExchangeImportViewSet, basename="exchangeimport")
router.register("settlements", api.SettlementViewSet, basename="settlement")
router.register("indicators", api.IndicatorViewSet, basename="indicator")
router.register("appraisals", api.AppraisalViewSet, basename="appraisal")
urlpatterns = [
    # Before the router: these names would otherwise be read as record ids.
    path("exchanges/inbound/", api.InboundExchangeView.as_view(), name="exchange_inbound"),
    path("coupons/redeem/", api.CouponRedeemView.as_view(), name="coupon_redeem"),
    path("statistics/", api.StatisticsView.as_view(), name="statistics"),
    *router.urls,
]
