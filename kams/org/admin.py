from django.contrib import admin

from kams.core.admin import ReadOnlyAdmin
from kams.org.models import OrgUnit, Role, Staff


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "depth", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Staff)
class StaffAdmin(ReadOnlyAdmin):
    list_display = ["employee_no", "name", "org_unit", "is_active"]
    list_filter = ["is_active", "roles"]
    search_fields = ["employee_no", "name", "user__username"]


@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "data_scope", "is_system"]
