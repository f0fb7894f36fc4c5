"""The project's URLs (middleware reverses some of them) plus the test-only TMF API."""

from django.urls import include, path

from kams.tmf.routers import tmf_api_path
from kams.tmf.tests.resources import ReadOnlyUnitViewSet, UnitViewSet

urlpatterns = [
    tmf_api_path(
        "tmf-api/testManagement/v4/",
        {"unit": UnitViewSet, "readOnlyUnit": ReadOnlyUnitViewSet},
        namespace="tmftest",
    ),
    path("", include("kams.urls")),
]
