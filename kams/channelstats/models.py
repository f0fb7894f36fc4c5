"""渠道评估 (CH-10): evaluation models, manual indicator values, evaluation runs and their
results, and the exports sent to headquarters.

An ``EvaluationModel`` is versioned: saving a model code again makes a new version, so a run
always refers to the exact weights it was computed with. A run covers one month and one org
unit subtree; its ``IndicatorValue`` rows (one per agent and indicator) are written by one
``INSERT … SELECT`` per indicator, its ``EvaluationResult`` rows hold the weighted score and
the rankings. Running the same model version, month and unit again replaces the run's rows in
one transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kams.channels.enums import AgentLevel
from kams.channelstats.enums import ExportFormat, ManualKind, ScoringMethod
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec

VALUE = {"max_digits": 18, "decimal_places": 4}
SCORE = {"max_digits": 7, "decimal_places": 2}


class EvaluationModel(models.Model):
    """考核模型: weighted indicators (one version)."""

    code = models.SlugField(_("code"), max_length=30)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    # Province-wide configuration, guarded by permission.
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="channelstats_model_version_once")]
        verbose_name = _("evaluation model")
        verbose_name_plural = _("evaluation models")
        permissions = [("run_evaluation", _("Can run channel evaluations and export them"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.code} v{self.version})"


class ModelIndicator(models.Model):
    """One weighted indicator of a model version."""

    model = models.ForeignKey(EvaluationModel, on_delete=models.CASCADE, related_name="items")
    indicator = models.CharField(_("indicator"), max_length=30)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    method = models.CharField(_("scoring method"), max_length=8, choices=ScoringMethod.choices,
                              default=ScoringMethod.LINEAR)
    floor = models.DecimalField(_("floor (0 points)"), default=Decimal("0"), **VALUE)
    target = models.DecimalField(_("target (100 points)"), default=Decimal("0"), **VALUE)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["model", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["model", "indicator"], name="channelstats_indicator_once")]
        verbose_name = _("model indicator")
        verbose_name_plural = _("model indicators")

    @property
    def label(self) -> str:
        from kams.channelstats.indicators import INDICATORS

        found = INDICATORS.get(self.indicator)
        return str(found.label) if found else self.indicator


class ManualScore(models.Model):
    """A hand-entered (or imported) indicator value of an agent for a month: service
    satisfaction (服务满意度) or another indicator (其他考核指标)."""

    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="manual_scores",
                              verbose_name=_("agent"))
    period = models.DateField(_("period"), help_text=_("The first day of the month."))
    kind = models.CharField(_("kind"), max_length=14, choices=ManualKind.choices)
    value = models.DecimalField(_("value"), **VALUE)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="agent__org_unit", owner="agent__manager")

    class Meta:
        ordering = ["-period", "agent", "kind"]
        constraints = [models.UniqueConstraint(fields=["agent", "period", "kind"], name="channelstats_manual_once")]
        verbose_name = _("manual indicator value")
        verbose_name_plural = _("manual indicator values")


class EvaluationRun(models.Model):
    """One evaluation of the agents of a unit subtree for a month with one model version."""

    model = models.ForeignKey(EvaluationModel, on_delete=models.PROTECT, related_name="runs",
                              verbose_name=_("evaluation model"))
    period = models.DateField(_("period"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    agent_count = models.PositiveIntegerField(_("agents"), default=0)
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    times_run = models.PositiveIntegerField(_("times run"), default=1)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-period", "-pk"]
        constraints = [models.UniqueConstraint(fields=["model", "period", "org_unit"], name="channelstats_run_once")]
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")

    def __str__(self) -> str:
        return f"{self.model.name} {self.period:%Y-%m} {self.org_unit}"


class IndicatorValue(models.Model):
    """An agent's value of one indicator in a run, and its points (0–100) under the model."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="values")
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(_("indicator"), max_length=30)
    value = models.DecimalField(_("value"), **VALUE)
    score = models.DecimalField(_("points"), null=True, **SCORE)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="agent__org_unit", owner="agent__manager")

    class Meta:
        ordering = ["run", "agent", "indicator"]
        constraints = [models.UniqueConstraint(fields=["run", "agent", "indicator"], name="channelstats_value_once")]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")


class EvaluationResult(models.Model):
    """An agent's weighted score in a run with its rank overall, among its level and in its city."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="results")
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="evaluation_results",
                              verbose_name=_("agent"))
    period = models.DateField(_("period"))
    level = models.CharField(_("channel level"), max_length=12, choices=AgentLevel.choices)
    city = models.ForeignKey("org.OrgUnit", null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    score = models.DecimalField(_("score"), **SCORE)
    rank = models.PositiveIntegerField(_("rank"))
    rank_in_level = models.PositiveIntegerField(_("rank in level"))
    rank_in_city = models.PositiveIntegerField(_("rank in city"))

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="agent__org_unit", owner="agent__manager")

    class Meta:
        ordering = ["run", "rank", "agent__code"]
        constraints = [models.UniqueConstraint(fields=["run", "agent"], name="channelstats_result_once")]
        indexes = [models.Index(fields=["agent", "period"], name="channelstats_result_agent")]
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        permissions = [("view_channel_statistics", _("Can see the channel distribution statistics"))]


class EvaluationExport(models.Model):
    """One file of a run's results sent to headquarters (省分公司上传总部): who, when, the hash."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.PROTECT, related_name="exports")
    format = models.CharField(_("format"), max_length=5, choices=ExportFormat.choices)
    file = models.FileField(_("file"), upload_to="channelstats/exports/%Y/%m/", max_length=300)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="run__org_unit")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("evaluation export")
        verbose_name_plural = _("evaluation exports")
