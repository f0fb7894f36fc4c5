"""Errors of channel evaluation."""

from django.utils.translation import gettext_lazy as _

from kams.core.errors import InvalidInput


class ModelInvalid(InvalidInput):
    code = "channelstats.model_invalid"
    message = _("The evaluation model is not valid.")


class UnknownIndicator(ModelInvalid):
    code = "channelstats.unknown_indicator"
    message = _("Unknown indicator: %(indicator)s.")


class WeightsNot100(ModelInvalid):
    code = "channelstats.weights_not_100"
    message = _("The weights of the indicators must add up to 100 (they add up to %(total)s).")


class BadPeriod(InvalidInput):
    code = "channelstats.bad_period"
    message = _("Give the month as YYYY-MM.")


class ModelNotFound(InvalidInput):
    code = "channelstats.model_not_found"
    message = _("There is no active evaluation model %(code)s.")
