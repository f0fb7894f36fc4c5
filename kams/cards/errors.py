from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class LedgerIsAppendOnly(KamsError):
    code = "cards.ledger_append_only"
    status = 409
    message = _("The card stock ledger is append-only: lines are never changed or deleted.")


class BadSerial(KamsError):
    code = "cards.bad_serial"
    message = _("%(serial)s is not a card blank serial: letters followed by digits, e.g. JS2026000001.")


class BadRange(KamsError):
    code = "cards.bad_range"
    message = _("%(first)s–%(last)s is not a range of serials: both ends need the same letters and number of digits, "
                "and the first may not come after the last.")


class RangeTooLarge(KamsError):
    code = "cards.range_too_large"
    message = _("%(count)s blanks in one range are too many; at most %(limit)s are taken at once.")


class RangeOverlaps(KamsError):
    code = "cards.range_overlaps"
    status = 409
    message = _("The serials %(first)s–%(last)s overlap blanks already on record: %(existing)s.")


class BlanksNotHeld(KamsError):
    code = "cards.blanks_not_held"
    status = 409
    message = _("Not every blank of %(first)s–%(last)s is %(state)s at %(unit)s: %(detail)s.")


class MixedLevels(KamsError):
    code = "cards.mixed_levels"
    status = 409
    message = _("The range %(first)s–%(last)s holds blanks of several card levels; move each level's range on its own.")


class OutOfBlanks(KamsError):
    code = "cards.out_of_blanks"
    status = 409
    message = _("%(unit)s holds %(available)s %(level)s blanks in stock; %(asked)s are needed.")


class NotAStockUnit(KamsError):
    code = "cards.not_a_stock_unit"
    message = _("%(unit)s cannot hold card stock: choose the province, a city or a district.")
