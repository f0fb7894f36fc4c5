from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class SecondFactorInvalid(KamsError):
    code = "access.second_factor_invalid"
    message = _("The code is wrong or has expired. Enter the current six-digit code.")


class LoginFailed(KamsError):
    """One answer for every failed login: it must not tell whether the name exists."""

    code = "access.login_failed"
    status = 400
    message = _("The login name or password is wrong.")


class SecondFactorRequired(KamsError):
    code = "access.second_factor_required"
    status = 401
    message = _("This account uses a second factor: send the current six-digit code as otp.")


class LockedOut(KamsError):
    code = "access.locked_out"
    status = 429
    message = _("Too many failed logins. Try again in %(minutes)s minutes.")
