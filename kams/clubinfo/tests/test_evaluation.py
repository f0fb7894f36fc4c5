"""The service-effect evaluation on a known data set: the computed values, achievements,
weighted scores, ranking and the comparison with the previous period."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.http import Http404
from django.utils import timezone

from kams.club.models import RedemptionItem
from kams.club.redemption import redeem
from kams.club.testing import make_member
from kams.clubinfo import evaluation, selectors, services
from kams.clubinfo.models import Evaluation, EvaluationIndicator, EvaluationValue
from kams.clubinfo.testing import make_activity
from kams.core.errors import InvalidInput

D = Decimal


@pytest.fixture
def data(province, info, customers):
    """Nanjing: two members (one attended, scored 5; consultations rated satisfied and
    dissatisfied; one redemption; one care). Suzhou: one member (attended, scored 3; a
    consultation rated very satisfied). Zhenjiang: one member (no activity; one care)."""
    club = province.user("js_club")
    nj2 = make_member(province, customers["nj_m2"], level="EMERALD", name="孙悦")
    diamond, emerald, sapphire = info.members["diamond"], info.members["emerald"], info.members["sapphire"]
    activity = make_activity(province, unit="JS", points=100)
    for member in (diamond, nj2, emerald):
        services.activity_register(actor=club, activity=activity, member=member)
    services.activity_attendance_confirm(actor=club, activity=activity, members=[diamond, emerald])
    for member, score in ((diamond, 5), (emerald, 3)):
        registration = activity.registrations.get(member=member)
        services.activity_feedback_record(actor=club, registration=registration, score=score)
    for member, satisfaction in ((diamond, "satisfied"), (diamond, "dissatisfied"), (nj2, ""), (emerald, "very_satisfied")):
        services.member_consultation_record(actor=club, member=member, channel="10018", question="积分问题",
                                            answer="已答复", satisfaction=satisfaction)
    RedemptionItem.objects.create(code="FEE10", name="10 元话费", kind="fee", points=100)
    redeem(actor=club, item="FEE10", quantity=1, channel_kind="staff", idempotency_key="eval-1", member=diamond)
    services.member_care_record(actor=club, member=diamond, occasion="birthday", content="生日祝福")
    services.member_care_record(actor=club, member=sapphire, occasion="festival", content="中秋慰问")
    today = timezone.localdate()
    return {"start": today - datetime.timedelta(days=30), "end": today}


def test_achievement_and_weighted_score_arithmetic():
    assert evaluation.achievement(D("50"), D("90"), "higher") == D("55.56")
    assert evaluation.achievement(D("120"), D("90"), "higher") == D("100.00")
    assert evaluation.achievement(D("2"), D("1"), "lower") == D("50.00")
    assert evaluation.achievement(D("0"), D("1"), "lower") == D("100.00")
    assert evaluation.achievement(None, D("1"), "lower") is None
    assert evaluation.weighted_score([(D("3"), D("100")), (D("1"), D("0")), (D("5"), None)]) == D("75.00")
    assert evaluation.weighted_score([(D("1"), None)]) is None


def test_evaluation_computes_scores_ranks_and_compares_with_the_previous_period(province, data):
    director = province.user("js_director")
    previous = services.evaluation_run(actor=director, period_start=data["start"] - datetime.timedelta(days=30),
                                       period_end=data["start"] - datetime.timedelta(days=1))
    assert {e.org_unit.code: e.score for e in previous} == {"NJ": D("0.00"), "SZ": D("0.00"), "ZJ": D("0.00")}

    result = services.evaluation_run(actor=director, period_start=data["start"], period_end=data["end"])
    by_city = {e.org_unit.code: e for e in result}
    values = {
        (v.evaluation.org_unit.code, v.indicator.code): v.value
        for v in EvaluationValue.objects.filter(evaluation__in=result).select_related("evaluation__org_unit", "indicator")
    }
    assert values[("NJ", "participation")] == D("50.00")
    assert values[("NJ", "feedback")] == D("5.00")
    assert values[("NJ", "consultation")] == D("50.00")
    assert values[("NJ", "redemptions")] == D("50.00")
    assert values[("NJ", "care")] == D("50.00")
    assert values[("NJ", "complaints")] is None
    assert values[("SZ", "participation")] == D("100.00") and values[("SZ", "feedback")] == D("3.00")
    assert values[("SZ", "consultation")] == D("100.00") and values[("SZ", "redemptions")] == D("0.00")
    assert values[("ZJ", "participation")] == D("0.00") and values[("ZJ", "feedback")] is None
    assert values[("ZJ", "consultation")] is None and values[("ZJ", "care")] == D("100.00")
    # NJ: (25·100 + 20·100 + 25·55.56 + 15·100 + 15·100) / 100; SZ: (2500 + 20·66.67 + 2500) / 100;
    # ZJ: (25·0 + 15·0 + 15·100) / 55.
    assert by_city["NJ"].score == D("88.89") and by_city["SZ"].score == D("63.33") and by_city["ZJ"].score == D("27.27")
    assert [e.org_unit.code for e in result] == ["NJ", "SZ", "ZJ"]
    assert [by_city[c].rank for c in ("NJ", "SZ", "ZJ")] == [1, 2, 3]

    complaints = EvaluationIndicator.objects.get(code="complaints")
    row = services.evaluation_value_set(actor=director, evaluation=by_city["NJ"], indicator=complaints, value="2",
                                        note="两起投诉")
    assert row.achievement == D("50.00")
    by_city["NJ"].refresh_from_db()
    assert by_city["NJ"].score == D("85.35")  # (8889 + 10·50) / 110

    # Running again recomputes the computed values and keeps the one entered by hand.
    services.evaluation_run(actor=director, period_start=data["start"], period_end=data["end"])
    assert Evaluation.objects.get(pk=by_city["NJ"].pk).score == D("85.35")
    assert Evaluation.objects.filter(period_start=data["start"]).count() == 3

    table = selectors.evaluation_table(director, data["start"], data["end"])
    first = table["rows"][0]
    assert first["evaluation"].org_unit.code == "NJ" and first["previous"].score == D("0.00")
    assert first["change"] == D("85.35")
    assert [i.code for i in table["indicators"]][:2] == ["participation", "feedback"]


def test_evaluation_bad_input_and_scope(province, data):
    director = province.user("js_director")
    with pytest.raises(InvalidInput):
        services.evaluation_run(actor=director, period_start=data["end"], period_end=data["start"])
    with pytest.raises(InvalidInput):
        services.evaluation_run(actor=director, period_start=data["end"] + datetime.timedelta(days=2),
                                period_end=data["end"] + datetime.timedelta(days=9))
    with pytest.raises(InvalidInput):
        services.evaluation_run(actor=director, period_start=data["start"], period_end=data["end"],
                                units=[province.units["NJ-DKH"]])
    assert not Evaluation.objects.exists()

    sz = province.user("sz_director")
    sz.user_permissions.add(*Permission.objects.filter(codename__in=["add_evaluation", "change_evaluation"]))
    sz = type(sz).objects.get(pk=sz.pk)
    only = services.evaluation_run(actor=sz, period_start=data["start"], period_end=data["end"])
    assert [e.org_unit.code for e in only] == ["SZ"] and only[0].rank == 1
    with pytest.raises(Http404):
        services.evaluation_run(actor=sz, period_start=data["start"], period_end=data["end"], units=[province.units["NJ"]])

    result = {e.org_unit.code: e for e in services.evaluation_run(actor=director, period_start=data["start"],
                                                                  period_end=data["end"])}
    assert result["SZ"].rank == 2  # ranked among every city evaluated for the period
    with pytest.raises(Http404):
        services.evaluation_value_set(actor=sz, evaluation=result["NJ"],
                                      indicator=EvaluationIndicator.objects.get(code="complaints"), value="1")
    with pytest.raises(InvalidInput):
        services.evaluation_value_set(actor=director, evaluation=result["NJ"],
                                      indicator=EvaluationIndicator.objects.get(code="participation"), value="99")
    with pytest.raises(InvalidInput):
        services.evaluation_value_set(actor=director, evaluation=result["NJ"],
                                      indicator=EvaluationIndicator.objects.get(code="complaints"), value="abc")
    assert [r["evaluation"].org_unit.code for r in selectors.evaluation_table(sz, data["start"], data["end"])["rows"]] == ["SZ"]


def test_indicator_save_refuses_bad_input(province, info):
    director = province.user("js_director")
    indicator = services.indicator_save(actor=director, code="visits", name="每百名会员走访次数", unit_label="次/百人",
                                        weight="10", target="40", direction="higher", source="manual")
    assert indicator.weight == D("10.00")
    for change in ({"code": "visits"}, {"weight": "-1"}, {"target": "abc"}, {"direction": "up"}, {"source": "magic"},
                   {"name": ""}):
        with pytest.raises(InvalidInput):
            services.indicator_save(actor=director, **{"code": "new", "name": "n", "weight": "1", "target": "1",
                                                       "direction": "higher", "source": "manual", **change})
    assert EvaluationIndicator.objects.filter(code="new").count() == 0
