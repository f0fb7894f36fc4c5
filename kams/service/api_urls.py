from django.urls import path
from rest_framework.routers import DefaultRouter

from kams.service import api

router = DefaultRouter()
router.register("cases", api.CaseViewSet, basename="service-case")
router.register("work-items", api.WorkItemViewSet, basename="service-workitem")
router.register("processes", api.DefinitionViewSet, basename="service-process")
urlpatterns = [
    path("board/", api.BoardView.as_view(), name="service-board"),
    path("on-time/", api.StatsView.as_view(), name="service-on-time"),
    *router.urls,
]
