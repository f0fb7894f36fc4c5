"""System parameters of credit management (ORG-06)."""

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

CREDIT = _("Credit")

declare(
    "credit.manual_hold_days",
    kind=Kind.INT,
    default=90,
    min_value=0,
    max_value=3650,
    group=CREDIT,
    label=_("Days a grade set by hand is kept from automatic re-grading"),
    help=_("0: the re-grading judges every account, also those just set by hand."),
)
