from rest_framework.routers import DefaultRouter

from kams.collection import api

router = DefaultRouter()
router.register("rules", api.AdmissionRuleViewSet, basename="collection-rule")
router.register("candidates", api.CandidateViewSet, basename="collection-candidate")
router.register("duplicates", api.DuplicatePairViewSet, basename="collection-duplicate")
router.register("first-contacts", api.FirstContactTaskViewSet, basename="collection-first-contact")
urlpatterns = router.urls
