"""Evaluation runs on the hand-made dataset: indicator values, points, weighted scores, ranks,
history, idempotent reruns and model validation."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kams.audit.models import AuditEntry
from kams.channelstats import selectors, services
from kams.channelstats.errors import ModelInvalid, UnknownIndicator, WeightsNot100
from kams.channelstats.indicators import INDICATORS
from kams.channelstats.models import EvaluationModel, EvaluationResult, EvaluationRun, IndicatorValue, ManualScore
from kams.channelstats.tests.conftest import FEB, MARCH, SIMPLE_ITEMS

pytestmark = pytest.mark.django_db


def _values(run, agent):
    return {v.indicator: (v.value, v.score) for v in IndicatorValue.objects.filter(run=run, agent=agent)}


def test_three_agents_hand_computed(evaldata, simple_model):
    run = services.evaluation_run(actor=evaldata.user("js_channel"), model=simple_model, period="2025-03")
    a = evaldata.agents
    assert run.agent_count == 3
    assert _values(run, a["nj_a1"]) == {
        "new_users": (Decimal("2"), Decimal("50")), "revenue": (Decimal("130"), Decimal("65")),
        "churn_rate": (Decimal("50"), Decimal("0")),
    }
    assert _values(run, a["nj_a2"]) == {
        "new_users": (Decimal("5"), Decimal("100")), "revenue": (Decimal("40"), Decimal("20")),
        "churn_rate": (Decimal("0"), Decimal("100")),
    }
    assert _values(run, a["sz_a1"]) == {
        "new_users": (Decimal("1"), Decimal("25")), "revenue": (Decimal("310"), Decimal("100")),
        "churn_rate": (Decimal("0"), Decimal("100")),
    }
    results = {r.agent.code: (r.score, r.rank, r.rank_in_level, r.rank_in_city, r.city.code)
               for r in EvaluationResult.objects.filter(run=run).select_related("agent", "city")}
    assert results == {
        "A32010001": (Decimal("39.50"), 3, 2, 2, "NJ"),
        "A32010002": (Decimal("76.00"), 1, 1, 1, "NJ"),
        "A32050001": (Decimal("70.00"), 2, 1, 1, "SZ"),
    }
    assert AuditEntry.objects.filter(action="channelstats.run").count() == 1


def test_every_indicator_value(evaldata):
    ManualScore.objects.create(agent=evaldata.agents["nj_a1"], period=MARCH, kind="satisfaction", value=Decimal("92.5"))
    items = [{"indicator": code, "weight": "5", "method": "rank"} for code in INDICATORS if code not in ("products", "other")]
    items += [{"indicator": "products", "weight": "20", "floor": "0", "target": "2"},
              {"indicator": "other", "weight": "20", "floor": "0", "target": "10"}]
    model = services.model_save(actor=evaldata.user("js_channel"), code="full", name="全部指标", items=items)
    run = services.evaluation_run(actor=evaldata.user("js_channel"), model=model, period=MARCH)
    values = {k: v for k, (v, _s) in _values(run, evaldata.agents["nj_a1"]).items()}
    assert values == {
        "products": Decimal("2"), "new_users": Decimal("2"), "active_users": Decimal("3"), "volume": Decimal("150"),
        "revenue": Decimal("130"), "arpu": Decimal("75"), "arpu_uplift": Decimal("-5"), "churn": Decimal("1"),
        "churn_rate": Decimal("50"), "satisfaction": Decimal("92.5"), "arrears": Decimal("20"),
        "arrears_rate": Decimal("13.3333"), "late_payments": Decimal("1"), "other": Decimal("0"),
    }
    sz = {k: v for k, (v, _s) in _values(run, evaldata.agents["sz_a1"]).items()}
    assert sz["arrears_rate"] == Decimal("13.8889") and sz["arpu"] == Decimal("180") and sz["active_users"] == 2
    assert sz["arpu_uplift"] == 0 and sz["late_payments"] == 1  # paid after the due date


def test_rerun_is_idempotent(evaldata, simple_model):
    actor = evaldata.user("js_channel")
    first = services.evaluation_run(actor=actor, model=simple_model, period="2025-03")
    before = list(EvaluationResult.objects.filter(run=first).values_list("agent_id", "score", "rank").order_by("agent_id"))
    again = services.evaluation_run(actor=actor, model=simple_model, period="2025-03")
    assert again.pk == first.pk and again.times_run == 2
    assert EvaluationRun.objects.count() == 1
    assert IndicatorValue.objects.count() == 9 and EvaluationResult.objects.count() == 3
    after = list(EvaluationResult.objects.filter(run=again).values_list("agent_id", "score", "rank").order_by("agent_id"))
    assert after == before


def test_history_comparison(evaldata, simple_model):
    actor = evaldata.user("js_channel")
    services.evaluation_run(actor=actor, model=simple_model, period=FEB)
    run = services.evaluation_run(actor=actor, model=simple_model, period=MARCH)
    rows = {r.agent.code: r for r in selectors.run_results(actor, run)}
    # February: a1 new 1 (25 pts), revenue 80 (40 pts), churn rank: all 0 → 100: 10+12+30 = 52.
    a1 = rows["A32010001"]
    assert a1.previous_score == Decimal("52.00") and a1.delta == Decimal("-12.50")
    history = selectors.agent_history(actor, evaldata.agents["nj_a1"], "basic")
    assert [(h.period, h.score) for h in history] == [(FEB, Decimal("52.00")), (MARCH, Decimal("39.50"))]


@pytest.mark.parametrize("items, error", [
    ([{**SIMPLE_ITEMS[0], "weight": "50"}, SIMPLE_ITEMS[1], SIMPLE_ITEMS[2]], WeightsNot100),
    ([*SIMPLE_ITEMS[:2], {"indicator": "calls", "weight": "30"}], UnknownIndicator),
    ([SIMPLE_ITEMS[0], SIMPLE_ITEMS[0], {**SIMPLE_ITEMS[1], "weight": "20"}], ModelInvalid),
    ([{**SIMPLE_ITEMS[0], "target": "0"}, *SIMPLE_ITEMS[1:]], ModelInvalid),
    ([], ModelInvalid),
])
def test_model_validation(evaldata, items, error):
    with pytest.raises(error):
        services.model_save(actor=evaldata.user("js_channel"), code="bad", name="x", items=items)
    assert not EvaluationModel.objects.exists()


def test_model_versions(evaldata, simple_model):
    v2 = services.model_save(actor=evaldata.user("js_channel"), code="basic", name="基本考核二", items=SIMPLE_ITEMS)
    assert (v2.version, simple_model.version) == (2, 1)
    simple_model.refresh_from_db()
    assert not simple_model.is_active and services.model_current("basic") == v2
    assert services.model_current("basic", 1) == simple_model


def test_permissions_and_scope(evaldata, simple_model):
    with pytest.raises(PermissionDenied):
        services.evaluation_run(actor=evaldata.user("sz_director"), model=simple_model, period=MARCH)
    with pytest.raises(PermissionDenied):
        services.model_save(actor=evaldata.user("nj_director"), code="x", name="x", items=SIMPLE_ITEMS)
    with pytest.raises(PermissionDenied):
        services.manual_score_save(actor=evaldata.user("nj_finance"), agent=evaldata.agents["sz_a1"], period=MARCH,
                                   kind="satisfaction", value="90")


def test_scope_of_results(evaldata, simple_model):
    actor = evaldata.user("js_channel")
    province = services.evaluation_run(actor=actor, model=simple_model, period=MARCH)
    nanjing = services.evaluation_run(actor=actor, model=simple_model, period=MARCH,
                                      org_unit=evaldata.channels.units["NJ-SCB"])
    sz = evaldata.user("sz_director")
    assert set(selectors.runs_for(sz)) == {province}
    assert [r.agent.code for r in selectors.run_results(sz, province)] == ["A32050001"]
    with pytest.raises(Http404):
        selectors.run_for(sz, nanjing.pk)
    assert nanjing.agent_count == 2


def test_manual_score_and_bad_input(evaldata):
    actor = evaldata.user("js_channel")
    score = services.manual_score_save(actor=actor, agent=evaldata.agents["nj_a1"], period="2025-03",
                                       kind="satisfaction", value="88.5")
    again = services.manual_score_save(actor=actor, agent=evaldata.agents["nj_a1"], period="2025-03",
                                       kind="satisfaction", value="90")
    assert again.pk == score.pk and again.value == Decimal("90")
    for bad in ({"value": "abc"}, {"period": "March"}, {"kind": "mood"}):
        with pytest.raises(services.InvalidInput):
            services.manual_score_save(**{"actor": actor, "agent": evaldata.agents["nj_a1"], "period": "2025-03",
                                          "kind": "satisfaction", "value": "1", **bad})
    assert ManualScore.objects.get().value == Decimal("90")


def test_manual_scores_import(evaldata):
    actor = evaldata.user("js_channel")
    good = "agent_code,period,kind,value,note\nA32010001,2025-03,satisfaction,91.5,survey\nA32050001,2025-03,other,7,\n"
    assert services.manual_scores_import(actor=actor, content=good.encode()) == 2
    assert services.manual_scores_import(actor=actor, content=good.replace("91.5", "93").encode()) == 2
    assert ManualScore.objects.count() == 2
    assert ManualScore.objects.get(kind="satisfaction").value == Decimal("93")
    for bad in ("agent_code,period,kind,value\nA32010001,2025-03,satisfaction,90\nX999,2025-03,other,1\n",
                "agent_code,period,kind,value\nA32010001,2025-03,mood,90\n",
                "agent_code,period,value\nA32010001,2025-03,90\n",
                "agent_code,period,kind,value\nA32010001,2025-03,satisfaction,high\n"):
        with pytest.raises(services.InvalidInput):
            services.manual_scores_import(actor=actor, content=bad.encode())
    assert ManualScore.objects.get(kind="satisfaction").value == Decimal("93")
