"""积分成本管理 (CLUB-17): points schemes and the forecasts of their cost.

* ``PointsScheme`` — 积分方案: the current points rules (``kams.club.models.PointsRule``) with
  some of them changed (``rules``: per rule code the rate, points or years it would have), the
  share of earned points expected to be redeemed and the cost of one point; empty rates are
  taken from the last 12 months when the forecast runs.
* ``PointsSchemeForecast`` — one run of the forecast: the points the scheme would have issued
  on the last N months of imported bills against what the current rules issued, and their
  expected cost. Kept, so forecasts of different schemes (or of one scheme over time) can be
  compared.

The statistics themselves (CLUB-22) have no tables: they are aggregates of the club's data
(``kams.clubstats.selectors``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kams.clubstats.enums import ForecastState
from kams.org.scoping import UNSCOPED, ScopedQuerySet


class PointsScheme(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    rules = models.JSONField(
        _("rule changes"), default=dict, blank=True,
        help_text=_("Per rule code the values that differ from the current rule: rate, points, from/up to years."),
    )
    redemption_rate = models.DecimalField(
        _("expected redemption rate"), max_digits=5, decimal_places=4, null=True, blank=True,
        help_text=_("Share of the earned points that will be redeemed (0–1). Empty: from the last 12 months."),
    )
    cost_per_point = models.DecimalField(
        _("cost per point (yuan)"), max_digits=10, decimal_places=6, null=True, blank=True,
        help_text=_("Empty: the cost of the redemptions of the last 12 months per point redeemed."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # A scheme is a province-wide proposal: who may see it is decided by permission.
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["name"]
        verbose_name = _("points scheme")
        verbose_name_plural = _("points schemes")
        permissions = [
            ("view_clubstatistics", _("Can view club statistics")),
            ("view_pointscost", _("Can view the cost of points")),
        ]

    def __str__(self) -> str:
        return self.name


class PointsSchemeForecast(models.Model):
    scheme = models.ForeignKey(PointsScheme, on_delete=models.CASCADE, related_name="forecasts",
                               verbose_name=_("points scheme"))
    months = models.PositiveSmallIntegerField(_("months of bills"))
    period_from = models.DateField(_("from month"), null=True, blank=True)
    period_to = models.DateField(_("to month"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ForecastState.choices, default=ForecastState.QUEUED)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True,
                              help_text=_("The rules, rates and scope the forecast was computed with."))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    job = models.ForeignKey("system.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points scheme forecast")
        verbose_name_plural = _("points scheme forecasts")

    def __str__(self) -> str:
        return f"{self.scheme} #{self.pk}"

    @property
    def totals(self) -> dict:
        return (self.figures or {}).get("totals", {})
