from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class CreditReasonRequired(KamsError):
    code = "credit.reason_required"
    message = _("reason: give a reason for this credit change.")


class InvalidCreditLimit(KamsError):
    code = "credit.invalid_limit"
    message = _("limit: %(problem)s")


class InvalidCreditStandard(KamsError):
    code = "credit.invalid_standard"
    message = _("%(field)s: %(problem)s")


class AccountNotGradable(KamsError):
    code = "credit.account_not_gradable"
    status = 409
    message = _("A cancelled paying account gets no credit grade.")


class CreditLogIsAppendOnly(KamsError):
    code = "credit.log_append_only"
    status = 409
    message = _("The credit log cannot be changed or deleted.")
