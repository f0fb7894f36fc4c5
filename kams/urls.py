from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from kams.access.views import TokenView
from kams.audit.api import AuditEntryViewSet
from kams.billing.api import ArrearsViewSet, BillImportViewSet, BillSummaryViewSet
from kams.customers.api import (
    ContactViewSet,
    CustomerViewSet,
    ExtraAttributeViewSet,
    IndustryViewSet,
    LevelViewSet,
    MemberViewSet,
    PayingAccountViewSet,
)
from kams.customers.api_contracts import ContractViewSet
from kams.customers.api_policies import CareRecordViewSet, PreferenceViewSet
from kams.notify.api import MessageViewSet
from kams.org.api import OrgUnitViewSet, RoleViewSet, StaffViewSet
from kams.system.api import JobRunViewSet, ParameterViewSet
from kams.system.views import healthz

router = DefaultRouter()
router.register("org/units", OrgUnitViewSet, basename="orgunit")
router.register("org/staff", StaffViewSet, basename="staff")
router.register("org/roles", RoleViewSet, basename="role")
router.register("audit/entries", AuditEntryViewSet, basename="auditentry")
router.register("system/parameters", ParameterViewSet, basename="parameter")
router.register("system/jobs", JobRunViewSet, basename="jobrun")
router.register("customers/customers", CustomerViewSet, basename="customer")
router.register("customers/contracts", ContractViewSet, basename="contract")
router.register("customers/preferences", PreferenceViewSet, basename="preference")
router.register("customers/care-records", CareRecordViewSet, basename="carerecord")
router.register("notifications/messages", MessageViewSet, basename="message")
router.register("billing/imports", BillImportViewSet, basename="billimport")
router.register("billing/bills", BillSummaryViewSet, basename="billsummary")
router.register("billing/arrears", ArrearsViewSet, basename="arrears")
router.register("customers/accounts", PayingAccountViewSet, basename="payingaccount")
router.register("customers/contacts", ContactViewSet, basename="contact")
router.register("customers/members", MemberViewSet, basename="member")
router.register("customers/industries", IndustryViewSet, basename="industry")
router.register("customers/levels", LevelViewSet, basename="level")
router.register("customers/attributes", ExtraAttributeViewSet, basename="extraattribute")

admin.site.site_header = "KAMS"

urlpatterns = [
    path("", include("kams.web.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("kams.access.urls")),
    path("org/", include("kams.org.urls")),
    path("audit/", include("kams.audit.urls")),
    path("system/", include("kams.system.urls")),
    path("customers/", include("kams.customers.urls")),
    path("billing/", include("kams.billing.urls")),
    path("credit/", include("kams.credit.urls")),
    path("collection/", include("kams.collection.urls")),
    path("notifications/", include("kams.notify.urls")),
    path("service/", include("kams.service.urls")),
    path("care/", include("kams.care.urls")),
    path("support/", include("kams.support.urls")),
    path("club/cards/", include("kams.cards.urls")),
    path("club/info/", include("kams.clubinfo.urls")),
    path("club/stats/", include("kams.clubstats.urls")),
    path("club/partners/", include("kams.partners.urls")),
    path("club/hq/", include("kams.clubapi.urls")),
    path("club/", include("kams.club.urls")),
    path("terminals/", include("kams.terminals.urls")),
    path("channels/settlement/", include("kams.settlement.urls")),
    path("channels/stats/", include("kams.channelstats.urls")),
    path("channels/returns/", include("kams.returnforms.urls")),
    path("channels/", include("kams.channels.urls")),
    path("resources/", include("kams.resources.urls")),
    path("m/", include("kams.portal.urls")),
    path("api/v1/credit/", include("kams.credit.api_urls")),
    path("api/v1/collection/", include("kams.collection.api_urls")),
    path("api/v1/service/", include("kams.service.api_urls")),
    path("api/v1/care/", include("kams.care.api_urls")),
    path("api/v1/support/", include("kams.support.api_urls")),
    path("api/v1/club/cards-admin/", include("kams.cards.api_urls")),
    path("api/v1/club/info/", include("kams.clubinfo.api_urls")),
    path("api/v1/club/stats/", include("kams.clubstats.api_urls")),
    path("api/v1/club/partners/", include("kams.partners.api_urls")),
    path("api/v1/club/hq/", include("kams.clubapi.api_urls")),
    path("api/v1/club/", include("kams.club.api_urls")),
    path("api/v1/terminals/", include("kams.terminals.api_urls")),
    path("api/v1/channels/settlement/", include("kams.settlement.api_urls")),
    path("api/v1/channels/stats/", include("kams.channelstats.api_urls")),
    path("api/v1/channels/returns/", include("kams.returnforms.api_urls")),
    path("api/v1/channels/", include("kams.channels.api_urls")),
    path("api/v1/resources/", include("kams.resources.api_urls")),
    path("tmf-api/troubleTicket/v4/", include("kams.service.tmf621_urls")),
    path("tmf-api/loyalty/v4/", include("kams.clubapi.tmf658_urls")),
    path("tmf-api/resourceInventoryManagement/v4/", include("kams.resourceapi.tmf639_urls")),
    path("tmf-api/", include("kams.customers.tmf_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    # The customer 360 view at the short address the API's users know (CUS-11).
    path("api/v1/customers/<int:pk>/overview/", CustomerViewSet.as_view({"get": "overview"}), name="customer-overview-short"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
