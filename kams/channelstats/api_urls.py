from django.urls import path
from rest_framework.routers import DefaultRouter

from kams.channelstats import api

app_name = "channelstats_api"
router = DefaultRouter()
router.register("models", api.EvaluationModelViewSet, basename="model")
router.register("runs", api.RunViewSet, basename="run")
router.register("scores", api.ManualScoreViewSet, basename="score")
router.register("exports", api.ExportViewSet, basename="export")
urlpatterns = [
    path("reports/<slug:slug>/", api.ReportView.as_view(), name="report"),
    *router.urls,
]
