from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class UnsupportedFile(KamsError):
    code = "billing.unsupported_file"
    message = _("file: send a .csv or .xlsx file in the billing import format.")


class BadPeriod(KamsError):
    code = "billing.bad_period"
    message = _("period: “%(value)s” is not a month (YYYY-MM) in the past or present.")


class BillFileInvalid(KamsError):
    code = "billing.file_invalid"
    message = _("The billing file has %(count)s problems, the first: %(first)s.")
