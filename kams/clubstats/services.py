"""Writes of the points cost management (积分成本管理, CLUB-17): points schemes and their
forecasts. Every function checks permission, runs in a transaction and writes the audit log.

A forecast over few bills is computed at once; over more than ``club.forecast_inline_bills``
it runs as a background job (``kams.clubstats.tasks``) whose progress the forecast page shows.
The forecast covers the members in the scope of the person who starts it.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.billing.models import BillImport, BillSummary, ImportState
from kams.club.enums import MemberStatus, PointsCategory
from kams.club.models import ClubMember, PointsEntry, PointsRule
from kams.clubstats import forecast as engine
from kams.clubstats import selectors
from kams.clubstats.enums import ForecastState, RateSource
from kams.clubstats.errors import ForecastRunning, NoBills
from kams.clubstats.models import PointsScheme, PointsSchemeForecast
from kams.core.errors import InvalidInput
from kams.org.scoping import require_perm, scope_for
from kams.system.models import JobRun
from kams.system.parameters import param

SCHEME_FIELDS = ("name", "description", "rules", "redemption_rate", "cost_per_point")
MAX_MONTHS = 36
RATE_LIMITS = {
    PointsCategory.CONSUMPTION: Decimal("1000"),
    PointsCategory.LATE_PENALTY: Decimal("1"),
    PointsCategory.UNPAID_PENALTY: Decimal("1"),
}


# --- Schemes -------------------------------------------------------------------------------------


def _decimal(raw: Any, field: str, low: Decimal, high: Decimal) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(field)s: give a number.") % {"field": field}) from None
    if not value.is_finite() or value < low or value > high:
        raise InvalidInput(_("%(field)s: give a number from %(low)s to %(high)s.") % {"field": field, "low": low, "high": high})
    return value


def _whole(raw: Any, field: str, high: int) -> int:
    if isinstance(raw, bool):
        raise InvalidInput(_("%(field)s: give a whole number from 0 to %(high)s.") % {"field": field, "high": high})
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = Decimal("-1")
    if not value.is_finite() or value != value.to_integral_value() or value < 0 or value > high:
        raise InvalidInput(_("%(field)s: give a whole number from 0 to %(high)s.") % {"field": field, "high": high})
    return int(value)


def clean_rules(raw: Any) -> dict[str, dict]:
    """The rule changes of a scheme: per rule code an object of the values it changes (rate for
    consumption and penalties, points — ``amount`` — and years for rewards)."""
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise InvalidInput(_("rules: not valid JSON.")) from None
    if not isinstance(raw, dict):
        raise InvalidInput(_('rules: give an object of rule codes, e.g. {"CONS-DATA": {"rate": "2"}}.'))
    categories = dict(PointsRule.objects.filter(code__in=list(raw)).values_list("code", "category"))
    cleaned: dict[str, dict] = {}
    for code, values in raw.items():
        if code not in categories:
            raise InvalidInput(_("rules: there is no points rule %(code)s.") % {"code": code})
        allowed = engine.CHANGEABLE.get(categories[code])
        if allowed is None:
            raise InvalidInput(_("rules: the rule %(code)s is not computed from the bills.") % {"code": code})
        if not isinstance(values, dict) or not values:
            raise InvalidInput(_('rules: give the changed values of %(code)s as an object, e.g. {"rate": "2"}.')
                               % {"code": code})
        unknown = set(values) - set(allowed)
        if unknown:
            raise InvalidInput(_("rules: %(code)s may change only %(keys)s.") % {"code": code, "keys": ", ".join(allowed)})
        change: dict[str, Any] = {}
        for key, value in values.items():
            field = f"rules.{code}.{key}"
            if key == "rate":
                rate = _decimal(value, field, Decimal("0"), RATE_LIMITS[categories[code]])
                if rate is None:
                    raise InvalidInput(_("%(field)s: give a number.") % {"field": field})
                change[key] = str(rate.quantize(Decimal("0.0001")))
            else:
                change[key] = _whole(value, field, 1000000 if key == "amount" else 100)
        cleaned[code] = change
    return cleaned


@transaction.atomic
def scheme_save(*, actor: Any, scheme: PointsScheme | None = None, **fields: Any) -> PointsScheme:
    """积分方案: create a scheme or change one (``fields``: name, description, rules,
    redemption_rate, cost_per_point)."""
    require_perm(actor, "clubstats.change_pointsscheme" if scheme is not None else "clubstats.add_pointsscheme")
    unknown = set(fields) - set(SCHEME_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown scheme fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    before = snapshot(scheme, SCHEME_FIELDS) if scheme is not None else None
    values: dict[str, Any] = {}
    if scheme is None or "name" in fields:
        name = str(fields.get("name") or "").strip()
        if not name:
            raise InvalidInput(_("name: a scheme needs a name."))
        if len(name) > 80:
            raise InvalidInput(_("name: at most 80 characters."))
        clash = PointsScheme.objects.filter(name=name)
        if scheme is not None:
            clash = clash.exclude(pk=scheme.pk)
        if clash.exists():
            raise InvalidInput(_("name: there is already a scheme named %(name)s.") % {"name": name})
        values["name"] = name
    if "description" in fields:
        values["description"] = str(fields["description"] or "").strip()
    if "rules" in fields:
        values["rules"] = clean_rules(fields["rules"])
    if "redemption_rate" in fields:
        values["redemption_rate"] = _decimal(fields["redemption_rate"], "redemption_rate", Decimal("0"), Decimal("1"))
    if "cost_per_point" in fields:
        values["cost_per_point"] = _decimal(fields["cost_per_point"], "cost_per_point", Decimal("0"), Decimal("10"))
    if scheme is None:
        scheme = PointsScheme(created_by=actor)
    else:
        scheme = PointsScheme.objects.select_for_update().get(pk=scheme.pk)
    for key, value in values.items():
        setattr(scheme, key, value)
    scheme.save()
    audit_record(actor=actor, action="clubstats.scheme_save", target=scheme, before=before,
                 after=snapshot(scheme, SCHEME_FIELDS))
    return scheme


# --- Forecasts -----------------------------------------------------------------------------------


def forecast_periods(months: int) -> list:
    """The last ``months`` months with imported bills, before this month, oldest first."""
    this_month = timezone.localdate().replace(day=1)
    periods = list(
        BillImport.objects.filter(state=ImportState.IMPORTED, superseded=False, period__lt=this_month)
        .order_by("-period").values_list("period", flat=True).distinct()[:months]
    )
    return sorted(set(periods))


def _months(raw: Any) -> int:
    value = _whole(raw if raw not in (None, "") else 12, "months", MAX_MONTHS)
    if value < 1:
        raise InvalidInput(_("months: give a whole number from 1 to %(high)s.") % {"high": MAX_MONTHS})
    return value


def forecast_start(*, actor: Any, scheme: PointsScheme, months: Any = 12) -> PointsSchemeForecast:
    """积分成本预测: forecast ``scheme`` on the last ``months`` months of imported bills, at once
    for few bills, else in a background job."""
    require_perm(actor, "clubstats.add_pointsschemeforecast")
    months = _months(months)
    periods = forecast_periods(months)
    if not periods:
        raise NoBills()
    bills = BillSummary.objects.visible_to(actor).filter(period__in=periods).count()
    inline = bills <= param("club.forecast_inline_bills")
    with transaction.atomic():
        PointsScheme.objects.select_for_update().get(pk=scheme.pk)  # one start per scheme at a time
        if PointsSchemeForecast.objects.filter(scheme=scheme, state__in=[ForecastState.QUEUED, ForecastState.RUNNING]).exists():
            raise ForecastRunning()
        forecast = PointsSchemeForecast.objects.create(
            scheme=scheme, months=months, period_from=periods[0], period_to=periods[-1], created_by=actor,
            inputs={"periods": [f"{p:%Y-%m}" for p in periods], "bills": bills, "scope": scope_for(actor).label},
        )
        if not inline:
            forecast.job = JobRun.objects.create(
                name="clubstats.forecast", label=_("Points scheme forecast: %(name)s") % {"name": scheme.name},
                started_by=actor, params={"forecast": forecast.pk}, progress_total=4,
            )
            forecast.save(update_fields=["job"])
            job_id = forecast.job.pk

            def enqueue() -> None:
                from kams.clubstats.tasks import forecast_task

                forecast_task.enqueue(job_run_id=job_id)

            transaction.on_commit(enqueue)
        audit_record(actor=actor, action="clubstats.forecast_start", target=forecast,
                     after={"scheme": scheme.name, "months": months, "bills": bills, "background": not inline},
                     target_repr=f"{scheme.name} {periods[0]:%Y-%m} – {periods[-1]:%Y-%m}")
    if inline:
        forecast = forecast_execute(forecast=forecast)
    return forecast


def _rates(scheme: PointsScheme, actor: Any) -> tuple[dict, dict]:
    if scheme.redemption_rate is not None:
        rate = {"value": scheme.redemption_rate, "source": RateSource.SCHEME}
    else:
        rate = selectors.redemption_rate(actor)
    if scheme.cost_per_point is not None:
        per_point = {"value": scheme.cost_per_point, "source": RateSource.SCHEME}
    else:
        per_point = selectors.cost_per_point(actor)
    return rate, per_point


def _plain(rate: dict) -> dict:
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in rate.items()}


def forecast_execute(*, forecast: PointsSchemeForecast, progress: Any = None) -> PointsSchemeForecast:
    """Compute a started forecast (at once or in its job): the rates, the one statement of the
    scheme's points, the runs' points, the figures. A failure marks the forecast failed."""
    forecast = PointsSchemeForecast.objects.select_related("scheme", "created_by").get(pk=forecast.pk)
    actor = forecast.created_by
    PointsSchemeForecast.objects.filter(pk=forecast.pk).update(state=ForecastState.RUNNING)
    if progress is not None:
        progress.set_total(4)
    try:
        periods = [selectors.parse_month(p, "period") for p in forecast.inputs["periods"]]
        scheme = forecast.scheme
        rate, per_point = _rates(scheme, actor)
        current = engine.current_rules(periods[-1])
        changes = scheme.rules or {}
        scheme_rules = engine.apply_scheme(current, changes)
        _advance(progress, _("Rates"))
        members = ClubMember.objects.visible_to(actor).filter(status=MemberStatus.ACTIVE)
        computed = engine.scheme_points(current=current, scheme=scheme_rules, periods=periods, members=members)
        _advance(progress, _("Scheme points"))
        issued, run_months = engine.issued_points(periods=periods, entries=PointsEntry.objects.visible_to(actor))
        _advance(progress, _("Points issued"))
        result = engine.figures(current=current, scheme=scheme_rules, computed=computed, issued=issued,
                                run_months=run_months, months=[f"{p:%Y-%m}" for p in periods],
                                rate=Decimal(rate["value"]), per_point=Decimal(per_point["value"]))
        in_force = {r.code for r in current}
        inputs = {
            **forecast.inputs, "rules": [r["code"] for r in result["by_rule"]], "changes": changes,
            "ignored": sorted(set(changes) - in_force), "redemption_rate": _plain(rate), "cost_per_point": _plain(per_point),
        }
        with transaction.atomic():
            PointsSchemeForecast.objects.filter(pk=forecast.pk).update(
                state=ForecastState.DONE, figures=result, inputs=inputs, finished_at=timezone.now(), error="",
            )
        _advance(progress, _("Done"))
    except Exception as exc:
        PointsSchemeForecast.objects.filter(pk=forecast.pk).update(
            state=ForecastState.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    forecast.refresh_from_db()
    return forecast


def _advance(progress: Any, message: str) -> None:
    if progress is not None:
        progress.advance(1, message=str(message))
