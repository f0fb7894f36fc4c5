"""Pages of the club statistics (CLUB-22) and the points cost (CLUB-17)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import TemplateView

from kams.club.enums import PointsCategory
from kams.clubstats import catalogue, selectors, services
from kams.clubstats.enums import ForecastState, RateSource
from kams.clubstats.exports import xlsx_tables
from kams.clubstats.forms import ForecastForm, SchemeForm
from kams.clubstats.models import PointsScheme, PointsSchemeForecast
from kams.core.errors import KamsError
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage

# Statistics of the other club apps, linked from the index when they are installed: (title,
# icon, URL names to try in turn).
ELSEWHERE = [
    (_lazy("Member activities"), "bi-calendar-event",
     ("clubinfo:activity_stats", "clubinfo:activities_stats", "clubinfo:activity_statistics", "clubinfo:activities")),
    (_lazy("Club service information"), "bi-info-circle",
     ("clubinfo:service_stats", "clubinfo:stats", "clubinfo:statistics", "clubinfo:evaluation")),
    (_lazy("Partner points consumption and exchange"), "bi-arrow-left-right",
     ("partners:exchange_stats", "partners:stats", "partners:statistics", "partners:exchanges")),
    (_lazy("Settlement"), "bi-journal-check",
     ("partners:settlement_stats", "partners:settlement_statistics", "partners:settlements")),
]


def _first_url(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _cell(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return "—"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "money":
        return f"{Decimal(value):,.2f}"
    if kind == "percent":
        return f"{value}%"
    return value


def _tables(statistic: catalogue.Statistic, data: dict, level_list: list) -> list[dict]:
    out = []
    for table in statistic.tables:
        columns = table.columns_for(level_list)
        rows = data.get(table.key, [])
        out.append({
            "key": table.key, "title": table.title, "note": table.note,
            "columns": [{"label": c.label, "numeric": c.numeric} for c in columns],
            "rows": [[{"value": _cell(r.get(c.key), c.kind), "numeric": c.numeric} for c in columns] for r in rows],
        })
    return out


class StatisticsIndexPage(PermissionRequiredMixin, TemplateView):
    """统计分析: the statistics of the club, with links to those of the partner and activity pages."""

    permission_required = catalogue.STATS_PERM
    template_name = "clubstats/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        entries = [catalogue.STATISTICS[n] for n in catalogue.STATISTIC_PAGES]
        if user.has_perm(catalogue.COST_PERM):
            entries += [catalogue.STATISTICS[n] for n in catalogue.COST_PAGES]
        elsewhere = [{"title": title, "icon": icon, "url": url}
                     for title, icon, names in ELSEWHERE if (url := _first_url(names)) is not None]
        return super().get_context_data(
            title=_("Club statistics"),
            statistics=[{"title": s.title, "description": s.description, "icon": s.icon,
                         "url": reverse(f"clubstats:{s.name}")} for s in entries],
            elsewhere=elsewhere, may_schemes=user.has_perm("clubstats.view_pointsscheme"), **kwargs,
        )


class StatisticPage(PermissionRequiredMixin, TemplateView):
    """One statistic: filters, charts, tables, Excel."""

    template_name = "clubstats/statistic.html"
    statistic_name = ""

    @cached_property
    def statistic(self) -> catalogue.Statistic:
        return catalogue.statistic(self.statistic_name)

    def get_permission_required(self):
        return (self.statistic.perm,)

    def _figures(self):
        error = None
        try:
            filters = selectors.parse_filters(self.request.GET)
        except KamsError as exc:
            error, filters = exc.text, selectors.parse_filters({})
        return filters, self.statistic.compute(self.request.user, filters), error

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            filters, data, _error = self._figures()
            level_list = selectors.levels()
            sheets = [
                (table.title, [(c.label, c.key) for c in table.columns_for(level_list)], data.get(table.key, []))
                for table in self.statistic.tables
            ]
            return xlsx_tables(sheets=sheets, filename=f"club-{self.statistic.name.replace('_', '-')}")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        filters, data, error = self._figures()
        level_list = selectors.levels()
        query = self.request.GET.copy()
        query["export"] = "xlsx"
        return super().get_context_data(
            title=self.statistic.title, statistic=self.statistic, filters=filters, error=error,
            tables=_tables(self.statistic, data, level_list), charts=self.statistic.charts(data, level_list),
            cities=selectors.cities_for(self.request.user), levels=level_list, export_url="?" + query.urlencode(),
            index_url=reverse("clubstats:index") if self.request.user.has_perm(catalogue.STATS_PERM) else None,
            api_url=reverse("clubstats_api:statistic", args=[self.statistic.name]) + "?" + _query(filters),
            **kwargs,
        )


def _query(filters: selectors.StatFilters) -> str:
    from urllib.parse import urlencode

    return urlencode(filters.query())


# --- Points schemes and forecasts ----------------------------------------------------------------


class SchemeListPage(ListPage):
    """积分方案: the schemes with their last forecast."""

    permission_required = "clubstats.view_pointsscheme"
    model = PointsScheme
    title = _lazy("Points schemes")
    export_name = "points-schemes"
    template_name = "clubstats/schemes.html"
    columns = [
        (_lazy("Scheme name"), lambda s: s.name),
        (_lazy("Rules changed"), lambda s: ", ".join(sorted(s.rules or {})) or "—"),
        (_lazy("Expected redemption rate"), lambda s: s.redemption_rate if s.redemption_rate is not None else _("From history")),
        (_lazy("Cost per point (yuan)"), lambda s: s.cost_per_point if s.cost_per_point is not None else _("From history")),
        (_lazy("Updated at"), lambda s: s.updated_at),
    ]
    sort_fields = {"name": "name", "updated": "updated_at"}
    default_sort = "name"

    def row_url(self, row):
        return reverse("clubstats:scheme", args=[row.pk])


class SchemeFormPage(ServiceFormPage):
    permission_required = "clubstats.add_pointsscheme"
    form_class = SchemeForm
    template_name = "web/form.html"
    success_message = _lazy("The points scheme was saved.")

    @cached_property
    def scheme(self) -> PointsScheme | None:
        if "pk" not in self.kwargs:
            return None
        scheme = PointsScheme.objects.filter(pk=self.kwargs["pk"]).first()
        if scheme is None:
            raise Http404
        return scheme

    def get_permission_required(self):
        return ("clubstats.change_pointsscheme",) if "pk" in self.kwargs else ("clubstats.add_pointsscheme",)

    def extra_form_kwargs(self) -> dict:
        return {"scheme": self.scheme}

    def get_initial(self):
        if self.scheme is None:
            return {}
        s = self.scheme
        return {"name": s.name, "description": s.description, "redemption_rate": s.redemption_rate,
                "cost_per_point": s.cost_per_point}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.scheme.name if self.scheme else _("New points scheme"))
        kwargs.setdefault("cancel_url", reverse("clubstats:scheme", args=[self.scheme.pk]) if self.scheme
                          else reverse("clubstats:schemes"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.scheme_save(
            actor=self.request.user, scheme=self.scheme, name=data["name"], description=data["description"],
            rules=form.changes(), redemption_rate=data["redemption_rate"], cost_per_point=data["cost_per_point"],
        )

    def success_url_for(self, obj):
        return reverse("clubstats:scheme", args=[obj.pk])


class SchemeDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "clubstats.view_pointsscheme"
    template_name = "clubstats/scheme.html"

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        from kams.clubstats import forecast as engine

        scheme = PointsScheme.objects.filter(pk=kwargs["pk"]).select_related("created_by").first()
        if scheme is None:
            raise Http404
        current = engine.current_rules(timezone.localdate().replace(day=1))
        changed = engine.apply_scheme(current, scheme.rules or {})
        categories = dict(PointsCategory.choices)
        rules = [{"code": c.code, "name": c.name, "category": categories.get(c.category, c.category),
                  "current": c.values(), "scheme": s.values(), "changed": c.values() != s.values()}
                 for c, s in zip(current, changed)]
        forecasts = list(scheme.forecasts.select_related("created_by", "job")[:50])
        return super().get_context_data(
            title=scheme.name, scheme=scheme, rules=rules, forecasts=forecasts, form=ForecastForm(),
            may_run=self.request.user.has_perm("clubstats.add_pointsschemeforecast"),
            may_edit=self.request.user.has_perm("clubstats.change_pointsscheme"),
            unknown=sorted(set(scheme.rules or {}) - {c.code for c in current}), **kwargs,
        )


class ForecastStartView(PermissionRequiredMixin, View):
    permission_required = "clubstats.add_pointsschemeforecast"

    def post(self, request, pk):
        scheme = PointsScheme.objects.filter(pk=pk).first()
        if scheme is None:
            raise Http404
        form = ForecastForm(request.POST)
        if not form.is_valid():
            messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
            return redirect("clubstats:scheme", pk=scheme.pk)
        try:
            forecast = services.forecast_start(actor=request.user, scheme=scheme, months=form.cleaned_data["months"])
        except KamsError as exc:
            messages.error(request, exc.text)
            return redirect("clubstats:scheme", pk=scheme.pk)
        return redirect("clubstats:forecast", pk=forecast.pk)


def _forecast_sheets(forecast: PointsSchemeForecast) -> list:
    figures = forecast.figures or {}
    months = [
        {**row, "issued_cost": Decimal(row["issued_cost"]), "scheme_cost": Decimal(row["scheme_cost"]),
         "difference_cost": Decimal(row["difference_cost"]), "has_run": _("Yes") if row["has_run"] else _("No")}
        for row in figures.get("months", [])
    ]
    rules = [
        {**r, "current_values": _values_text(r["current"]), "scheme_values": _values_text(r["scheme"]),
         "changed": _("Yes") if r["changed"] else _("No")}
        for r in figures.get("by_rule", [])
    ]
    return [
        (_("Per month"), [
            (_("Month"), "month"), (_("Number of members"), "members"), (_("Members billed"), "billed_members"),
            (_("Monthly run"), "has_run"), (_("Points issued"), "issued"), (_("Current rules recomputed"), "current"),
            (_("Scheme points"), "scheme"), (_("Difference"), "difference"), (_("Expected cost now (yuan)"), "issued_cost"),
            (_("Expected cost of the scheme (yuan)"), "scheme_cost"), (_("Cost difference (yuan)"), "difference_cost"),
        ], months),
        (_("Per rule"), [
            (_("Code"), "code"), (_("Points rule"), "name"), (_("Current values"), "current_values"),
            (_("Scheme values"), "scheme_values"), (_("Changed"), "changed"),
            (_("Points with the current values"), "current_points"), (_("Points with the scheme"), "scheme_points"),
        ], rules),
    ]


def _values_text(values: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


class ForecastDetailPage(PermissionRequiredMixin, TemplateView):
    """A forecast: its progress while it runs, then the comparison per month and rule."""

    permission_required = "clubstats.view_pointsschemeforecast"
    template_name = "clubstats/forecast.html"

    @cached_property
    def forecast(self) -> PointsSchemeForecast:
        forecast = PointsSchemeForecast.objects.select_related("scheme", "job", "created_by").filter(pk=self.kwargs["pk"]).first()
        if forecast is None:
            raise Http404
        return forecast

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx" and self.forecast.state == ForecastState.DONE:
            return xlsx_tables(sheets=_forecast_sheets(self.forecast), filename=f"points-scheme-forecast-{self.forecast.pk}")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        forecast = self.forecast
        figures = forecast.figures or {}
        rows = figures.get("months", [])
        chart = {
            "id": "chart-forecast", "title": _("Points issued now and with the scheme per month"),
            "categories": [r["month"] for r in rows], "axes": [_("Points"), _("Yuan")],
            "series": [
                {"name": _("Points issued"), "type": "bar", "data": [r["issued"] for r in rows]},
                {"name": _("Scheme points"), "type": "bar", "data": [r["scheme"] for r in rows]},
                {"name": _("Expected cost now (yuan)"), "type": "line", "axis": 1, "data": [float(r["issued_cost"]) for r in rows]},
                {"name": _("Expected cost of the scheme (yuan)"), "type": "line", "axis": 1,
                 "data": [float(r["scheme_cost"]) for r in rows]},
            ],
        }
        inputs = forecast.inputs or {}
        rate_labels = dict(RateSource.choices)
        return super().get_context_data(
            title=_("Forecast of %(scheme)s") % {"scheme": forecast.scheme.name}, forecast=forecast, figures=figures,
            rows=rows, totals=figures.get("totals", {}), charts=[chart] if rows else [],
            running=forecast.state in (ForecastState.QUEUED, ForecastState.RUNNING),
            rate=inputs.get("redemption_rate", {}), per_point=inputs.get("cost_per_point", {}),
            rate_source=rate_labels.get(inputs.get("redemption_rate", {}).get("source"), ""),
            per_point_source=rate_labels.get(inputs.get("cost_per_point", {}).get("source"), ""),
            others=PointsSchemeForecast.objects.filter(state=ForecastState.DONE).exclude(pk=forecast.pk)
            .select_related("scheme")[:30],
            **kwargs,
        )


class ForecastComparePage(PermissionRequiredMixin, TemplateView):
    """Forecasts side by side: the points issued now and each scheme's, per month and in total."""

    permission_required = "clubstats.view_pointsschemeforecast"
    template_name = "clubstats/compare.html"

    def get_context_data(self, **kwargs):
        ids = [int(i) for i in self.request.GET.getlist("ids") if str(i).isdigit()][:8]
        forecasts = list(PointsSchemeForecast.objects.filter(pk__in=ids, state=ForecastState.DONE).select_related("scheme")
                         .order_by("pk"))
        months = sorted({r["month"] for f in forecasts for r in (f.figures or {}).get("months", [])})
        series = []
        if forecasts:
            issued: dict[str, int] = {}
            for f in forecasts:
                for r in f.figures.get("months", []):
                    issued.setdefault(r["month"], r["issued"])
            series.append({"name": _("Points issued"), "type": "bar", "data": [issued.get(m, 0) for m in months]})
        for f in forecasts:
            by_month = {r["month"]: r["scheme"] for r in f.figures.get("months", [])}
            series.append({"name": f"{f.scheme.name} #{f.pk}", "type": "line", "data": [by_month.get(m) for m in months]})
        chart = {"id": "chart-compare", "title": _("Points per month: issued and with each scheme"), "categories": months,
                 "axes": [_("Points")], "series": series}
        return super().get_context_data(
            title=_("Compare forecasts"), forecasts=forecasts, charts=[chart] if forecasts else [],
            choices=PointsSchemeForecast.objects.filter(state=ForecastState.DONE).select_related("scheme")[:50],
            chosen=set(ids), **kwargs,
        )
