"""System parameters of the member portal (ORG-06)."""

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

PORTAL = _("Member portal")

declare(
    "portal.login_failure_limit", kind=Kind.INT, default=5, min_value=3, max_value=20, group=PORTAL,
    label=_("Failed member logins before a card number is locked"),
)
declare(
    "portal.lockout_minutes", kind=Kind.INT, default=15, min_value=1, max_value=1440, group=PORTAL,
    label=_("Minutes a card number stays locked after too many failed logins"),
)
declare(
    "portal.ip_failure_limit", kind=Kind.INT, default=50, min_value=10, max_value=10000, group=PORTAL,
    label=_("Failed member logins from one address before it is locked"),
    help=_("Stops one address from trying many card numbers."),
)
declare(
    "portal.idle_minutes", kind=Kind.INT, default=30, min_value=5, max_value=480, group=PORTAL,
    label=_("Members are logged out of the portal after this many idle minutes"),
)
