"""Read-only admin pages for records whose every write goes through a domain service.

The Django admin serves reference data; records with rules and an audit trail (org units,
staff, roles, the audit log, parameters, job runs) are shown here for reference only and
changed on their KAMS pages, where the service checks scope and writes the audit log.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
