"""System parameters of the customer domain (ORG-06)."""

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

CUSTOMERS = _("Customers")

declare(
    "customers.contract_expiry_warning_days",
    kind=Kind.INT,
    default=60,
    min_value=1,
    max_value=365,
    group=CUSTOMERS,
    label=_("Warn about contracts expiring within (days)"),
)
declare(
    "customers.contract_attachment_max_mb",
    kind=Kind.INT,
    default=20,
    min_value=1,
    max_value=500,
    group=CUSTOMERS,
    label=_("Largest contract attachment (MB)"),
)
declare(
    "customers.level_changes_need_approval",
    kind=Kind.BOOL,
    default=False,
    group=CUSTOMERS,
    label=_("Level changes from the monthly evaluation need approval"),
    help=_("Off: the evaluation applies upgrades and downgrades itself. On: they wait on the level changes page."),
)
for level, percent, amount in (("district", 5, 2000), ("city", 15, 20000)):
    declare(
        f"customers.preference_limit_{level}_percent",
        kind=Kind.DECIMAL,
        default=percent,
        min_value=0,
        max_value=100,
        group=CUSTOMERS,
        label=_("Largest discount rate a %(level)s may approve (%%)") % {"level": level},
    )
    declare(
        f"customers.preference_limit_{level}_amount",
        kind=Kind.DECIMAL,
        default=amount,
        min_value=0,
        max_value=10_000_000,
        group=CUSTOMERS,
        label=_("Largest monthly value a %(level)s may approve (yuan)") % {"level": level},
    )
