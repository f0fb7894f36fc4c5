from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from kams.audit.models import AuditEntry


def audit_entries_for(user: Any) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.visible_to(user).select_related("org_unit")


def history_of(user: Any, target: Any) -> QuerySet[AuditEntry]:
    """The change history of one record, as far as ``user`` may see it."""
    return audit_entries_for(user).filter(target_type=target._meta.label_lower, target_id=str(target.pk))


def activity_by_day(user: Any, since) -> list[dict]:
    return list(
        AuditEntry.objects.visible_to(user)
        .filter(at__gte=since)
        .annotate(day=TruncDate("at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
