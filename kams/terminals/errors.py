from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class TerminalError(KamsError):
    code = "terminals.error"


class InvalidImei(TerminalError):
    code = "terminals.invalid_imei"
    message = _("%(imei)s is not a valid IMEI: it needs 15 digits whose last digit is the Luhn check digit.")


class InvalidMsisdn(TerminalError):
    code = "terminals.invalid_msisdn"
    message = _("%(msisdn)s is not a subscriber number: 11 digits starting with 1.")


class HandsetNotHeld(TerminalError):
    code = "terminals.handset_not_held"
    status = 409
    message = _("No handset with IMEI %(imei)s is held by an agent in your scope.")


class HandsetAlreadySold(TerminalError):
    code = "terminals.handset_already_sold"
    status = 409
    message = _("The handset %(imei)s was already sold with a subsidy.")


class NumberAlreadyBound(TerminalError):
    code = "terminals.number_already_bound"
    status = 409
    message = _("The number %(msisdn)s is already bound to the subsidised handset %(imei)s.")


class NoSubsidyLevel(TerminalError):
    code = "terminals.no_subsidy_level"
    status = 409
    message = _("No subsidy level of %(model)s for %(business)s is in force on %(date)s.")


class UnknownHandsetModel(TerminalError):
    code = "terminals.unknown_model"
    message = _("The handset model %(model)s is not on record: choose the model.")


class LevelOverlaps(TerminalError):
    code = "terminals.level_overlaps"
    status = 409
    message = _("A version of this subsidy level already takes effect on or after %(date)s.")


class BadSubsidy(TerminalError):
    code = "terminals.bad_subsidy"
    message = _("The subsidy is not valid: %(detail)s")


class BadObservationFile(TerminalError):
    code = "terminals.bad_observation_file"
    message = _("The observation file cannot be read: %(detail)s")


class AnomalyNotOpen(TerminalError):
    code = "terminals.anomaly_not_open"
    status = 409
    message = _("The flag was already reviewed (%(status)s).")
