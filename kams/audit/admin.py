from django.contrib import admin

from kams.audit.models import AuditEntry
from kams.core.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "target_repr", "org_unit"]
    list_filter = ["action"]
    search_fields = ["actor_name", "action", "target_repr", "target_id"]
    date_hierarchy = "at"
