"""The TM Forum Open APIs of the customer domain, each under its specification's basePath
(this module is included at ``tmf-api/``). See ``kams.customers.tmf`` and
``docs/tmf-mapping.md``."""

from kams.customers.tmf import (
    TMFAgreementViewSet,
    TMFBillingAccountViewSet,
    TMFCustomerViewSet,
    TMFIndividualViewSet,
    TMFOrganizationViewSet,
)
from kams.tmf.routers import tmf_api_path

urlpatterns = [
    tmf_api_path("customerManagement/v4/", {"customer": TMFCustomerViewSet}, namespace="tmf629"),
    tmf_api_path(
        "party/v4/", {"organization": TMFOrganizationViewSet, "individual": TMFIndividualViewSet}, namespace="tmf632"
    ),
    tmf_api_path("accountManagement/v4/", {"billingAccount": TMFBillingAccountViewSet}, namespace="tmf666"),
    tmf_api_path("agreementManagement/v4/", {"agreement": TMFAgreementViewSet}, namespace="tmf651"),
]
