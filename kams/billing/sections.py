"""The bills section of the customer 360 view (CUS-11), registered from this app so that
the customer app needs no knowledge of billing."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from kams.billing.selectors import monthly_totals
from kams.customers.overview import Section, register_section


def bills_section(user: Any, customer: Any) -> dict | None:
    if not user.has_perm("billing.view_billsummary"):
        return None
    months = monthly_totals(customer, months=12)
    if not months:
        return None
    return {
        "months": [
            {
                "period": f"{m['period']:%Y-%m}",
                "total": str(m["total"]),
                "paid": str(m["paid"]),
                "arrears": str(m["arrears"]),
                "numbers": m["numbers"],
            }
            for m in months
        ],
        "arrears": str(sum((m["arrears"] for m in months), start=type(months[0]["arrears"])(0))),
        "chart": {
            "labels": [f"{m['period']:%Y-%m}" for m in reversed(months)],
            "values": [float(m["total"]) for m in reversed(months)],
        },
    }


register_section(Section("bills", _("Bills and arrears"), 35, bills_section, "billing/section_bills.html"))
