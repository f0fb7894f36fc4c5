"""Return-form errors: a stable code, a translated message, an HTTP status."""

from django.utils.translation import gettext_lazy as _

from kams.core.errors import Conflict, KamsError


class HandoverSwitchedOff(Conflict):
    code = "returnforms.handover_off"
    message = _("Return-form handover is switched off (parameter channels.return_handover): "
                "picked-up numbers are entered directly.")


class NumbersNotEligible(Conflict):
    code = "returnforms.numbers_not_eligible"
    message = _("These numbers cannot be used: %(numbers)s.")


class FileRefused(KamsError):
    code = "returnforms.file_refused"
    status = 400
    message = _("The file was not entered: %(count)s line(s) have errors; nothing was changed.")
