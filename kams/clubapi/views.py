"""The club staff's page of headquarters requests (CLUB-21): what other provinces asked about
this province's members through headquarters, and what was answered."""

from __future__ import annotations

import json

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from kams.clubapi import selectors
from kams.clubapi.filters import HqRequestFilter
from kams.clubapi.models import HqRequest
from kams.web.lists import ListPage

VIEW_PERMISSION = "clubapi.view_hqrequest"


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # an app not installed in this deployment
        return None


class HqRequestListPage(ListPage):
    """总部转发请求: every request headquarters relayed, with filters and the Excel export."""

    permission_required = VIEW_PERMISSION
    model = HqRequest
    title = _("Headquarters requests")
    filterset_class = HqRequestFilter
    export_name = "hq-requests"
    sort_fields = {"received": "received_at", "kind": "kind", "status": "status"}
    default_sort = "-received"
    columns = [
        (_("Request id"), lambda r: r.request_id),
        (_("Received at"), lambda r: r.received_at),
        (_("Kind"), lambda r: r.get_kind_display()),
        (_("Visited province"), lambda r: r.visited_province),
        (_("Card number"), lambda r: r.card_no),
        (_("Member"), lambda r: f"{r.member.member_no} {r.member.name}" if r.member else ""),
        (_("Level"), lambda r: r.member.level.name if r.member else ""),
        (_("Status"), lambda r: r.get_status_display()),
        (_("Refusal code"), lambda r: r.error_code),
        (_("Message"), lambda r: r.message),
        (_("Service case"), lambda r: r.case.number if r.case else ""),
        (_("Answered at"), lambda r: r.answered_at),
    ]

    def get_queryset(self):
        return selectors.hq_requests_for(self.request.user)

    def row_url(self, row):
        return reverse("clubhq:request", args=[row.pk])


class HqRequestDetailPage(PermissionRequiredMixin, TemplateView):
    """One request: what headquarters sent and what this province answered."""

    permission_required = VIEW_PERMISSION
    template_name = "clubapi/hq_request.html"

    def get_context_data(self, **kwargs):
        record = selectors.hq_request_get(self.request.user, self.kwargs["pk"])
        return super().get_context_data(
            title=str(record), record=record,
            payload=json.dumps(record.payload, ensure_ascii=False, indent=2),
            result=json.dumps(record.result, ensure_ascii=False, indent=2),
            member_url=_url("club:member", record.member_id) if record.member_id else None,
            case_url=_url("service:case", record.case.number) if record.case_id else None,
            auth_url=reverse("clubhq:request", args=[record.auth_request_id]) if record.auth_request_id else None,
            **kwargs,
        )
