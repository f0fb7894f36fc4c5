"""System parameters of visits and customer care (ORG-06)."""

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

CARE = _("Visits and care")

declare(
    "care.plan_inline_limit",
    kind=Kind.INT,
    default=20,
    min_value=0,
    max_value=1000,
    group=CARE,
    label=_("Visit plans up to this many customers open their visits at once"),
    help=_("Larger plans open their visits in a background job with a progress bar."),
)
declare(
    "care.proposal_expiry_days",
    kind=Kind.INT,
    default=7,
    min_value=0,
    max_value=90,
    group=CARE,
    label=_("Care proposals expire this many days after their occasion"),
)
