"""Scoped reads of channel evaluation.

A run belongs to an org unit subtree. A reader sees the runs of units inside their scope and
the runs of the units above it (a province-wide run) — but of any run only the results of
the agents inside their scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from kams.channels.models import Agent
from kams.channelstats.indicators import INDICATORS
from kams.channelstats.models import EvaluationExport, EvaluationModel, EvaluationResult, EvaluationRun, IndicatorValue
from kams.org.models import OrgUnit
from kams.org.scoping import scope_for, scope_spec_of


def runs_for(user: Any) -> QuerySet[EvaluationRun]:
    scope = scope_for(user)
    queryset = EvaluationRun.objects.select_related("model", "org_unit")
    if scope.unrestricted:
        return queryset
    step = OrgUnit.steplen
    above = {p[:n] for p in scope.prefixes for n in range(step, len(p) + 1, step)}
    return queryset.filter(scope.q(scope_spec_of(EvaluationRun)) | Q(org_unit__path__in=above))


def run_for(user: Any, pk: Any) -> EvaluationRun:
    from django.http import Http404

    try:
        return runs_for(user).get(pk=pk)
    except (EvaluationRun.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def results_for(user: Any) -> QuerySet[EvaluationResult]:
    return EvaluationResult.objects.visible_to(user).select_related("agent", "city", "run__model")


def _previous(field: str) -> Subquery:
    earlier = EvaluationResult.objects.filter(
        agent=OuterRef("agent"), run__model__code=OuterRef("run__model__code"), period__lt=OuterRef("period"),
        run__org_unit=OuterRef("run__org_unit"),
    ).order_by("-period", "-run__model__version")
    return Subquery(earlier.values(field)[:1])


def run_results(user: Any, run: EvaluationRun) -> list[EvaluationResult]:
    """The run's results the reader may see, best first, each with ``previous_score`` (the
    agent's latest earlier result of the same model code and unit), ``previous_period``,
    ``delta`` and ``values`` {indicator: (value, points)}."""
    rows = list(results_for(user).filter(run=run).annotate(
        previous_score=_previous("score"), previous_period=_previous("period"),
    ).order_by("rank", "agent__code"))
    values: dict[int, dict[str, tuple[Decimal, Decimal]]] = {}
    for v in IndicatorValue.objects.filter(run=run, agent_id__in=[r.agent_id for r in rows]):
        values.setdefault(v.agent_id, {})[v.indicator] = (v.value, v.score)
    for r in rows:
        r.delta = r.score - r.previous_score if r.previous_score is not None else None
        r.values = values.get(r.agent_id, {})
    return rows


def result_for(user: Any, pk: Any) -> EvaluationResult:
    return EvaluationResult.objects.select_related("agent", "city", "run__model", "run__org_unit").get_visible(
        user, pk=pk)


def agent_history(user: Any, agent: Agent, model_code: str) -> list[EvaluationResult]:
    """An agent's results of one model code over the months (the latest version per month)."""
    rows = (results_for(user).filter(agent=agent, run__model__code=model_code)
            .order_by("period", "-run__model__version", "run__org_unit__depth"))
    seen: dict = {}
    for r in rows:
        seen.setdefault(r.period, r)
    return list(seen.values())


def indicator_points(result: EvaluationResult) -> list[dict]:
    """The indicators of a result in the model's order: label, value, points, weight."""
    values = {v.indicator: v for v in IndicatorValue.objects.filter(run=result.run, agent=result.agent)}
    rows = []
    for item in result.run.model.items.all():
        v = values.get(item.indicator)
        rows.append({"code": item.indicator, "label": str(INDICATORS[item.indicator].label), "weight": item.weight,
                     "value": v.value if v else None, "score": v.score if v else None,
                     "unit": str(INDICATORS[item.indicator].unit)})
    return rows


def models_for(user: Any) -> QuerySet[EvaluationModel]:
    return EvaluationModel.objects.visible_to(user).prefetch_related("items")


def exports_for(user: Any) -> QuerySet[EvaluationExport]:
    return EvaluationExport.objects.visible_to(user).select_related("run__model", "created_by")

