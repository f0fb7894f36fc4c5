"""Settlement errors: a stable code, a translated message, an HTTP status."""

from django.utils.translation import gettext_lazy as _

from kams.core.errors import Conflict, InvalidInput


class ExpressionError(InvalidInput):
    code = "settlement.expression"
    message = _("%(field)s: %(problem)s")


class NoScheme(Conflict):
    code = "settlement.no_scheme"
    message = _("Agent %(agent)s has no settlement scheme for %(period)s and cannot be settled.")


class BillPaid(Conflict):
    code = "settlement.bill_paid"
    message = _("The settlement bill is paid and can no longer be changed; record a supplementary payment or a "
                "recovery instead.")


class BillNotPaid(Conflict):
    code = "settlement.bill_not_paid"
    message = _("Supplementary payments and recoveries are recorded on paid bills only.")
