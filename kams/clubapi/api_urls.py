"""The headquarters link (CLUB-21), included at ``api/v1/club/hq/``."""

from django.urls import path

from kams.clubapi.hq_api import HqRequestView

app_name = "clubhq_api"
urlpatterns = [path("requests/", HqRequestView.as_view(), name="requests")]
