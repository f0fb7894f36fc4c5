"""System parameters of the channels (ORG-06, CH-03, CH-09)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from kams.channels.enums import PickupScope
from kams.system.parameters import Kind, declare

CHANNELS = _("Channels")

declare(
    "channels.pickup_scope", kind=Kind.CHOICE, default=PickupScope.OWN.value, group=CHANNELS,
    choices=tuple(PickupScope.choices),
    label=_("Which agents may pick up resources from a marketing department"),
    help=_("Own: only the department's agents; first level: every agent under the same first-level department; "
           "city: every agent of the city."),
)
declare(
    "channels.return_handover", kind=Kind.BOOL, default=True, group=CHANNELS,
    label=_("Return forms are handed over before entry"),
    help=_("On: only handed-over numbers may be entered and the handover time is the commission reference time. "
           "Off: picked-up numbers are entered directly and the entry time is the reference time."),
)

# Periodic re-grading of channel levels (定期重新审定渠道级别, CH-04).
declare(
    "channels.regrade_months", kind=Kind.INT, default=3, group=CHANNELS, min_value=1, max_value=24,
    label=_("Months of performance weighed by the re-grading"),
    help=_("The re-grading of a month looks at that month and the months before it."),
)
declare(
    "channels.national_min_subscribers", kind=Kind.INT, default=300, group=CHANNELS, min_value=0,
    label=_("National level: subscribers brought in, at least"),
)
declare(
    "channels.national_min_revenue", kind=Kind.DECIMAL, default=Decimal("300000"), group=CHANNELS, min_value=0,
    label=_("National level: paid revenue of its numbers (yuan), at least"),
)
declare(
    "channels.provincial_min_subscribers", kind=Kind.INT, default=60, group=CHANNELS, min_value=0,
    label=_("Provincial level: subscribers brought in, at least"),
)
declare(
    "channels.provincial_min_revenue", kind=Kind.DECIMAL, default=Decimal("50000"), group=CHANNELS, min_value=0,
    label=_("Provincial level: paid revenue of its numbers (yuan), at least"),
)
declare(
    "channels.regrade_min_credit", kind=Kind.INT, default=60, group=CHANNELS, min_value=0, max_value=100,
    label=_("Credit score below which an agent is graded city level"),
)
