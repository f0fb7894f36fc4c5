"""The visits-and-care section of the customer 360 view (CUS-11), registered from this app
so that the customer app needs no knowledge of visits or care."""

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.care.enums import REVISIT, ProposalState
from kams.care.models import CareAction, CareProposal
from kams.care.selectors import SATISFACTION_FIELD, satisfaction_labels
from kams.customers.overview import Section, register_section
from kams.service.models import Case


def _case_url(case: Case) -> str | None:
    try:
        return reverse("service:case", args=[case.pk])
    except NoReverseMatch:
        return None


def visits_care_section(user: Any, customer: Any) -> dict | None:
    """The last visits (revisit cases) and the care given. ``customer`` was read through the
    scoped selector already; the rows are read in the reader's scope too."""
    may_visits, may_care = user.has_perm("service.view_case"), user.has_perm("care.view_careaction")
    if not (may_visits or may_care):
        return None
    visits = []
    if may_visits:
        labels = satisfaction_labels()
        cases = (
            Case.objects.visible_to(user).filter(customer=customer, process_key=REVISIT)
            .select_related("owner").order_by("-opened_at")[:5]
        )
        visits = [
            {"id": c.pk, "number": c.number, "url": _case_url(c), "title": c.title, "status": c.get_status_display(),
             "opened_at": timezone.localtime(c.opened_at).isoformat(),
             "closed_at": timezone.localtime(c.closed_at).isoformat() if c.closed_at else None,
             "satisfaction": labels.get(str(c.data.get(SATISFACTION_FIELD, "")), c.data.get(SATISFACTION_FIELD) or None),
             "manager": c.owner.name if c.owner else ""}
            for c in cases
        ]
    care, proposals = [], 0
    if may_care:
        actions = (
            CareAction.objects.visible_to(user).filter(customer=customer)
            .select_related("gift", "contact", "manager", "survey").order_by("-happened_on", "-pk")[:5]
        )
        care = [
            {"id": a.pk, "date": a.happened_on.isoformat(), "kind": a.get_kind_display(), "content": a.content,
             "contact": a.contact.name if a.contact else "", "gift": a.gift.name if a.gift else "",
             "quantity": a.gift_quantity, "manager": a.manager.name if a.manager else "",
             "score": getattr(getattr(a, "survey", None), "score", None)}
            for a in actions
        ]
        proposals = CareProposal.objects.visible_to(user).filter(customer=customer, state=ProposalState.PROPOSED).count()
    if not visits and not care and not proposals:
        return None
    return {
        "visits": visits, "care": care, "open_proposals": proposals,
        "proposals_url": reverse("care:proposals") + f"?q={customer.code}",
        "actions_url": reverse("care:actions") + f"?q={customer.code}",
    }


register_section(Section("visits_care", _("Visits and care"), 49, visits_care_section, "care/section_visits_care.html"))
