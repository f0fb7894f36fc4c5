from django.db.models import QuerySet

from kams.system.models import JobRun, ParameterChange


def parameter_changes(key: str | None = None) -> QuerySet[ParameterChange]:
    changes = ParameterChange.objects.select_related("changed_by")
    return changes.filter(key=key) if key else changes


def recent_jobs(limit: int = 10) -> QuerySet[JobRun]:
    return JobRun.objects.all()[:limit]
