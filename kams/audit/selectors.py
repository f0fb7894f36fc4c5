from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from kams.audit.models import AuditEntry


def audit_entries_for(user: Any) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.visible_to(user).select_related("org_unit")


def history_of(user: Any, target: Any, limit: int = 50) -> list[AuditEntry]:
    """The latest changes of one record, as far as ``user`` may see them, personal data
    masked for readers who may not see it."""
    from kams.audit.masking import for_reader

    entries = audit_entries_for(user).filter(target_type=target._meta.label_lower, target_id=str(target.pk))[:limit]
    return for_reader(entries, user)


def activity_by_day(user: Any, since) -> list[dict]:
    return list(
        AuditEntry.objects.visible_to(user)
        .filter(at__gte=since)
        .annotate(day=TruncDate("at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
