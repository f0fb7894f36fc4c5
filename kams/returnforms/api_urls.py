from django.urls import path
from rest_framework.routers import DefaultRouter

from kams.returnforms import api

app_name = "returnforms_api"
router = DefaultRouter()
router.register("handovers", api.HandoverViewSet, basename="handover")
router.register("entries", api.FormEntryViewSet, basename="formentry")
urlpatterns = [
    # 收据证明 at its file name (no trailing slash): the router would add one.
    path("handovers/<int:pk>/receipt.pdf", api.HandoverViewSet.as_view({"get": "receipt"}), name="handover-receipt"),
    *router.urls,
]
