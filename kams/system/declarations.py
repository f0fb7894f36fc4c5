"""The platform's own parameters. Domain apps declare theirs in their own modules."""

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

SECURITY = _("Security")
UI = _("User interface")

declare(
    "security.login_failure_limit",
    kind=Kind.INT,
    default=5,
    min_value=1,
    max_value=20,
    group=SECURITY,
    label=_("Failed logins before lockout"),
    help=_("After this many wrong passwords in a row the account is locked for the cool-off time."),
)
declare(
    "security.login_cooloff_minutes",
    kind=Kind.INT,
    default=30,
    min_value=1,
    max_value=24 * 60,
    group=SECURITY,
    label=_("Lockout duration (minutes)"),
)
declare(
    "security.session_idle_minutes",
    kind=Kind.INT,
    default=480,
    min_value=5,
    max_value=24 * 60,
    group=SECURITY,
    label=_("Idle session expiry (minutes)"),
    help=_("A session with no request for this long must log in again."),
)
declare(
    "security.admins_require_second_factor",
    kind=Kind.BOOL,
    default=False,
    group=SECURITY,
    label=_("System administrators must use a second factor"),
    help=_("When on, administrators without a confirmed authenticator are sent to set one up."),
)
declare(
    "ui.page_size",
    kind=Kind.INT,
    default=25,
    min_value=10,
    max_value=200,
    group=UI,
    label=_("Rows per page in lists"),
)
