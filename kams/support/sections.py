"""The customer 360 section of service support: the customer's lines with their class and
open faults, and the latest consultations."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.customers.overview import Section, register_section
from kams.support.models import Consultation, CustomerLine
from kams.support.selectors import fault_sla, faults_with_times


def support_section(user: Any, customer: Any) -> dict | None:
    see_lines = user.has_perm("support.view_customerline")
    see_consultations = user.has_perm("support.view_consultation")
    if not (see_lines or see_consultations):
        return None
    lines, consultations = [], []
    if see_lines:
        for line in CustomerLine.objects.visible_to(user).filter(customer=customer).select_related("service_class"):
            open_faults = [fault_sla(f) for f in faults_with_times(line.faults.filter(restored_at__isnull=True).exclude(case__status="closed"))]
            lines.append({
                "line_no": line.line_no, "type": str(line.get_line_type_display()), "class": line.service_class.code,
                "bandwidth_mbps": line.bandwidth_mbps, "a_end": line.a_end, "z_end": line.z_end,
                "network_element": line.network_element, "status": str(line.get_status_display()),
                "open_faults": len(open_faults), "breached": sum(1 for f in open_faults if f.breached),
                "url": reverse("support:line", args=[line.pk]),
            })
    if see_consultations:
        for c in Consultation.objects.visible_to(user).filter(customer=customer).select_related("answered_by")[:5]:
            consultations.append({
                "asked_at": timezone.localtime(c.asked_at).isoformat(), "channel": str(c.get_channel_display()),
                "topic": str(c.get_topic_display()), "content": c.content[:120], "answer": c.answer[:120],
                "satisfaction": str(c.get_answer_satisfaction_display()) if c.answer_satisfaction else "",
            })
    if not lines and not consultations:
        return None
    return {
        "lines": lines,
        "consultations": consultations,
        "lines_url": reverse("support:lines") + f"?q={customer.code}" if see_lines else None,
        "consultations_url": reverse("support:consultations") + f"?q={customer.code}" if see_consultations else None,
        "new_consultation_url": reverse("support:consultations") + f"?customer={customer.pk}#quick-entry"
        if user.has_perm("support.add_consultation") else None,
    }


register_section(Section("support", _("Lines and consultations"), 47, support_section, "support/section_support.html"))
