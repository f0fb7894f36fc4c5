from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class LedgerIsAppendOnly(KamsError):
    code = "club.ledger_append_only"
    status = 409
    message = _("The points ledger is append-only: entries are never changed or deleted.")


class InsufficientPoints(KamsError):
    """Fewer points than asked: nothing was deducted."""

    code = "insufficient_points"
    status = 409
    message = _("Card %(card_no)s holds %(balance)s points; %(points)s are needed.")

    def extra(self) -> dict:
        return {"points_balance": self.params.get("balance"), "points": self.params.get("points")}


class CardNotUsable(KamsError):
    code = "card_not_usable"
    status = 409
    message = _("Card %(card_no)s is %(state)s and cannot be used.")


class UnknownCard(KamsError):
    code = "unknown_card"
    status = 404
    message = _("There is no card %(card_no)s.")


class UnknownItem(KamsError):
    code = "unknown_item"
    status = 404
    message = _("There is no redemption item %(item)s on offer.")


class ItemNotForLevel(KamsError):
    code = "item_not_for_level"
    status = 409
    message = _("%(item)s cannot be redeemed by a %(level)s member.")


class MonthlyLimitReached(KamsError):
    code = "monthly_limit_reached"
    status = 409
    message = _("%(item)s may be redeemed %(limit)s times a month; this member has reached the limit.")


class IdempotencyKeyReused(KamsError):
    code = "idempotency_key_reused"
    status = 409
    message = _("The idempotency key %(key)s was already used for a different redemption.")


class CardTransitionRefused(KamsError):
    code = "club.card_transition"
    status = 409
    message = _("A card that is %(state)s cannot be %(action)s.")


class AlreadyReversed(KamsError):
    code = "club.already_reversed"
    status = 409
    message = _("This redemption was already reversed.")


class RunInProgress(KamsError):
    code = "club.run_in_progress"
    status = 409
    message = _("The points run for %(period)s is already running.")


class AdjustmentDecided(KamsError):
    code = "club.adjustment_decided"
    status = 409
    message = _("This adjustment was already %(state)s.")


class SelfApproval(KamsError):
    code = "club.self_approval"
    status = 403
    message = _("An adjustment must be approved by someone other than the person who requested it.")


class RuleNotCurrent(KamsError):
    code = "club.rule_not_current"
    status = 409
    message = _("Version %(version)s of rule %(code)s is not the one in force: change the newest version.")


class RuleCodeTaken(KamsError):
    code = "club.rule_code_taken"
    status = 409
    message = _("There already is a rule %(code)s: change it (PATCH) to make its next version.")
