from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class OutOfStock(KamsError):
    """The conditional decrement found fewer items than asked: nothing was taken."""

    code = "care.out_of_stock"
    status = 409
    message = _("Only %(available)s of %(gift)s left in stock at %(unit)s; %(asked)s asked.")


class PlanNotDraft(KamsError):
    code = "care.plan_not_draft"
    status = 409
    message = _("This visit plan is %(state)s: only a draft can be changed or approved.")


class PlanEmpty(KamsError):
    code = "care.plan_empty"
    message = _("No customer matches the conditions of this plan.")


class VisitNotOpen(KamsError):
    code = "care.visit_not_open"
    status = 409
    message = _("This visit is no longer open.")


class ProposalDecided(KamsError):
    code = "care.proposal_decided"
    status = 409
    message = _("This care proposal was %(state)s already.")


class QuickResultUnsupported(KamsError):
    code = "care.quick_result_unsupported"
    message = _("The step “%(step)s” has no satisfaction field: open it on its own page.")


class LedgerIsAppendOnly(KamsError):
    code = "care.ledger_append_only"
    status = 409
    message = _("Stock moves cannot be changed or deleted.")
