from rest_framework.routers import DefaultRouter

from kams.support import api

router = DefaultRouter()
router.register("templates", api.SolutionTemplateViewSet, basename="solutiontemplate")
router.register("solutions", api.TechnicalSolutionViewSet, basename="technicalsolution")
router.register("records", api.ProjectRecordViewSet, basename="projectrecord")
router.register("quality/indicators", api.QualityIndicatorViewSet, basename="qualityindicator")
router.register("quality/assessments", api.QualityAssessmentViewSet, basename="qualityassessment")
router.register("consultations", api.ConsultationViewSet, basename="consultation")
router.register("service-classes", api.ServiceClassViewSet, basename="serviceclass")
router.register("lines", api.CustomerLineViewSet, basename="customerline")
router.register("line-checks", api.LineCheckViewSet, basename="linecheck")
router.register("faults", api.LineFaultViewSet, basename="linefault")
router.register("notices", api.CutoverNoticeViewSet, basename="cutovernotice")
router.register("impacts", api.CutoverImpactViewSet, basename="cutoverimpact")
router.register("emergency-steps", api.EmergencyStepViewSet, basename="emergencystep")
urlpatterns = router.urls
