"""System parameters of the club statistics and points cost (ORG-06)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

CLUB = _("Loyalty club")

declare(
    "club.point_value_yuan", kind=Kind.DECIMAL, default=Decimal("0.008"), min_value=Decimal("0"),
    max_value=Decimal("10"), group=CLUB,
    label=_("Cost of one point in yuan when there were no redemptions in the last 12 months"),
    help=_("Values the outstanding points (the points liability) and the cost of points schemes; "
           "with redemptions in the last 12 months their cost per point is used instead."),
)
declare(
    "club.forecast_inline_bills", kind=Kind.INT, default=50000, min_value=0, max_value=100000000, group=CLUB,
    label=_("Points scheme forecasts over up to this many bills run at once"),
    help=_("Forecasts over more bills run as a background job with a progress bar."),
)
