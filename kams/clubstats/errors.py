from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class UnknownStatistic(KamsError):
    code = "clubstats.unknown_statistic"
    status = 404
    message = _("There is no statistic %(name)s.")


class NoBills(KamsError):
    code = "clubstats.no_bills"
    status = 409
    message = _("No bills have been imported for a month that has ended: there is nothing to forecast on.")


class ForecastRunning(KamsError):
    code = "clubstats.forecast_running"
    status = 409
    message = _("A forecast of this scheme is still running; wait until it has finished.")
