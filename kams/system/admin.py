from django.contrib import admin

from kams.core.admin import ReadOnlyAdmin
from kams.system.models import JobRun, ParameterChange, SystemParameter


@admin.register(SystemParameter)
class SystemParameterAdmin(ReadOnlyAdmin):
    list_display = ["key", "value", "updated_at", "updated_by"]


@admin.register(ParameterChange)
class ParameterChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "key", "old_value", "new_value", "changed_by", "reason"]


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "name", "state", "progress_done", "progress_total", "finished_at"]
    list_filter = ["state", "name"]
