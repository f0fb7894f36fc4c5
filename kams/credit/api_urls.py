from rest_framework.routers import DefaultRouter

from kams.credit.api import (
    AccountCreditViewSet,
    CreditChangeViewSet,
    CreditExportViewSet,
    CreditStandardViewSet,
    InitialGradeRuleViewSet,
)

router = DefaultRouter()
router.register("accounts", AccountCreditViewSet, basename="accountcredit")
router.register("changes", CreditChangeViewSet, basename="creditchange")
router.register("standards", CreditStandardViewSet, basename="creditstandard")
router.register("initial-rules", InitialGradeRuleViewSet, basename="initialgraderule")
router.register("export", CreditExportViewSet, basename="creditexport")
urlpatterns = router.urls
