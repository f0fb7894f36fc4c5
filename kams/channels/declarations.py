"""System parameters of the channels (ORG-06, CH-03, CH-09)."""

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
