"""Channel errors: a stable code, a translated message, an HTTP status."""

from django.utils.translation import gettext_lazy as _

from kams.core.errors import Conflict, KamsError


class UnbalancedTransaction(KamsError):
    code = "channels.unbalanced"
    status = 500
    message = _("The entries of an account transaction do not add up to zero.")


class InsufficientFunds(Conflict):
    code = "channels.insufficient_funds"
    message = _("The %(account)s sub-account holds %(balance)s yuan, less than the %(amount)s yuan asked for.")


class CreditExceeded(Conflict):
    code = "channels.credit_exceeded"
    message = _(
        "The agent's prepayment (%(prepayment)s yuan) and the overdraft left within its credit line "
        "(%(available)s yuan) do not cover %(amount)s yuan."
    )


class OverdraftNotOperable(KamsError):
    code = "channels.overdraft_not_operable"
    message = _("The overdraft sub-account cannot be paid into, drawn from or deleted directly.")


class AgentNotActive(Conflict):
    code = "channels.agent_not_active"
    message = _("Agent %(agent)s is not registered.")


class NotAuthorised(KamsError):
    code = "channels.not_authorised"
    status = 409
    message = _("Agent %(agent)s is not authorised to %(authority)s %(business)s.")


class AgentHoldsMoney(Conflict):
    code = "channels.agent_holds_money"
    message = _("Agent %(agent)s cannot be deregistered: its accounts are not settled (%(accounts)s). "
                "Pay out the deposit, prepayment and rebate and have the overdraft repaid first.")


class AgentHoldsResources(Conflict):
    code = "channels.agent_holds_resources"
    message = _("Agent %(agent)s cannot be deregistered: it still holds %(count)s picked-up resource items. "
                "Have them returned or handed over first.")


class AgentWrongStatus(Conflict):
    code = "channels.agent_wrong_status"
    message = _("Agent %(agent)s is %(status)s; this cannot be done now.")
