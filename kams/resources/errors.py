"""Resource errors: a stable code, a translated message, an HTTP status."""

from django.utils.translation import gettext_lazy as _

from kams.core.errors import Conflict, InvalidInput


class BadSerial(InvalidInput):
    code = "resources.bad_serial"
    message = _("%(serial)s is not a valid %(kind)s serial (%(rule)s).")


class BadRange(InvalidInput):
    code = "resources.bad_range"
    message = _("The range %(first)s – %(last)s is not valid: both ends need the same length and the first may "
                "not be after the last.")


class RangeTooLarge(InvalidInput):
    code = "resources.range_too_large"
    message = _("%(count)s items are more than the %(limit)s one operation may take.")


class SerialsExist(Conflict):
    code = "resources.serials_exist"
    message = _("%(count)s of these serials are already on record (for example %(example)s); nothing was taken "
                "into stock.")


class ItemsNotAvailable(Conflict):
    code = "resources.items_not_available"
    message = _("%(missing)s of the %(count)s items are not %(condition)s: %(detail)s. Nothing was changed.")


class NotAStockNode(Conflict):
    code = "resources.not_a_stock_node"
    message = _("%(unit)s holds no stock in the stock flow.")


class FlowNotAllowed(Conflict):
    code = "resources.flow_not_allowed"
    message = _("No flow rule allows %(operation)s of %(kind)s from %(source)s to %(target)s.")


class NoParentNode(Conflict):
    code = "resources.no_parent_node"
    message = _("%(unit)s has no parent in the stock flow to return stock to.")


class PickupNotAllowed(Conflict):
    code = "resources.pickup_not_allowed"
    message = _("Agent %(agent)s may not pick up resources from %(unit)s (pickup scope: %(scope)s).")


class PickupLimitExceeded(Conflict):
    code = "resources.pickup_limit"
    message = _("One pickup may take at most %(limit)s %(kind)s items; %(count)s were asked for.")


class StockLimitExceeded(Conflict):
    code = "resources.stock_limit"
    message = _("Agent %(agent)s holds %(held)s items%(business)s and may hold at most %(limit)s; %(count)s more "
                "would exceed it.")


class NoPrice(Conflict):
    code = "resources.no_price"
    message = _("No pickup fee is configured for %(kind)s / %(network)s / %(business)s on %(date)s.")


class OrderNotCancellable(Conflict):
    code = "resources.order_not_cancellable"
    message = _("Pickup order %(order)s cannot be cancelled: %(missing)s of its %(count)s items are no longer held "
                "as picked up by the agent.")


class OrderCancelled(Conflict):
    code = "resources.order_cancelled"
    message = _("Pickup order %(order)s is already cancelled.")


class SettledRefused(Conflict):
    code = "resources.settled"
    message = _("%(count)s of the items are settled: settled items cannot be cancelled, returned, transferred or "
                "adjusted.")


class NothingToAdjust(Conflict):
    code = "resources.nothing_to_adjust"
    message = _("None of the selected items is an unsettled item held by the agent.")


class MixedUnits(Conflict):
    code = "resources.mixed_units"
    message = _("The items come from %(count)s stock units; transfer the items of one unit at a time.")
