"""The record of headquarters' requests (CLUB-21, HQ-02).

``HqRequest`` — every request headquarters relays to this province for one of its members
(authentication, points query, redemption, data change, service request): who asked (the
visited province), about which card, what, and what this province answered. The request id
is headquarters' own and unique: the same id again gets the recorded answer, never a second
processing. The rest of this app's interfaces (TMF658) keep nothing of their own.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kams.clubapi.enums import HqKind, HqStatus
from kams.org.scoping import ScopedQuerySet, ScopeSpec


class HqRequest(models.Model):
    """总部转发的会员认证与业务受理请求 — one request relayed by headquarters and its answer."""

    request_id = models.CharField(_("request id"), max_length=64, unique=True,
                                  help_text=_("Headquarters' id of the request; the same id is answered once."))
    kind = models.CharField(_("kind"), max_length=16, choices=HqKind.choices, db_index=True)
    visited_province = models.CharField(_("visited province"), max_length=10, blank=True,
                                        help_text=_("Code of the province where the member is being served."))
    card_no = models.CharField(_("card number"), max_length=20, blank=True, db_index=True)
    member = models.ForeignKey("club.ClubMember", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="hq_requests", verbose_name=_("member"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"),
                                 help_text=_("The member's customer's unit; the province for an unknown card."))
    auth_request = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("authentication"))
    payload = models.JSONField(_("request"), default=dict, blank=True)
    body_sha256 = models.CharField(max_length=64, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=HqStatus.choices, db_index=True)
    result = models.JSONField(_("answer"), default=dict, blank=True)
    error_code = models.CharField(_("refusal code"), max_length=40, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    case = models.ForeignKey("service.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("service case"))
    received_at = models.DateTimeField(_("received at"), db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("headquarters request")
        verbose_name_plural = _("headquarters requests")
        indexes = [models.Index(fields=["card_no", "kind", "received_at"])]

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_kind_display()}"
