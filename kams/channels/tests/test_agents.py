"""Agents (CH-01, CH-04, CH-05): the application opens a qualification case, registration opens
the accounts, deregistration is refused while money or resources are held, authorisations,
levels by hand and the periodic re-grading; the pickup scope (CH-03)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.billing.models import BillImport, BillSummary, ImportState
from kams.channels import ledger, levels, selectors, services
from kams.channels.enums import (
    AgentLevel,
    AgentStatus,
    LevelChangeKind,
    PickupScope,
    SubAccountKind,
    SubscriberStatus,
)
from kams.channels.errors import AgentHoldsMoney, AgentHoldsResources, AgentWrongStatus
from kams.channels.models import Agent, AgentAuthorisation, AgentLevelChange, AgentSubscriber, LedgerAccount
from kams.core.errors import InvalidInput
from kams.customers.models import PayingAccount
from kams.resources.models import ResourceItem
from kams.service.models import Case
from kams.system.services import parameter_set

pytestmark = pytest.mark.django_db
D = Decimal


def _apply(channels, **fields):
    data = {"code": "A32010099", "name": "南京鼓楼通信", "org_unit": channels.units["NJ-XJK"],
            "business_scope": "代销售移动业务", **fields}
    return services.agent_create(actor=channels.user("js_channel"), **data)


def test_application_is_applied_and_opens_its_qualification_case(channels):
    agent = _apply(channels, credit_line="3000", level=AgentLevel.PROVINCIAL)
    assert agent.status == AgentStatus.APPLIED and agent.credit_line == D("3000.00")
    case = services.agent_case(agent)
    assert case is not None and case.process_key == "agent_qualification"
    assert case.data["_agent_id"] == agent.pk and case.data["applied_level"] == "province"
    assert case.org_unit == channels.units["NJ-XJK"]
    assert AuditEntry.objects.filter(action="channels.agent_create", target_id=str(agent.pk)).exists()
    assert not LedgerAccount.objects.filter(agent=agent).exists()


@pytest.mark.parametrize("change", [
    {"code": "A32010001"},  # taken
    {"name": "  "},
    {"credit_line": "abc"},
    {"credit_score": "101"},
    {"org_unit_key": "NJ"},  # a city, not a marketing department
])
def test_application_bad_input_changes_nothing(channels, change):
    agents, cases = Agent.objects.count(), Case.objects.count()
    if "org_unit_key" in change:
        change = {"org_unit": channels.province.units[change.pop("org_unit_key")]}
    with pytest.raises(InvalidInput):
        _apply(channels, **change)
    assert Agent.objects.count() == agents and Case.objects.count() == cases


def test_application_needs_permission_and_scope(channels, province):
    with pytest.raises(PermissionDenied):
        services.agent_create(
            actor=channels.user("js_finance"), code="X1", name="x", org_unit=channels.units["NJ-XJK"])
    agent = channels.agents["nj_a1"]
    sz = _with_perms(province.user("sz_director"), "change_agent", "register_agent", "add_ledgertransaction")
    with pytest.raises(Http404):
        services.agent_update(actor=sz, agent=agent, name="x")
    with pytest.raises(Http404):
        services.agent_deregister(actor=sz, agent=agent, reason="x")
    with pytest.raises(Http404):
        services.account_payment(actor=sz, agent=agent, sub_account="prepayment", amount="10")
    assert Agent.objects.get(pk=agent.pk).name != "x"


def _with_perms(user, *codenames):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="channels", codename__in=codenames))
    return get_user_model().objects.get(pk=user.pk)


def test_register_needs_a_review_note_then_opens_accounts_and_records_the_level(channels):
    agent = _apply(channels)
    manager = channels.user("js_channel")
    with pytest.raises(InvalidInput):
        services.agent_register(actor=manager, agent=agent, note=" ")
    with pytest.raises(PermissionDenied):
        services.agent_register(actor=channels.user("js_finance"), agent=agent, note="ok")
    services.agent_approve(actor=manager, agent=agent, note="资质齐全，保证金到位")
    agent.refresh_from_db()
    assert agent.status == AgentStatus.REGISTERED and agent.registered_on == timezone.localdate()
    assert set(ledger.balances(agent)) == set(SubAccountKind.values)
    change = AgentLevelChange.objects.get(agent=agent)
    assert change.kind == LevelChangeKind.REGISTRATION and change.to_level == AgentLevel.CITY
    assert change.reason == "资质齐全，保证金到位" and change.changed_by == manager
    with pytest.raises(AgentWrongStatus):
        services.agent_register(actor=manager, agent=agent, note="again")
    assert ledger.ledger_check() == []
    # Registered outside the process: the qualification case ends, saying why.
    case = services.agent_case(agent)
    assert case.status == "cancelled" and not case.work_items.filter(status="open").exists()
    assert "资质齐全，保证金到位" in case.events.get(kind="cancelled").text


def test_a_deregistered_agent_may_register_again(channels):
    agent, manager = _apply(channels), channels.user("js_channel")
    services.agent_register(actor=manager, agent=agent, note="ok")
    services.agent_deregister(actor=manager, agent=agent, reason="停业")
    services.agent_register(actor=manager, agent=agent, note="复业")
    agent.refresh_from_db()
    assert agent.status == AgentStatus.REGISTERED
    assert AgentLevelChange.objects.filter(agent=agent, kind=LevelChangeKind.REGISTRATION).count() == 2


def test_register_is_refused_when_the_qualification_case_was_cancelled(channels):
    agent = _apply(channels)
    Case.objects.filter(pk=services.agent_case(agent).pk).update(status="cancelled")
    with pytest.raises(AgentWrongStatus):
        services.agent_register(actor=channels.user("js_channel"), agent=agent, note="ok")
    assert Agent.objects.get(pk=agent.pk).status == AgentStatus.APPLIED


def test_agents_whose_case_passed_the_register_step_are_registered(channels):
    from kams.service.models import WorkItem

    agent = _apply(channels)
    case = services.agent_case(agent)
    assert services.agents_register_qualified() == 0
    item = WorkItem.objects.filter(case=case).first()
    WorkItem.objects.filter(pk=item.pk).update(step="register", status="done")
    Case.objects.filter(pk=case.pk).update(status="closed")
    with transaction.atomic():
        assert services.agents_register_qualified() == 1
    agent.refresh_from_db()
    assert agent.status == AgentStatus.REGISTERED
    assert case.number in AgentLevelChange.objects.get(agent=agent).reason
    assert services.agents_register_qualified() == 0


def test_deregister_is_refused_while_money_is_held_or_owed_and_while_items_are_picked_up(channels):
    from kams.channels.enums import PayMethod, TransactionKind

    manager, agent = channels.user("js_channel"), channels.agents["nj_a1"]
    with transaction.atomic():
        ledger.pay_in(agent, SubAccountKind.DEPOSIT, D("1000"))
    with pytest.raises(AgentHoldsMoney) as refused:
        services.agent_deregister(actor=manager, agent=agent, reason="停止合作")
    assert "1000.00" in refused.value.text
    with transaction.atomic():
        ledger.charge(agent, D("200"), kind=TransactionKind.PICKUP, method=PayMethod.TRANSFER)  # overdraft -200
    with pytest.raises(AgentHoldsMoney):
        services.agent_deregister(actor=manager, agent=agent, reason="停止合作")
    item = ResourceItem.objects.create(kind="number", serial="13912345678", org_unit=channels.units["NJ-XJK"],
                                       agent=channels.agents["nj_a2"], state="picked_up")
    with pytest.raises(AgentHoldsResources):
        services.agent_deregister(actor=manager, agent=channels.agents["nj_a2"], reason="停止合作")
    ResourceItem.objects.filter(pk=item.pk).update(state="entered")
    with pytest.raises(InvalidInput):
        services.agent_deregister(actor=manager, agent=channels.agents["nj_a2"], reason="")
    services.agent_deregister(actor=manager, agent=channels.agents["nj_a2"], reason="停止合作")
    assert Agent.objects.get(pk=channels.agents["nj_a2"].pk).status == AgentStatus.DEREGISTERED
    assert Agent.objects.get(pk=agent.pk).status == AgentStatus.REGISTERED
    assert ledger.ledger_check() == []


def test_authorisation_grant_change_revoke(channels):
    manager, agent = channels.user("js_channel"), channels.agents["nj_a1"]
    auth = services.authorisation_set(actor=manager, agent=agent, business="internet", can_sell=True, can_serve=True,
                                      stock_limit="50")
    assert (auth.can_serve, auth.stock_limit) == (True, 50)
    services.authorisation_set(actor=manager, agent=agent, business="internet", can_sell=False, can_serve=True)
    assert AgentAuthorisation.objects.get(agent=agent, business="internet").can_sell is False
    with pytest.raises(InvalidInput):
        services.authorisation_set(actor=manager, agent=agent, business="internet", can_sell=False, can_serve=False)
    with pytest.raises(InvalidInput):
        services.authorisation_set(actor=manager, agent=agent, business="nonsense")
    services.authorisation_revoke(actor=manager, agent=agent, business="internet", reason="x")
    assert not AgentAuthorisation.objects.filter(agent=agent, business="internet").exists()
    with pytest.raises(InvalidInput):
        services.authorisation_revoke(actor=manager, agent=agent, business="internet")
    actions = set(AuditEntry.objects.filter(target_id=str(agent.pk), action__startswith="channels.authorisation")
                  .values_list("action", flat=True))
    assert actions == {"channels.authorisation_grant", "channels.authorisation_change", "channels.authorisation_revoke"}


def test_level_change_by_hand(channels, province):
    agent = channels.agents["nj_a1"]
    with pytest.raises(PermissionDenied):
        services.level_change(actor=province.user("nj_director"), agent=agent, level="provincial", reason="x")
    with pytest.raises(InvalidInput):
        services.level_change(actor=channels.user("js_channel"), agent=agent, level="provincial", reason="")
    with pytest.raises(InvalidInput):
        services.level_change(actor=channels.user("js_channel"), agent=agent, level="galactic", reason="x")
    change = services.level_change(actor=channels.user("js_channel"), agent=agent, level="provincial", reason="业绩突出")
    assert (change.from_level, change.to_level, change.kind) == ("city", "provincial", LevelChangeKind.MANUAL)
    assert Agent.objects.get(pk=agent.pk).level == AgentLevel.PROVINCIAL


# --- Re-grading ---------------------------------------------------------------------------------------


@pytest.fixture
def performance(channels, customers):
    """Last month: nj_a1 brought in 3 numbers paying 600 yuan; sz_a1 (provincial) nothing."""
    period = levels.last_month()
    at = timezone.make_aware(datetime.datetime.combine(period.replace(day=10), datetime.time(12)))
    a1 = channels.agents["nj_a1"]
    for n in range(3):
        AgentSubscriber.objects.create(agent=a1, msisdn=f"1390000000{n}", activated_on=at.date(), reference_at=at,
                                       status=SubscriberStatus.ACTIVE)
    account = PayingAccount.objects.create(customer=customers["nj_m1"], account_no="2599000077", name="测试帐户")
    batch = BillImport.objects.create(period=period, file="billing/x.csv", file_name="x.csv", sha256="0" * 64,
                                      state=ImportState.IMPORTED)
    zero = D("0")
    BillSummary.objects.bulk_create([
        BillSummary(period=period, customer=account.customer, account=account, msisdn=msisdn, total=D(paid),
                    fee_mobile=D(paid), fee_data=zero, fee_voip=zero, fee_long_distance=zero, fee_local=zero,
                    fee_leased_line=zero, fee_internet=zero, paid=D(paid), arrears=zero, batch=batch)
        for msisdn, paid in [("13900000000", "100"), ("13900000001", "200.50"), ("13900000002", "299.50"),
                             ("13800000000", "999")]
    ])
    actor = _admin(channels)
    for key, value in [("channels.provincial_min_subscribers", 3), ("channels.provincial_min_revenue", "600"),
                       ("channels.national_min_subscribers", 100), ("channels.regrade_min_credit", 60)]:
        parameter_set(actor=actor, key=key, value=value)
    return period


def test_regrade_proposes_from_subscribers_revenue_and_credit_in_one_query(channels, performance,
                                                                          django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        result = levels.regrade(period=performance)
    by_code = {p.agent.code: p for p in result.proposals}
    a1 = by_code[channels.agents["nj_a1"].code]
    assert (a1.subscribers, a1.revenue, a1.to_level) == (3, D("600.00"), AgentLevel.PROVINCIAL)
    sz = by_code[channels.agents["sz_a1"].code]
    assert (sz.subscribers, sz.revenue, sz.to_level, sz.direction) == (0, D("0.00"), AgentLevel.CITY, "down")
    assert by_code[channels.agents["national"].code].to_level == AgentLevel.CITY
    assert not AgentLevelChange.objects.exists()  # proposals only


def test_regrade_applies_in_bulk_and_rerunning_changes_nothing(channels, performance):
    result = levels.regrade(period=performance, apply=True)
    assert result.upgrades == 1 and result.downgrades == 2  # sz_a1 and national fall to city
    assert Agent.objects.get(pk=channels.agents["nj_a1"].pk).level == AgentLevel.PROVINCIAL
    changes = AgentLevelChange.objects.filter(kind=LevelChangeKind.REGRADE)
    assert changes.count() == 3
    assert changes.get(agent=channels.agents["nj_a1"]).reason.startswith(f"[{performance:%Y-%m}]")
    assert AuditEntry.objects.filter(action="channels.regrade").count() == 1
    again = levels.regrade(period=performance, apply=True)
    assert again.changes == [] and AgentLevelChange.objects.count() == 3
    # A manual change after the run is not undone by running the same month again.
    services.level_change(actor=channels.user("js_channel"), agent=channels.agents["sz_a1"], level="provincial",
                          reason="省公司特批")
    levels.regrade(period=performance, apply=True)
    assert Agent.objects.get(pk=channels.agents["sz_a1"].pk).level == AgentLevel.PROVINCIAL


def test_low_credit_score_means_city_level(channels, performance):
    Agent.objects.filter(pk=channels.agents["nj_a1"].pk).update(credit_score=40)
    result = levels.regrade(period=performance)
    a1 = next(p for p in result.proposals if p.agent.pk == channels.agents["nj_a1"].pk)
    assert a1.to_level == AgentLevel.CITY and not a1.changes


def test_regrade_bad_period_and_permission(channels, province, performance):
    with pytest.raises(InvalidInput):
        levels.regrade(period="2026-13")
    with pytest.raises(InvalidInput):
        levels.regrade(period="2999-01")
    with pytest.raises(PermissionDenied):
        levels.regrade(period=performance, actor=province.user("nj_director"), apply=True)
    # The director may look at the proposals of its own city's agents only.
    seen = {p.agent.code for p in levels.regrade(period=performance, actor=province.user("nj_director")).proposals}
    assert seen == {channels.agents[k].code for k in ("nj_a1", "nj_a2", "nj_a3", "national")}


def test_regrade_command(channels, performance):
    out = StringIO()
    call_command("channels_regrade", "--period", f"{performance:%Y-%m}", "--dry-run", stdout=out)
    assert "proposed" in out.getvalue() and not AgentLevelChange.objects.exists()
    call_command("channels_regrade", "--period", f"{performance:%Y-%m}", stdout=out)
    assert AgentLevelChange.objects.filter(kind=LevelChangeKind.REGRADE).count() == 3


def test_monthly_job_is_registered():
    from kams.system.schedule import periodic_jobs

    names = {j.name: j for j in periodic_jobs()}
    assert names["channels.regrade_monthly"].monthly_on == 2
    assert "channels.qualified_daily" in names


# --- Pickup scope (CH-03) -----------------------------------------------------------------------------


@pytest.mark.parametrize("scope, unit, allowed", [
    (PickupScope.OWN, "NJ-XJK", {"nj_a1"}),
    (PickupScope.OWN, "NJ-SCB", {"nj_a1", "nj_a2", "national"}),
    (PickupScope.FIRST_LEVEL, "NJ-HX", {"nj_a1", "nj_a2", "national"}),
    (PickupScope.FIRST_LEVEL, "NJ-SCB2", {"nj_a3"}),
    (PickupScope.CITY, "NJ-XJK", {"nj_a1", "nj_a2", "nj_a3", "national"}),
    (PickupScope.CITY, "SZ-SCB", {"sz_a1"}),
])
def test_may_pick_up_follows_the_pickup_scope_parameter(channels, scope, unit, allowed):
    parameter_set(actor=_admin(channels), key="channels.pickup_scope",
                  value=scope)
    stock = channels.units[unit]
    assert {k for k, a in channels.agents.items() if selectors.may_pick_up(a, stock)} == allowed
    assert set(selectors.agents_allowed_to_pick_up_from(stock).values_list("code", flat=True)) == {
        channels.agents[k].code for k in allowed}


def test_deregistered_agent_may_not_pick_up(channels):
    agent = channels.agents["nj_a1"]
    Agent.objects.filter(pk=agent.pk).update(status=AgentStatus.DEREGISTERED)
    agent.refresh_from_db()
    assert not selectors.may_pick_up(agent, channels.units["NJ-XJK"])


def test_first_level_department(channels):
    assert selectors.first_level_department(channels.units["NJ-XJK"]) == channels.units["NJ-SCB"]
    assert selectors.first_level_department(channels.units["NJ-SCB"]) == channels.units["NJ-SCB"]
    assert selectors.first_level_department(channels.units["SZ-SCB"]) == channels.units["SZ-SCB"]


def _admin(channels):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("h1_admin", password="x")
