from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class LoginFailed(KamsError):
    """The same words for an unknown card, a wrong password, a card that cannot be used and a
    wrong or expired code: nobody learns which card numbers exist."""

    code = "portal.login_failed"
    status = 400
    message = _("The card number or password is wrong, or the card cannot be used.")


class CodeFailed(KamsError):
    code = "portal.code_failed"
    status = 400
    message = _("The card number or code is wrong, or the code has expired.")


class LockedOut(KamsError):
    code = "portal.locked_out"
    status = 429
    message = _("Too many failed attempts. Try again in %(minutes)s minutes.")


class CodeTooSoon(KamsError):
    code = "portal.code_too_soon"
    status = 429
    message = _("A code was sent less than a minute ago. Wait a moment before asking for another.")


class WrongCode(KamsError):
    """A wrong code when confirming a change (the member is logged in)."""

    code = "portal.wrong_code"
    status = 400
    message = _("The code is wrong or has expired. Ask for a new code.")


class WeakPassword(KamsError):
    code = "portal.weak_password"
    status = 400
    message = _("The password must have at least 8 characters and not only digits.")


class NotAutoRedeemable(KamsError):
    code = "portal.not_auto_redeemable"
    status = 400
    message = _("%(item)s cannot be chosen for the automatic monthly redemption.")
