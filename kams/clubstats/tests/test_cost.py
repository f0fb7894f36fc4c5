"""Points cost (CLUB-17 a, c): the cost of redemptions, reversals apart, the points liability,
cost per member and against the paid bills — on the known data set (see conftest)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from kams.club.models import Redemption
from kams.clubstats import selectors
from kams.clubstats.enums import RateSource
from kams.clubstats.selectors import StatFilters

THIS_MONTH = datetime.date.today().replace(day=1)
OCT = datetime.date(2026, 10, 1)
UP_TO_NOW = StatFilters(since=OCT, until=max(THIS_MONTH, OCT))


def test_the_cost_of_redemptions_per_month_kind_city_and_item(world):
    data = selectors.cost_statistics(world.user("js_club"), UP_TO_NOW)
    now = {r["month"]: r for r in data["by_month"]}[f"{THIS_MONTH:%Y-%m}"]
    assert (now["redemptions"], now["points"], now["cost"]) == (2, 2100, Decimal("31.00"))
    assert {r["kind"]: r["cost"] for r in data["by_kind"]} == {"fee": Decimal("19.00"), "goods": Decimal("12.00")}
    assert {r["city_name"]: r["cost"] for r in data["by_city"]} == {"南京分公司": Decimal("19.00"), "镇江分公司": Decimal("12.00")}
    assert [(r["item"], r["city_name"], r["quantity"], r["cost"]) for r in data["detail"]] == [
        ("FEE10", "南京分公司", 2, Decimal("19.00")), ("MUG", "镇江分公司", 1, Decimal("12.00"))]


def test_reversals_are_shown_apart_and_not_in_the_cost(world):
    data = selectors.cost_statistics(world.user("js_club"), UP_TO_NOW)
    assert [(r["month"], r["redemptions"], r["points"], r["cost"]) for r in data["reversals"]] == [
        (f"{THIS_MONTH:%Y-%m}", 1, 1000, Decimal("9.50"))]
    assert sum(r["cost"] for r in data["by_month"]) == Decimal("31.00")


def test_the_liability_values_the_outstanding_points_at_the_cost_per_point(world):
    (liability,) = selectors.cost_statistics(world.user("js_club"), UP_TO_NOW)["liability"]
    assert (liability["points"], liability["members"]) == (1150 + 1340 + 25, 3)
    assert (liability["cost_per_point"], liability["source"]) == (Decimal("0.014762"), RateSource.HISTORY)  # 31 / 2,100
    assert liability["liability"] == Decimal("37.13")  # 2,515 × 0.014762 = 37.126…


def test_without_redemptions_the_liability_uses_the_parameter(province, club, october_run):
    from kams.system.models import SystemParameter

    SystemParameter.objects.create(key="club.point_value_yuan", value="0.01")
    (liability,) = selectors.cost_statistics(province.user("js_club"), UP_TO_NOW)["liability"]
    assert (liability["points"], liability["cost_per_point"], liability["source"]) == (1615, Decimal("0.01"), RateSource.PARAMETER)
    assert liability["liability"] == Decimal("16.15")


def test_cost_per_member_by_level(world):
    rows = {r["level"]: r for r in selectors.cost_analysis_statistics(world.user("js_club"), UP_TO_NOW)["by_level"]}
    assert (rows["DIAMOND"]["members"], rows["DIAMOND"]["redeemers"], rows["DIAMOND"]["cost_per_member"]) == (1, 1, Decimal("19.00"))
    assert (rows["EMERALD"]["cost"], rows["EMERALD"]["cost_per_member"], rows["EMERALD"]["cost_per_redeemer"]) == (
        Decimal("0.00"), Decimal("0.00"), None)
    assert rows["SAPPHIRE"]["cost_per_redeemer"] == Decimal("12.00")


def test_cost_against_the_paid_bills_per_month(world):
    # The diamond member's redemption as if made in October, when her bills were paid.
    october = timezone.make_aware(datetime.datetime(2026, 10, 20, 10, 0))
    Redemption.objects.filter(pk=world.redemptions["diamond"].pk).update(created_at=october)
    rows = {r["month"]: r for r in selectors.cost_analysis_statistics(world.user("js_club"), UP_TO_NOW)["by_month"]}
    # Paid on the members' numbers: 1,000 + 300 + 50 (not the bank's other number); billed 1,000 + 300 + 200.
    assert (rows["2026-10"]["paid"], rows["2026-10"]["billed"], rows["2026-10"]["cost"]) == (
        Decimal("1350.00"), Decimal("1500.00"), Decimal("19.00"))
    assert rows["2026-10"]["cost_ratio"] == Decimal("1.41")  # 19 ÷ 1,350 = 1.407 %
    if THIS_MONTH != OCT:
        assert rows[f"{THIS_MONTH:%Y-%m}"]["cost_ratio"] is None  # no bills yet this month


def test_cost_figures_are_scoped(world):
    suzhou = selectors.cost_statistics(world.user("sz_director"), UP_TO_NOW)
    assert suzhou["by_kind"] == [] and suzhou["detail"] == []
    assert [r["points"] for r in suzhou["reversals"]] == [1000]  # his member's reversal
    (liability,) = suzhou["liability"]
    assert liability["points"] == 1340 and liability["source"] == RateSource.PARAMETER  # no redemption of his
    nanjing = selectors.cost_statistics(world.user("nj_director"), UP_TO_NOW)
    assert {r["city_name"] for r in nanjing["by_city"]} == {"南京分公司", "镇江分公司"}  # with his Zhenjiang district


def test_finance_reads_the_cost_of_the_province(world, finance):
    assert finance.user.has_perm("clubstats.view_pointscost")
    assert not finance.user.has_perm("clubstats.view_clubstatistics")
    (liability,) = selectors.cost_statistics(finance.user, UP_TO_NOW)["liability"]
    assert liability["points"] == 2515
