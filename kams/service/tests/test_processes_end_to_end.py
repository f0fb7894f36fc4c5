"""Every shipped process runs end to end through the real services — opening, each step
completed by a person holding its role (claiming pooled steps), actions with their effects —
along the happy path and every decision branch (the scenarios of test_process_files)."""

import datetime
from decimal import Decimal

import pytest

from kams.customers import services as customer_services
from kams.customers.enums import CustomerStatus
from kams.customers.models import Level
from kams.notify.models import Message
from kams.org.models import Staff
from kams.org.testing import make_staff
from kams.service import services
from kams.service.enums import CaseStatus, ItemStatus
from kams.service.models import ArrearsRecord, Case, ProcessDefinition
from kams.service.tests.test_process_files import KEYS, SCENARIOS, _answer


@pytest.fixture
def everyone(service_people):
    p = service_people
    u = p.units
    for username, unit, role in (
        ("nj_rep", "NJ-DKH", "customer_rep"), ("nj_biz", "NJ-DKH", "business_manager"),
        ("js_club", "JS", "club_staff"), ("js_channel", "JS", "channel_manager"),
    ):
        p.staff[username] = make_staff(username, u[unit], (role,), name=username)
    return p


@pytest.fixture
def bank(everyone, customers):
    customer = customers["nj_m1"]
    actor = everyone.user("nj_manager1")
    customer_services.contact_add(actor=actor, customer=customer, name="王经理", mobile="13812345678", is_primary=True)
    contract = customer_services.contract_create(
        actor=actor, customer=customer, contract_no="HT-E2E-1", title="专线协议", contract_type="leased_line",
        value=Decimal("120000"), valid_from=datetime.date.today(), valid_to=datetime.date.today() + datetime.timedelta(days=365),
    )
    return customer, contract


def _actor_for(item, people):
    """Who does a step: its assignee, else someone holding its role who may see it (claims it)."""
    if item.assignee_id:
        return item.assignee.user
    for staff in Staff.objects.filter(roles__code=item.role, is_active=True).select_related("user", "org_unit"):
        if item.org_unit.path.startswith(staff.org_unit.path) or staff.org_unit.path.startswith(item.org_unit.path):
            services.workitem_claim(actor=staff.user, item=item)
            return staff.user
    raise AssertionError(f"nobody for {item.step_name} ({item.role}) in {item.org_unit}")


def run_case(key, answers, people, customer, contract):
    definition = ProcessDefinition.objects.get(key=key, is_active=True)
    answers = {"contract_id": contract.pk, "new_level": Level.objects.order_by("rank").first().code,
               "arrears_amount": 1200.5, **answers}
    used: dict = {}
    data = {f["name"]: _answer(f, answers, used) for f in definition.start_form}
    case = services.case_open(actor=people.user("nj_director"), process=key, title=f"e2e {key}", data=data,
                              customer=customer if definition.customer_required or key == "service_request" else None)
    done = []
    for _ in range(100):
        case.refresh_from_db()
        items = list(case.work_items.filter(status=ItemStatus.OPEN).select_related("assignee__user", "org_unit"))
        if not items:
            break
        for item in items:
            actor = _actor_for(item, people)
            values = {f["name"]: _answer(f, answers, used) for f in item.form}
            services.workitem_complete(actor=actor, item=item, values=values)
            done.append(item.step)
    case.refresh_from_db()
    return case, done


@pytest.mark.parametrize("key", KEYS)
def test_process_runs_end_to_end_on_every_branch(key, everyone, bank):
    customer, contract = bank
    for answers, passes, skips, counts in SCENARIOS[key]:
        case, done = run_case(key, answers, everyone, customer, contract)
        assert case.status == CaseStatus.CLOSED, (key, answers, done)
        own = [s for s in passes if ":" not in s and s in {x["id"] for x in case.definition.steps}]
        assert set(own) <= set(done), (answers, sorted(set(own) - set(done)))
        assert not {s for s in skips if ":" not in s} & set(done), answers
        for step, times in counts.items():
            if ":" not in step:
                assert done.count(step) == times, (answers, step, done)
        assert case.events.filter(kind="closed").count() == 1
        if customer.status == CustomerStatus.HISTORICAL:  # off-network cancelled it: restore for the next run
            customer_services.customer_restore(actor=everyone.user("nj_director"), customer=customer, reason="测试恢复")
            customer.refresh_from_db()


def test_actions_have_their_effects(everyone, bank):
    customer, contract = bank
    people = everyone
    run_case("arrears", {"paid_in_full": False, "paid_after_dunning": False}, people, customer, contract)
    assert ArrearsRecord.objects.filter(customer=customer).exists()
    run_case("contract_signing", {}, people, customer, contract)
    contract.refresh_from_db()
    assert contract.state == "active" and contract.signed_on
    run_case("level_change", {"approved": True, "club_member": False}, people, customer, contract)
    assert Message.objects.filter(recipient="13812345678").exists()  # the customer was told
    case, _done = run_case("revisit", {"opportunity_found": True}, people, customer, contract)
    follow_up = Case.objects.get(parent=case)
    assert follow_up.process_key == "visit_acceptance" and follow_up.customer == customer
    request, _done = run_case("service_request", {"category": "complaint"}, people, customer, contract)
    assert Case.objects.get(parent=request).process_key == "complaint"
