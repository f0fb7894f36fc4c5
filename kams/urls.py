from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from kams.access.views import TokenView
from kams.audit.api import AuditEntryViewSet
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

admin.site.site_header = "KAMS"

urlpatterns = [
    path("", include("kams.web.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("kams.access.urls")),
    path("org/", include("kams.org.urls")),
    path("audit/", include("kams.audit.urls")),
    path("system/", include("kams.system.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
