from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class IllegalLifecycleStep(KamsError):
    code = "customers.illegal_lifecycle_step"
    status = 409
    message = _("A %(status)s customer cannot be %(step)s.")


class DuplicateCertificate(KamsError):
    code = "customers.duplicate_certificate"
    status = 409
    message = _("certificate_no: customer %(other)s already has this certificate number.")


class ReasonRequired(KamsError):
    code = "customers.reason_required"
    message = _("reason: give a reason for this change.")


class InvalidExtraAttribute(KamsError):
    code = "customers.invalid_extra_attribute"
    message = _("%(field)s: %(problem)s")


class CustomerNotEditable(KamsError):
    code = "customers.not_editable"
    status = 409
    message = _("A historical customer cannot be changed; restore it first.")


class ContractMoveNotAllowed(KamsError):
    code = "customers.contract_move_not_allowed"
    status = 409
    message = _("A contract that is %(state)s cannot become %(target)s.")


class ContractNotEditable(KamsError):
    code = "customers.contract_not_editable"
    status = 409
    message = _("Only a draft or a contract in approval can be changed.")


class AttachmentTooLarge(KamsError):
    code = "customers.attachment_too_large"
    message = _("file: the file is larger than %(limit)s MB.")


class PreferenceNotAllowed(KamsError):
    code = "customers.preference_not_allowed"
    status = 409
    message = _("A preferential policy that is %(state)s cannot be %(step)s.")


class ApprovalLevelTooLow(KamsError):
    code = "customers.approval_level_too_low"
    status = 403
    message = _("This preferential policy needs approval at %(level)s level.")


class OwnRequest(KamsError):
    code = "customers.own_request"
    status = 403
    message = _("You cannot approve a request you made yourself.")
