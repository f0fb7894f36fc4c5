"""Club statistics (CLUB-22): the figures of the known data set (see conftest), scope, filters
and a query count that does not grow with the data."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kams.clubstats import selectors
from kams.clubstats.selectors import StatFilters, parse_filters
from kams.core.errors import InvalidInput

SEP, OCT, NOV = datetime.date(2026, 9, 1), datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
AUTUMN = StatFilters(since=SEP, until=NOV)


def _by(rows, *keys):
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def test_points_issued_per_month_and_category(world):
    data = selectors.points_statistics(world.user("js_club"), AUTUMN)
    earned = {(r["month"], r["category"]): r["points"] for r in data["earned"]}
    assert earned == {
        ("2026-09", "activity"): 2000,
        ("2026-10", "consumption"): 1000 + 300 + 50, ("2026-10", "tenure"): 300, ("2026-10", "punctuality"): 50,
        ("2026-10", "late_penalty"): -60, ("2026-10", "unpaid_penalty"): -25,
        ("2026-11", "activity"): 1000,
    }
    assert _by(data["earned"], "month", "category")[("2026-10", "consumption")]["members"] == 3


def test_balances_by_level_and_band(world):
    balances = _by(selectors.points_statistics(world.user("js_club"), AUTUMN)["balances"], "level")
    assert {code: r["balance"] for code, r in balances.items()} == {"DIAMOND": 1150, "EMERALD": 1340, "SAPPHIRE": 25}
    assert balances["DIAMOND"]["spent"] == 2000 and balances["EMERALD"]["spent"] == 0  # the reversal gave it back
    assert (balances["DIAMOND"]["band_2"], balances["EMERALD"]["band_2"], balances["SAPPHIRE"]["band_1"]) == (1, 1, 1)
    assert balances["DIAMOND"]["band_0"] == balances["DIAMOND"]["band_1"] == 0


def test_expired_points_per_month(world):
    from kams.club import ledger
    from kams.club.testing import give_points

    give_points(world.member("diamond"), 300, earned_on=datetime.date(2020, 5, 1))  # expired at the end of 2022
    assert ledger.expire_due() == 1
    this_month = datetime.date.today().replace(day=1)
    data = selectors.points_statistics(world.user("js_club"), StatFilters(since=this_month, until=this_month))
    assert [(r["level"], r["points"], r["lots"]) for r in data["expired"]] == [("DIAMOND", 300, 1)]


def test_redemption_per_month_kind_channel_and_top_items(world):
    data = selectors.redemption_statistics(world.user("js_club"), AUTUMN)
    by_month = _by(data["by_month"], "month")
    assert [r["month"] for r in data["by_month"]] == ["2026-09", "2026-10", "2026-11"]
    this_month = f"{datetime.date.today():%Y-%m}"
    if this_month in by_month:  # the redemptions are made today
        assert (by_month[this_month]["redemptions"], by_month[this_month]["quantity"], by_month[this_month]["points"],
                by_month[this_month]["cost"]) == (2, 3, 2100, Decimal("31.00"))
    assert by_month["2026-10"]["redemptions"] == 0
    kinds = _by(data["by_kind"], "kind")
    assert (kinds["fee"]["points"], kinds["fee"]["cost"]) == (2000, Decimal("19.00"))  # the reversed one is not counted
    assert (kinds["goods"]["points"], kinds["goods"]["cost"]) == (100, Decimal("12.00"))
    assert [(r["channel"], r["points"]) for r in data["by_channel"]] == [("staff", 2100)]
    assert [(r["item"], r["redemptions"], r["quantity"]) for r in data["top_items"]] == [("FEE10", 1, 2), ("MUG", 1, 1)]


def test_consumption_paid_bills_against_points_by_level(world):
    rows = _by(selectors.consumption_statistics(world.user("js_club"), AUTUMN)["by_month_level"], "month", "level")
    diamond = rows[("2026-10", "DIAMOND")]
    # Only her own number's bill (1,000 yuan), not the bank's other number (5,000).
    assert (diamond["members"], diamond["paid"], diamond["points"]) == (1, Decimal("1000.00"), 1150)
    assert diamond["points_per_yuan"] == Decimal("1.15")
    sapphire = rows[("2026-10", "SAPPHIRE")]
    assert (sapphire["billed"], sapphire["paid"], sapphire["points"]) == (Decimal("200.00"), Decimal("50.00"), 125)
    assert rows[("2026-10", "EMERALD")]["paid"] == Decimal("300.00")
    # Activity points are not consumption behaviour: September has no row.
    assert not any(month == "2026-09" for month, _level in rows)


def test_member_distribution_by_city_and_movement(world):
    today = datetime.date.today().replace(day=1)
    data = selectors.distribution_statistics(world.user("js_club"), StatFilters(since=today, until=today))
    by_city = {r["city_name"]: r for r in data["by_city"]}
    assert {name: r["total"] for name, r in by_city.items()} == {"南京分公司": 1, "苏州分公司": 1, "镇江分公司": 1}
    assert by_city["南京分公司"]["level_DIAMOND"] == 1 and by_city["镇江分公司"]["level_SAPPHIRE"] == 1
    assert data["movement"] == [{"month": f"{today:%Y-%m}", "joined": 3, "left": 0, "net": 3}]


def test_a_member_suspended_counts_as_leaving(world):
    from kams.club.levels import member_level_change

    member_level_change(actor=world.user("js_club"), member=world.member("emerald"), level=world.member("emerald").level,
                     status="suspended", reason="年检未通过")
    today = datetime.date.today().replace(day=1)
    data = selectors.distribution_statistics(world.user("js_club"), StatFilters(since=today, until=today))
    assert data["movement"][0]["left"] == 1
    assert sum(r["total"] for r in data["by_city"]) == 2  # active members only


def test_cards_by_level_and_state_and_issued_per_month(world):
    today = datetime.date.today().replace(day=1)
    data = selectors.cards_statistics(world.user("js_club"), StatFilters(since=today, until=today))
    by_level = _by(data["by_level_state"], "level")
    assert {code: (r["state_collected"], r["total"]) for code, r in by_level.items()} == {
        "DIAMOND": (1, 1), "EMERALD": (1, 1), "SAPPHIRE": (1, 1)}
    assert data["issued"] == [{"month": f"{today:%Y-%m}", "total": 3, "level_DIAMOND": 1, "level_EMERALD": 1,
                               "level_SAPPHIRE": 1}]


def test_member_information_status_and_tenure(world):
    from kams.club.models import ClubMember

    ClubMember.objects.filter(pk=world.member("sapphire").pk).update(network_since=datetime.date.today() - datetime.timedelta(days=100))
    data = selectors.members_statistics(world.user("js_club"), AUTUMN)
    status = _by(data["by_status"], "status")
    assert status["active"]["total"] == 3 and status["active"]["level_DIAMOND"] == 1
    tenure = _by(data["network_tenure"], "level")
    assert tenure["DIAMOND"]["band_4"] == 1  # since 2015: ten years or more
    assert tenure["SAPPHIRE"]["band_0"] == 1  # a hundred days
    club_years = _by(data["club_tenure"], "level")
    assert all(r["band_0"] == 1 for r in club_years.values())  # all joined today


# --- Scope ---------------------------------------------------------------------------------------


def test_a_suzhou_director_sees_no_nanjing_figures(world):
    user = world.user("sz_director")
    earned = selectors.points_statistics(user, AUTUMN)["earned"]
    assert {(r["month"], r["category"]): r["points"] for r in earned} == {
        ("2026-10", "consumption"): 300, ("2026-10", "tenure"): 100, ("2026-10", "late_penalty"): -60,
        ("2026-11", "activity"): 1000,
    }
    assert [r["level"] for r in selectors.points_statistics(user, AUTUMN)["balances"]] == ["EMERALD"]
    assert selectors.redemption_statistics(user, AUTUMN)["by_kind"] == []  # his member's one was reversed
    assert {r["level"] for r in selectors.consumption_statistics(user, AUTUMN)["by_month_level"]} == {"EMERALD"}
    assert [r["city_name"] for r in selectors.distribution_statistics(user, AUTUMN)["by_city"]] == ["苏州分公司"]
    assert [r["level"] for r in selectors.cards_statistics(user, AUTUMN)["by_level_state"]] == ["EMERALD"]


def test_the_nanjing_director_sees_his_unit_and_his_zhenjiang_district(world):
    user = world.user("nj_director")
    balances = selectors.points_statistics(user, AUTUMN)["balances"]
    assert {r["level"]: r["balance"] for r in balances} == {"DIAMOND": 1150, "SAPPHIRE": 25}


def test_an_account_manager_sees_only_his_customers_members(world):
    user = world.user("nj_manager2")  # the Nanjing steel works, which has no member
    assert selectors.points_statistics(user, AUTUMN)["earned"] == []
    assert selectors.redemption_statistics(user, AUTUMN)["top_items"] == []
    mine = selectors.points_statistics(world.user("nj_manager1"), AUTUMN)["balances"]
    assert [r["level"] for r in mine] == ["DIAMOND"]


def test_the_city_and_level_filters_narrow_the_figures(world):
    user = world.user("js_club")
    nanjing = parse_filters({"from": "2026-09", "to": "2026-11", "city": "NJ"})
    assert [r["level"] for r in selectors.points_statistics(user, nanjing)["balances"]] == ["DIAMOND"]
    zhenjiang = parse_filters({"from": "2026-09", "to": "2026-11", "city": "ZJ"})  # its district's member counts
    assert [r["level"] for r in selectors.points_statistics(user, zhenjiang)["balances"]] == ["SAPPHIRE"]
    emerald = parse_filters({"from": "2026-10", "to": "2026-10", "level": "emerald"})
    assert {r["category"] for r in selectors.points_statistics(user, emerald)["earned"]} == {
        "consumption", "tenure", "late_penalty"}
    # A Suzhou director filtering on Nanjing sees nothing (the filter narrows his scope, never widens it).
    assert selectors.points_statistics(world.user("sz_director"), nanjing)["balances"] == []


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-13"}, "from"), ({"to": "October"}, "to"), ({"from": "2026-11", "to": "2026-10"}, "from"),
    ({"from": "2010-01", "to": "2026-10"}, "from"), ({"city": "XX"}, "city"), ({"level": "GOLD"}, "level"),
])
def test_bad_filters_are_refused_with_a_clear_message(province, club, params, field):
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        parse_filters(params)
    assert caught.value.text.startswith(f"{field}:")


def test_the_default_period_is_the_twelve_months_up_to_this_one(db):
    filters = parse_filters({}, today=datetime.date(2026, 11, 24))
    assert (filters.since, filters.until) == (datetime.date(2025, 12, 1), datetime.date(2026, 11, 1))
    assert len(filters.months()) == 12


# --- Query count ---------------------------------------------------------------------------------


def _queries(user_name, province, name):
    from kams.org.scoping import scope_for

    user = province.user(user_name)
    user.__class__.objects.get(pk=user.pk)
    fresh = user.__class__.objects.get(pk=user.pk)
    scope_for(fresh)  # the scope is computed once per request, not per statistic
    with CaptureQueriesContext(connection) as ctx:
        selectors.STATISTICS[name](fresh, AUTUMN)
    return len(ctx.captured_queries)


def _more_data(world, n):
    """``n`` more members with cards, points and redemptions."""
    from django.db import transaction

    from kams.club import ledger
    from kams.club.redemption import redeem
    from kams.club.testing import make_member

    for i in range(n):
        member = make_member(world.province, world.club.members["emerald"].customer, level="EMERALD", name=f"会员{i}",
                             msisdn=f"1396200{i:04d}")
        with transaction.atomic():
            ledger.credit(member=member, points=1500, category="activity", earned_on=datetime.date(2026, 10, 5))
        redeem(actor=world.user("js_club"), item="FEE10", quantity=1, channel_kind="staff", idempotency_key=f"more-{i}",
               member=member)


@pytest.mark.parametrize("name", sorted(selectors.STATISTICS))
def test_a_statistic_takes_a_few_queries_whatever_the_data(world, name, django_assert_max_num_queries):
    small = _queries("js_club", world.province, name)
    _more_data(world, 4)
    large = _queries("js_club", world.province, name)
    assert large == small
    with django_assert_max_num_queries(8):
        selectors.STATISTICS[name](world.user("js_club"), AUTUMN)
