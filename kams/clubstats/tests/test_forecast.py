"""Points schemes and their forecasts (CLUB-17 b): figures computed by hand from the known
October bills (see conftest), the history rates, the background job, bad input."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from kams.audit.models import AuditEntry
from kams.clubstats import services
from kams.clubstats.enums import ForecastState, RateSource
from kams.clubstats.errors import ForecastRunning, NoBills
from kams.clubstats.models import PointsScheme, PointsSchemeForecast
from kams.core.errors import InvalidInput

# The October run, rule by rule (diamond + emerald + sapphire):
RUN = {"CONS-MOBILE": 800 + 300 + 25, "CONS-DATA": 200 + 0 + 25, "TENURE": 300, "PUNCTUAL": 50, "LATE": -60, "UNPAID": -25}


def _scheme(world, **fields):
    fields.setdefault("name", "双倍移动积分")
    return services.scheme_save(actor=world.user("js_club"), **fields)


def _rules(forecast):
    return {r["code"]: r for r in forecast.figures["by_rule"]}


def test_the_current_rules_recomputed_give_what_the_run_issued(world):
    forecast = services.forecast_start(actor=world.user("js_club"), scheme=_scheme(world, name="不变"), months=3)
    assert forecast.state == ForecastState.DONE
    assert forecast.inputs["periods"] == ["2026-10"]
    october = forecast.figures["months"][0]
    assert (october["month"], october["has_run"], october["members"], october["billed_members"]) == ("2026-10", True, 3, 3)
    assert october["issued"] == october["current"] == october["scheme"] == sum(RUN.values()) == 1615
    rules = _rules(forecast)
    assert {code: rules[code]["current_points"] for code in RUN} == RUN
    assert october["issued_by_category"] == october["current_by_category"] == {
        "consumption": 1350, "tenure": 300, "punctuality": 50, "late_penalty": -60, "unpaid_penalty": -25}


def test_doubling_the_mobile_rate_doubles_the_mobile_consumption_points(world):
    scheme = _scheme(world, rules={"CONS-MOBILE": {"rate": "2"}}, redemption_rate="0.5", cost_per_point="0.01")
    forecast = services.forecast_start(actor=world.user("js_club"), scheme=scheme, months=12)
    rules = _rules(forecast)
    assert rules["CONS-MOBILE"]["scheme_points"] == 2 * rules["CONS-MOBILE"]["current_points"] == 2 * 1125
    assert rules["CONS-MOBILE"]["changed"] and not rules["CONS-DATA"]["changed"]
    assert rules["CONS-DATA"]["scheme_points"] == 225
    # The penalties are shares of the (now larger) consumption points: emerald's late penalty is
    # 20 % of 600, sapphire's unpaid penalty half of 50 + 25.
    assert rules["LATE"]["scheme_points"] == -120
    assert rules["UNPAID"]["scheme_points"] == -37
    totals = forecast.figures["totals"]
    assert (totals["issued"], totals["scheme"]) == (1615, 2250 + 225 + 300 + 50 - 120 - 37)
    # Cost = points × redemption rate × cost per point.
    assert totals["issued_cost"] == "8.08"  # 1615 × 0.5 × 0.01 = 8.075
    assert totals["scheme_cost"] == "13.34"  # 2668 × 0.005
    assert totals["difference_cost"] == "5.26"
    assert totals["change_pct"] == str((Decimal(2668 - 1615) * 100 / 1615).quantize(Decimal("0.01")))
    assert forecast.inputs["redemption_rate"]["source"] == RateSource.SCHEME


def test_rewards_and_years_of_a_scheme(world):
    scheme = _scheme(world, rules={"TENURE": {"amount": 20, "max_years": 5}, "PUNCTUAL": {"amount": 0},
                                   "UNPAID": {"rate": "0"}})
    forecast = services.forecast_start(actor=world.user("js_club"), scheme=scheme)
    rules = _rules(forecast)
    assert rules["TENURE"]["scheme_points"] == 3 * 20 * 5  # 11 years, capped at 5
    assert rules["PUNCTUAL"]["scheme_points"] == 0 and rules["UNPAID"]["scheme_points"] == 0
    assert rules["LATE"]["scheme_points"] == -60  # still only emerald: sapphire's bill is unpaid, not late


def test_the_rates_come_from_the_last_twelve_months_when_the_scheme_sets_none(world):
    forecast = services.forecast_start(actor=world.user("js_club"), scheme=_scheme(world))
    rate, per_point = forecast.inputs["redemption_rate"], forecast.inputs["cost_per_point"]
    # Redeemed 2,000 + 100 (the reversed 1,000 not counted) of 1,700 earned by the run + 3,000 activity points.
    assert (rate["source"], rate["redeemed"], rate["issued"], rate["value"]) == (RateSource.HISTORY, 2100, 4700, "0.4468")
    assert (per_point["source"], per_point["value"]) == (RateSource.HISTORY, "0.014762")  # 31.00 / 2,100
    expected = (Decimal(1615) * Decimal("0.4468") * Decimal("0.014762")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert forecast.figures["totals"]["issued_cost"] == str(expected)


def test_without_redemptions_the_parameter_values_a_point(province, club, october_run):
    forecast = services.forecast_start(actor=province.user("js_club"),
                                       scheme=services.scheme_save(actor=province.user("js_club"), name="空"))
    assert forecast.inputs["cost_per_point"] == {"value": "0.008", "source": RateSource.PARAMETER,
                                                 "window": forecast.inputs["cost_per_point"]["window"], "cost": "0.00",
                                                 "points": 0}


def test_a_month_without_a_run_is_compared_with_the_current_rules_recomputed(province, club, club_accounts):
    from kams.club.testing import load_bills, october_bill

    load_bills("2026-09", [october_bill("2501000001", "13951000001", period="2026-09", paid_on="2026-10-10")])
    scheme = services.scheme_save(actor=province.user("js_club"), name="数据翻倍", rules={"CONS-DATA": {"rate": "2"}})
    forecast = services.forecast_start(actor=province.user("js_club"), scheme=scheme, months=1)
    (september,) = forecast.figures["months"]
    assert (september["month"], september["has_run"]) == ("2026-09", False)
    assert september["issued"] == september["current"] == 800 + 200 + 100 + 50 + 100 + 100  # + emerald's, sapphire's tenure
    assert september["scheme"] == september["current"] + 200


def test_a_large_forecast_runs_as_a_job_with_progress(world, django_capture_on_commit_callbacks):
    from kams.system.models import JobRun, SystemParameter

    SystemParameter.objects.create(key="club.forecast_inline_bills", value=0)
    scheme = _scheme(world, rules={"CONS-DATA": {"rate": "2"}})
    with django_capture_on_commit_callbacks() as callbacks:
        forecast = services.forecast_start(actor=world.user("js_club"), scheme=scheme)
    assert len(callbacks) == 1  # the job is queued after commit
    assert forecast.state == ForecastState.QUEUED and forecast.job is not None
    job = JobRun.objects.get(pk=forecast.job_id)
    assert (job.name, job.params) == ("clubstats.forecast", {"forecast": forecast.pk})
    with pytest.raises(ForecastRunning):
        services.forecast_start(actor=world.user("js_club"), scheme=scheme)

    class Progress:
        def __init__(self):
            self.total, self.done, self.messages = 0, 0, []

        def set_total(self, total):
            self.total = total

        def advance(self, n=1, message=""):
            self.done += n
            self.messages.append(message)

    progress = Progress()
    done = services.forecast_execute(forecast=forecast, progress=progress)  # what the worker's task runs in job_run
    assert done.state == ForecastState.DONE and (progress.total, progress.done) == (4, 4)
    assert _rules(done)["CONS-DATA"]["scheme_points"] == 2 * 225


@pytest.mark.django_db(transaction=True)
def test_the_forecast_task_records_its_job(world):
    from kams.clubstats.tasks import forecast_task
    from kams.system.models import JobRun, JobState, SystemParameter

    SystemParameter.objects.create(key="club.forecast_inline_bills", value=0)
    forecast = services.forecast_start(actor=world.user("js_club"), scheme=_scheme(world))
    forecast_task.call(job_run_id=forecast.job_id)
    job = JobRun.objects.get(pk=forecast.job_id)
    assert job.state == JobState.SUCCEEDED and job.percent == 100
    assert job.result["totals"]["issued"] == 1615
    assert PointsSchemeForecast.objects.get(pk=forecast.pk).state == ForecastState.DONE


def test_forecasts_are_kept_for_comparison(world):
    one = services.forecast_start(actor=world.user("js_club"), scheme=_scheme(world, name="甲"))
    two = services.forecast_start(actor=world.user("js_club"), scheme=_scheme(world, name="乙", rules={"CONS-DATA": {"rate": "3"}}))
    assert PointsSchemeForecast.objects.filter(state=ForecastState.DONE).count() == 2
    # Three times the data points (+450), of which sapphire's unpaid penalty takes half of her +50.
    assert two.figures["totals"]["scheme"] - one.figures["totals"]["scheme"] == 2 * 225 - 25
    assert AuditEntry.objects.filter(action="clubstats.forecast_start").count() == 2


# --- Schemes: input and permission ---------------------------------------------------------------


def test_a_scheme_is_saved_with_an_audit_entry(world):
    scheme = _scheme(world, description="数据业务翻倍", rules='{"CONS-DATA": {"rate": 2}}', redemption_rate="0.6")
    assert scheme.rules == {"CONS-DATA": {"rate": "2.0000"}} and scheme.redemption_rate == Decimal("0.6")
    changed = services.scheme_save(actor=world.user("js_club"), scheme=scheme, cost_per_point="0.009")
    assert (changed.name, changed.cost_per_point, changed.rules) == ("双倍移动积分", Decimal("0.009"), {"CONS-DATA": {"rate": "2.0000"}})
    assert AuditEntry.objects.filter(action="clubstats.scheme_save").count() == 2


@pytest.mark.parametrize("fields, start", [
    ({"name": ""}, "name:"),
    ({"rules": {"NOPE": {"rate": "1"}}}, "rules:"),
    ({"rules": {"CONS-DATA": {"amount": 5}}}, "rules:"),
    ({"rules": {"CONS-DATA": {"rate": "-1"}}}, "rules.CONS-DATA.rate:"),
    ({"rules": {"LATE": {"rate": "1.5"}}}, "rules.LATE.rate:"),
    ({"rules": {"TENURE": {"amount": 1.5}}}, "rules.TENURE.amount:"),
    ({"rules": "{not json"}, "rules:"),
    ({"rules": ["CONS-DATA"]}, "rules:"),
    ({"redemption_rate": "1.2"}, "redemption_rate:"),
    ({"cost_per_point": "abc"}, "cost_per_point:"),
    ({"colour": "red"}, "Unknown"),
])
def test_bad_scheme_input_is_refused_and_nothing_is_saved(world, fields, start):
    fields = {"name": "方案", **fields}
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        services.scheme_save(actor=world.user("js_club"), **fields)
    assert caught.value.text.startswith(start)
    assert not PointsScheme.objects.exists()


def test_two_schemes_cannot_share_a_name(world):
    _scheme(world)
    with pytest.raises(InvalidInput):
        _scheme(world)
    assert PointsScheme.objects.count() == 1


@pytest.mark.parametrize("months", [0, 37, "x", True])
def test_bad_months_are_refused(world, months):
    with pytest.raises(InvalidInput):
        services.forecast_start(actor=world.user("js_club"), scheme=_scheme(world), months=months)
    assert not PointsSchemeForecast.objects.exists()


def test_without_bills_there_is_nothing_to_forecast(province, club):
    scheme = services.scheme_save(actor=province.user("js_club"), name="无账单")
    with pytest.raises(NoBills):
        services.forecast_start(actor=province.user("js_club"), scheme=scheme)


@pytest.mark.parametrize("username", ["nj_director", "js_director", "nj_manager1"])
def test_only_the_club_may_make_schemes(world, username):
    with pytest.raises(PermissionDenied):
        services.scheme_save(actor=world.user(username), name="越权")
    assert not PointsScheme.objects.exists()


def test_finance_reads_forecasts_but_does_not_run_them(world, finance):
    scheme = _scheme(world)
    assert finance.user.has_perm("clubstats.view_pointsschemeforecast")
    with pytest.raises(PermissionDenied):
        services.forecast_start(actor=finance.user, scheme=scheme)
    assert not PointsSchemeForecast.objects.exists()


def test_a_failed_forecast_is_marked_failed(world, monkeypatch):
    from kams.clubstats import forecast as engine
    from kams.system.models import SystemParameter

    SystemParameter.objects.create(key="club.forecast_inline_bills", value=0)
    forecast = services.forecast_start(actor=world.user("js_club"), scheme=_scheme(world))

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(engine, "scheme_points", broken)
    with pytest.raises(RuntimeError):
        services.forecast_execute(forecast=forecast)
    forecast.refresh_from_db()
    assert forecast.state == ForecastState.FAILED and "database gone" in forecast.error
    assert datetime.date.today() >= forecast.finished_at.date()


def test_the_demo_makes_the_double_data_scheme_and_its_forecast(world):
    from kams.demo import club_stats

    assert club_stats.build(None) == 2
    scheme = PointsScheme.objects.get(name="双倍数据业务积分")
    assert scheme.rules == {"CONS-DATA": {"rate": "2.0000"}}
    forecast = scheme.forecasts.get()
    assert forecast.state == ForecastState.DONE
    assert _rules(forecast)["CONS-DATA"]["scheme_points"] == 2 * _rules(forecast)["CONS-DATA"]["current_points"] == 450
    assert club_stats.build(None) == 2  # again: the same scheme, a second forecast
    assert PointsScheme.objects.count() == 1 and scheme.forecasts.count() == 2
