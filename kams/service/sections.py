"""The customer 360 section of this domain (issue 4 part 8): open cases and their SLA state."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kams.customers.overview import Section, register_section
from kams.service.models import ArrearsRecord, Case
from kams.service.selectors import open_cases_of_customer


def cases_section(user: Any, customer: Any) -> dict | None:
    if not user.has_perm("service.view_case"):
        return None
    rows = open_cases_of_customer(customer, user)
    arrears = list(ArrearsRecord.objects.visible_to(user).filter(customer=customer).order_by("-recorded_at")[:5])
    return {
        "open_count": len(rows),
        "closed_count": Case.objects.visible_to(user).filter(customer=customer).exclude(status="open").count(),
        "cases": [
            {
                "number": r["case"].number, "title": r["case"].title, "process": r["case"].definition.display_name(),
                "channel": r["case"].channel, "opened_at": r["case"].opened_at.isoformat(), "sla": r["sla"],
                "url": reverse("service:case", args=[r["case"].number]),
                "steps": [
                    {"step": i.step_name, "assignee": i.assignee.name if i.assignee else "", "deadline": i.deadline.isoformat()}
                    for i in r["steps"]
                ],
            }
            for r in rows
        ],
        "arrears": [{"amount": str(a.amount), "period": a.period, "recorded_at": a.recorded_at.isoformat()} for a in arrears],
        "new_url": reverse("service:case_new") + f"?customer={customer.pk}",
        "list_url": reverse("service:cases") + f"?customer={customer.pk}",
    }


register_section(Section("cases", _("Service cases"), 45, cases_section, "service/section_cases.html"))
