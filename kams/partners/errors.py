from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class NoAgreementInForce(KamsError):
    """No approved agreement covers the day: nothing can be exchanged or valued."""

    code = "partners.no_agreement"
    status = 409
    message = _("%(partner)s has no agreement in force on %(date)s.")


class AgreementOverlaps(KamsError):
    code = "partners.agreement_overlaps"
    status = 409
    message = _("Agreement %(number)s of this partner is already in force from %(start)s to %(end)s: "
                "only one agreement may be in force on a day.")


class AgreementNotDraft(KamsError):
    code = "partners.agreement_not_draft"
    status = 409
    message = _("This agreement is %(state)s: only a draft can be changed or approved.")


class AgreementNotActive(KamsError):
    code = "partners.agreement_not_active"
    status = 409
    message = _("This agreement is %(state)s: only an agreement in force can be ended.")


class PartnerNotActive(KamsError):
    code = "partners.partner_not_active"
    status = 409
    message = _("%(partner)s is %(status)s: no exchanges are accepted.")


class NoPointsEarned(KamsError):
    code = "partners.no_points"
    message = _("A spend of %(amount)s yuan earns no points at %(rate)s points per yuan.")


class TransactionReused(KamsError):
    code = "partners.transaction_reused"
    status = 409
    message = _("Transaction %(transaction_id)s was already reported with a different card or amount.")


class NotAPartnerChannel(KamsError):
    code = "partners.not_a_partner_channel"
    status = 403
    message = _("This channel is not linked to a club partner.")


class CouponNotUsable(KamsError):
    code = "partners.coupon_not_usable"
    status = 409
    message = _("Coupon %(code)s is %(state)s and cannot be used.")


class UnknownCoupon(KamsError):
    code = "partners.unknown_coupon"
    status = 404
    message = _("There is no coupon %(code)s of this partner.")


class CouponsShort(KamsError):
    code = "partners.coupons_short"
    status = 409
    message = _("Only %(available)s coupons of this batch are left to issue; %(asked)s asked.")


class StatementFixed(KamsError):
    code = "partners.statement_fixed"
    status = 409
    message = _("This statement is %(state)s and cannot be changed: recompute it to add adjustment lines.")


class StatementNotConfirmable(KamsError):
    code = "partners.statement_state"
    status = 409
    message = _("This statement is %(state)s: it cannot be %(action)s.")
