from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class SecondFactorInvalid(KamsError):
    code = "access.second_factor_invalid"
    message = _("The code is wrong or has expired. Enter the current six-digit code.")


class LoginFailed(KamsError):
    code = "access.login_failed"
    status = 400
    message = _("The login name or password is wrong.")
