from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

GROUP = _("Service processes")
HALF_HOURS = tuple((f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(6, 23) for m in (0, 30))

declare(
    "service.workday_start", kind=Kind.CHOICE, default="08:30", group=GROUP, choices=HALF_HOURS,
    label=_("Working day starts (HH:MM)"),
)
declare(
    "service.workday_end", kind=Kind.CHOICE, default="17:30", group=GROUP, choices=HALF_HOURS,
    label=_("Working day ends (HH:MM)"),
)
declare(
    "service.warn_ratio", kind=Kind.DECIMAL, default=Decimal("0.8"), min_value=Decimal("0.1"), max_value=Decimal("0.99"),
    group=GROUP, label=_("Warn when this share of a step's time limit has passed"),
)
declare(
    "service.due_soon_hours", kind=Kind.INT, default=2, min_value=1, max_value=72, group=GROUP,
    label=_("A step counts as due soon this many hours before its deadline (live board)"),
)
