"""System parameters of billing data (ORG-06)."""

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

BILLING = _("Billing data")

declare(
    "billing.revenue_months",
    kind=Kind.INT,
    default=3,
    min_value=1,
    max_value=24,
    group=BILLING,
    label=_("Months averaged for a customer's monthly revenue"),
    help=_("Levels (CUS-07) and admission rules judge the average of this many latest billed months."),
)
declare(
    "billing.import_max_mb",
    kind=Kind.INT,
    default=200,
    min_value=1,
    max_value=2048,
    group=BILLING,
    label=_("Largest billing file (MB)"),
)
