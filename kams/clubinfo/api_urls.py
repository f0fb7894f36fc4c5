from rest_framework.routers import DefaultRouter

from kams.clubinfo import api

app_name = "clubinfo_api"
router = DefaultRouter()
router.register("standards", api.StandardViewSet, basename="standard")
router.register("services", api.ServiceContentViewSet, basename="servicecontent")
router.register("outlets", api.OutletViewSet, basename="outlet")
router.register("activities", api.ActivityViewSet, basename="activity")
router.register("registrations", api.RegistrationViewSet, basename="registration")
router.register("consultations", api.ConsultationViewSet, basename="consultation")
router.register("care", api.CareViewSet, basename="care")
router.register("gifts", api.GiftViewSet, basename="gift")
router.register("indicators", api.IndicatorViewSet, basename="indicator")
router.register("evaluations", api.EvaluationViewSet, basename="evaluation")
router.register("announcements", api.AnnouncementViewSet, basename="announcement")
urlpatterns = [*router.urls]
