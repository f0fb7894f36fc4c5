"""Choices of the club statistics and points cost (CLUB-17, CLUB-22)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ForecastState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RateSource(models.TextChoices):
    """Where a rate of a forecast or of the liability came from."""

    SCHEME = "scheme", _("Set in the scheme")
    HISTORY = "history", _("From the last 12 months")
    PARAMETER = "parameter", _("System parameter")
    ASSUMED = "assumed", _("Assumed (no history)")
