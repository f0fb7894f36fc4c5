"""The credit section of the customer 360 view (CUS-11), registered from this app so that
the customer app needs no knowledge of credit."""

from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.credit.enums import GRADE_BADGES
from kams.credit.models import CreditChange
from kams.customers.enums import AccountStatus
from kams.customers.overview import Section, register_section


def credit_section(user: Any, customer: Any) -> dict | None:
    """The customer's paying accounts with grade, limit and last change. ``customer`` was
    read through the scoped selector already, so its accounts are in scope too."""
    if not user.has_perm("credit.view_accountcredit"):
        return None
    last = CreditChange.objects.filter(account=OuterRef("pk")).order_by("-at", "-id").values("pk")[:1]
    accounts = list(
        customer.accounts.filter(status=AccountStatus.ACTIVE).select_related("credit").annotate(last_change=Subquery(last))
    )
    if not accounts:
        return None
    latest = {c.account_id: c for c in CreditChange.objects.filter(pk__in=[a.last_change for a in accounts if a.last_change])}
    may_set = user.has_perm("credit.change_accountcredit")
    items = []
    for account in accounts:
        credit = getattr(account, "credit", None)
        change = latest.get(account.pk)
        items.append(
            {
                "account_id": account.pk,
                "account_no": account.account_no,
                "name": account.name,
                "grade": credit.grade if credit else None,
                "grade_label": str(credit.get_grade_display()) if credit else None,
                "badge": GRADE_BADGES.get(credit.grade, "") if credit else "",
                "limit": str(credit.limit) if credit else None,
                "source": str(credit.get_source_display()) if credit else None,
                "assessed_at": timezone.localtime(credit.assessed_at).isoformat() if credit else None,
                "assessor": credit.assessor_name if credit else None,
                "last_change": {
                    "at": timezone.localtime(change.at).isoformat(),
                    "from": str(change.get_old_grade_display()) if change.old_grade else None,
                    "to": str(change.get_new_grade_display()),
                    "reason": change.reason,
                    "assessor": change.assessor_name,
                } if change else None,
                "set_url": reverse("credit:set", args=[account.pk]) if may_set else None,
            }
        )
    return {"items": items, "log_url": reverse("credit:changes") + f"?q={customer.code}"}


register_section(Section("credit", _("Credit"), 37, credit_section, "credit/section_credit.html"))
