"""TMF639 Resource Inventory Management v4 under its specification's basePath (this module is
included at ``tmf-api/resourceInventoryManagement/v4/``). See ``kams.resourceapi.tmf639``."""

from kams.resourceapi.tmf639 import TMFLogicalResourceViewSet, TMFPhysicalResourceViewSet, TMFResourceViewSet
from kams.tmf.routers import TMFRouter

app_name = "tmf639"
router = TMFRouter()
router.register("resource", TMFResourceViewSet, basename="resource")
router.register("logicalResource", TMFLogicalResourceViewSet, basename="logicalResource")
router.register("physicalResource", TMFPhysicalResourceViewSet, basename="physicalResource")
urlpatterns = [*router.urls]
