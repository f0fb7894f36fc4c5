"""Customer care (SVC-08): gift stock that never goes below zero, the append-only ledger,
care rules proposing care once per occasion, accepting and dismissing, effect surveys."""

import datetime
import os
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.http import Http404
from django.utils import timezone

from kams.care import selectors, services
from kams.care.enums import CareKind, MoveKind, ProposalState, RuleKind
from kams.care.errors import LedgerIsAppendOnly, OutOfStock, ProposalDecided
from kams.care.models import CareProposal, GiftMove, GiftStock
from kams.core.errors import Conflict, InvalidInput
from kams.customers.models import Contact, Customer
from kams.notify.models import Message


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here; the catalogue test proves every one has its Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield



def stock_of(gift, unit):
    return GiftStock.objects.get(gift=gift, org_unit=unit).quantity


def test_stock_in_transfer_and_ledger(province, nj_stock):
    p, gift = province, nj_stock
    move = services.stock_transfer(actor=p.user("js_director"), gift=gift, from_unit=p.units["NJ"], to_unit=p.units["SZ"],
                                   quantity=2, note="苏州春节备货")
    assert (stock_of(gift, p.units["NJ"]), stock_of(gift, p.units["SZ"])) == (3, 4)
    assert move.kind == MoveKind.TRANSFER_IN and move.balance_after == 4 and move.unit_cost == Decimal("100.00")
    kinds = list(GiftMove.objects.order_by("pk").values_list("kind", "quantity", "balance_after"))
    assert kinds == [("in", 5, 5), ("in", 2, 2), ("transfer_out", -2, 3), ("transfer_in", 2, 4)]
    assert GiftStock.objects.get(gift=gift, org_unit=p.units["NJ"]).value == Decimal("300.00")


def test_stock_is_scoped_to_the_directors_city(province, nj_stock):
    p = province
    with pytest.raises(Http404):
        services.stock_transfer(actor=p.user("nj_director"), gift=nj_stock, from_unit=p.units["NJ"], to_unit=p.units["SZ"], quantity=1)
    with pytest.raises(PermissionDenied):
        services.stock_in(actor=p.user("nj_manager1"), gift=nj_stock, org_unit=p.units["NJ"], quantity=1, unit_cost=Decimal("1"))
    assert stock_of(nj_stock, p.units["NJ"]) == 5


def test_conditional_update_refuses_more_than_in_stock(province, nj_stock):
    p = province
    with pytest.raises(OutOfStock) as exc:
        services.stock_take(nj_stock, p.units["NJ"], 6)
    assert exc.value.status == 409 and "5" in exc.value.text
    assert stock_of(nj_stock, p.units["NJ"]) == 5 and GiftMove.objects.count() == 2
    # A stale read cannot help: the UPDATE checks the quantity in the row, not in memory.
    stale = GiftStock.objects.get(gift=nj_stock, org_unit=p.units["NJ"])
    GiftStock.objects.filter(pk=stale.pk).update(quantity=1)
    with pytest.raises(OutOfStock):
        services.stock_take(nj_stock, p.units["NJ"], stale.quantity)
    assert stock_of(nj_stock, p.units["NJ"]) == 1


def test_issuing_the_last_gift_twice_fails_the_second_time(province, customers, nj_stock):
    p = province
    for n in range(5):
        services.care_action_record(actor=p.user("nj_manager1"), customer=customers["nj_m1"], kind=CareKind.GIFT,
                                    content=f"赠送蛋糕 {n}", gift=nj_stock, gift_quantity=1)
    assert stock_of(nj_stock, p.units["NJ"]) == 0
    with pytest.raises(OutOfStock):
        services.care_action_record(actor=p.user("nj_manager1"), customer=customers["nj_m1"], kind=CareKind.GIFT,
                                    content="再送一个", gift=nj_stock, gift_quantity=1)
    assert customers["nj_m1"].care_actions.count() == 5  # the refused issue left no record behind
    issues = GiftMove.objects.filter(kind=MoveKind.ISSUE)
    assert issues.count() == 5 and sorted(issues.values_list("balance_after", flat=True)) == [0, 1, 2, 3, 4]


def test_ledger_is_append_only(province, nj_stock):
    move = GiftMove.objects.first()
    with pytest.raises(LedgerIsAppendOnly):
        move.save()
    with pytest.raises(LedgerIsAppendOnly):
        GiftMove.objects.all().delete()
    with pytest.raises(Exception):  # the database trigger refuses a raw UPDATE
        with connection.cursor() as cursor:
            cursor.execute("UPDATE care_giftmove SET quantity = 99")


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="concurrent writers need a server database")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_issues_of_the_last_item_one_fails(province, customers, gift):
    p = province
    services.stock_in(actor=p.user("nj_director"), gift=gift, org_unit=p.units["NJ"], quantity=1, unit_cost=Decimal("10"))
    barrier, outcomes = threading.Barrier(2), []

    def issue(username):
        try:
            barrier.wait()
            services.care_action_record(actor=p.user(username), customer=customers["nj_m1" if username == "nj_manager1" else "nj_m2"],
                                        kind=CareKind.GIFT, content="最后一个", gift=gift, gift_quantity=1, stock_unit=p.units["NJ"])
            outcomes.append("ok")
        except OutOfStock as exc:
            outcomes.append(exc.status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(u,)) for u in ("nj_manager1", "nj_manager2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [409, "ok"]
    assert stock_of(gift, p.units["NJ"]) == 0
    assert GiftMove.objects.filter(kind=MoveKind.ISSUE).count() == 1


@pytest.fixture
def birthday_rule(province, nj_stock):
    return services.care_rule_save(actor=province.user("js_director"), name="联系人生日送蛋糕", kind=RuleKind.BIRTHDAY,
                                   days_ahead=3, action_text="生日当天送蛋糕与贺卡", gift=nj_stock, gift_quantity=1)


@pytest.fixture
def contacts(customers):
    today = timezone.localdate()
    return {
        "soon": Contact.objects.create(customer=customers["nj_m1"], name="王行长", title="行长",
                                       birthday=(today + datetime.timedelta(days=2)).replace(year=1975)),
        "later": Contact.objects.create(customer=customers["nj_m2"], name="李总", title="总经理",
                                        birthday=(today + datetime.timedelta(days=20)).replace(year=1980)),
        "sz": Contact.objects.create(customer=customers["sz"], name="周总", title="总经理",
                                     birthday=(today + datetime.timedelta(days=1)).replace(year=1970)),
    }


def test_proposals_are_made_once_per_occasion_and_remind_the_manager(province, customers, contacts, birthday_rule):
    p = province
    p.staff["nj_manager1"].mobile = "13900000003"
    p.staff["nj_manager1"].save()
    first = services.care_proposals_generate()
    assert first["proposals"] == 2  # 王行长 (Nanjing) and 周总 (Suzhou); 李总's birthday is too far
    proposal = CareProposal.objects.get(contact=contacts["soon"])
    assert proposal.manager == p.staff["nj_manager1"] and proposal.state == ProposalState.PROPOSED
    assert proposal.occasion_on == timezone.localdate() + datetime.timedelta(days=2)
    assert "王行长" in proposal.occasion and proposal.gift == birthday_rule.gift
    reminders = Message.objects.filter(purpose="care_proposals")
    assert list(reminders.values_list("recipient", flat=True)) == ["13900000003"]
    again = services.care_proposals_generate()
    assert again["proposals"] == 0 and CareProposal.objects.count() == 2 and reminders.count() == 1


def test_festival_and_anniversary_rules(province, customers, gift):
    p = province
    today = timezone.localdate()
    services.care_rule_save(actor=p.user("js_director"), name="国庆问候", kind=RuleKind.FESTIVAL,
                            festival_date=today + datetime.timedelta(days=1), days_ahead=5, action_text="节日短信问候")
    Customer.objects.filter(pk=customers["nj_m2"].pk).update(joined_on=today.replace(year=today.year - 3))
    services.care_rule_save(actor=p.user("js_director"), name="入网周年", kind=RuleKind.CUSTOMER_ANNIVERSARY, days_ahead=0,
                            action_text="周年感谢信")
    result = services.care_proposals_generate()
    festival = CareProposal.objects.filter(rule__name="国庆问候")
    assert festival.count() == 4 and result["proposals"] == 5  # every current customer, plus 南钢's third anniversary
    assert CareProposal.objects.get(rule__name="入网周年").occasion == "3 years as our customer"
    with pytest.raises(InvalidInput):
        services.care_rule_save(actor=p.user("js_director"), name="x", kind=RuleKind.FESTIVAL, action_text="y", days_ahead=1)
    with pytest.raises(PermissionDenied):
        services.care_rule_save(actor=p.user("nj_director"), name="x", kind=RuleKind.BIRTHDAY, action_text="y", days_ahead=1)


def test_accept_issues_the_gift_and_dismiss_needs_a_reason(province, customers, contacts, birthday_rule):
    p = province
    services.care_proposals_generate()
    nj = CareProposal.objects.get(contact=contacts["soon"])
    with pytest.raises(Http404):  # another manager's proposal
        services.care_proposal_accept(actor=p.user("nj_manager2"), proposal=nj)
    action = services.care_proposal_accept(actor=p.user("nj_manager1"), proposal=nj)
    nj.refresh_from_db()
    assert nj.state == ProposalState.ACCEPTED and nj.action == action
    assert action.gift == birthday_rule.gift and action.gift_quantity == 1 and action.stock_unit == p.units["NJ"]
    assert action.contact == contacts["soon"] and action.rule == birthday_rule
    assert stock_of(birthday_rule.gift, p.units["NJ"]) == 4
    with pytest.raises(ProposalDecided):
        services.care_proposal_dismiss(actor=p.user("nj_manager1"), proposal=nj, reason="x")
    sz = CareProposal.objects.get(contact=contacts["sz"])
    with pytest.raises(InvalidInput):
        services.care_proposal_dismiss(actor=p.user("sz_manager1"), proposal=sz, reason=" ")
    sz = services.care_proposal_dismiss(actor=p.user("sz_manager1"), proposal=sz, reason="客户出国")
    assert sz.state == ProposalState.DISMISSED and sz.dismiss_reason == "客户出国"


def test_surveys_and_effect_statistics(province, customers, contacts, birthday_rule):
    p = province
    services.care_proposals_generate()
    action = services.care_proposal_accept(actor=p.user("nj_manager1"), proposal=CareProposal.objects.get(contact=contacts["soon"]))
    with pytest.raises(InvalidInput):
        services.care_survey_record(actor=p.user("nj_manager1"), action=action, score=6)
    services.care_survey_record(actor=p.user("nj_manager1"), action=action, score=4, comment="很感动")
    with pytest.raises(Conflict):
        services.care_survey_record(actor=p.user("nj_manager1"), action=action, score=5)
    services.care_proposal_dismiss(actor=p.user("sz_manager1"), proposal=CareProposal.objects.get(contact=contacts["sz"]), reason="出国")
    [row] = selectors.care_effect_by_rule(p.user("js_director"))
    assert (row["proposals"], row["accepted"], row["dismissed"], row["actions"], row["gifts"], row["surveys"], row["score"]) == (
        2, 1, 1, 1, 1, 1, 4.0)
    assert row["acceptance"] == 50.0
    [by_gift] = selectors.care_effect_by_gift(p.user("js_director"))
    assert (by_gift["actions"], by_gift["quantity"], by_gift["score"]) == (1, 1, 4.0)
    [own] = selectors.care_effect_by_rule(p.user("sz_manager1"))
    assert (own["proposals"], own["accepted"], own["dismissed"]) == (1, 0, 1)


def test_proposals_expire_after_their_occasion(province, customers, contacts, birthday_rule):
    services.care_proposals_generate()
    later = timezone.localdate() + datetime.timedelta(days=20)
    result = services.care_proposals_generate(today=later)
    assert result["expired"] == 2
    assert set(CareProposal.objects.values_list("state", flat=True)) == {ProposalState.EXPIRED, ProposalState.PROPOSED}
