from django.urls import path
from rest_framework.routers import DefaultRouter

from kams.clubstats import api

app_name = "clubstats_api"
router = DefaultRouter()
router.register("schemes", api.PointsSchemeViewSet, basename="pointsscheme")
router.register("forecasts", api.PointsSchemeForecastViewSet, basename="pointsschemeforecast")
urlpatterns = [
    *router.urls,
    path("<slug:name>/", api.StatisticView.as_view(), name="statistic"),
]
