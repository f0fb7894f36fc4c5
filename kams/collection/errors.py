from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class ReasonRequired(KamsError):
    code = "collection.reason_required"
    message = _("reason: give a reason.")


class ManagerRequired(KamsError):
    code = "collection.manager_required"
    message = _("manager: choose the account manager who makes the first contact.")


class CandidateClosed(KamsError):
    code = "collection.candidate_closed"
    status = 409
    message = _("This candidate was already %(state)s.")


class NotPotential(KamsError):
    code = "collection.not_potential"
    status = 409
    message = _("Customer %(customer)s is no longer a potential customer; only potential customers are admitted.")


class PairClosed(KamsError):
    code = "collection.pair_closed"
    status = 409
    message = _("This pair was already %(state)s.")


class SurvivorNotInPair(KamsError):
    code = "collection.survivor_not_in_pair"
    message = _("survivor: the customer kept must be one of the two customers of the pair.")


class CustomerHistorical(KamsError):
    code = "collection.customer_historical"
    status = 409
    message = _("Customer %(customer)s is historical and cannot take part in a merge.")


class MergeConflict(KamsError):
    code = "collection.merge_conflict"
    status = 409
    message = _("The records of %(model)s cannot be moved to the customer kept: %(problem)s")
