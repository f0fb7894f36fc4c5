"""Reads of the headquarters requests (scoped to the reader)."""

from typing import Any

from django.db.models import QuerySet

from kams.clubapi.models import HqRequest


def hq_requests_for(user: Any) -> QuerySet[HqRequest]:
    return HqRequest.objects.visible_to(user).select_related("member__level", "org_unit", "case")


def hq_request_get(user: Any, pk: int) -> HqRequest:
    """One request, or 404 when it is missing or outside the reader's scope."""
    return hq_requests_for(user).get_visible(user, pk=pk)
