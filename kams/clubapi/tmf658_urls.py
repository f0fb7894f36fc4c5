"""TMF658 Loyalty Management v4 under its specification's basePath (this module is included
at ``tmf-api/loyalty/v4/``). See ``kams.clubapi.tmf658``."""

from kams.clubapi.tmf658 import (
    TMFLoyaltyAccountViewSet,
    TMFLoyaltyBalanceViewSet,
    TMFLoyaltyProgramMemberViewSet,
    TMFLoyaltyRuleViewSet,
)
from kams.tmf.routers import TMFRouter

app_name = "tmf658"
router = TMFRouter()
router.register("loyaltyProgramMember", TMFLoyaltyProgramMemberViewSet, basename="loyaltyProgramMember")
router.register("loyaltyAccount", TMFLoyaltyAccountViewSet, basename="loyaltyAccount")
router.register("loyaltyBalance", TMFLoyaltyBalanceViewSet, basename="loyaltyBalance")
router.register("loyaltyRule", TMFLoyaltyRuleViewSet, basename="loyaltyRule")
urlpatterns = [*router.urls]
