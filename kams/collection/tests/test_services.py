"""CUS-03/SVC-05 admission and CUS-04 normalisation, duplicates and merge, at the service level."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.collection import services
from kams.collection.enums import CandidateState, PairState
from kams.collection.errors import CandidateClosed, ManagerRequired, ReasonRequired
from kams.collection.models import AdmissionRule, Candidate, DuplicatePair, FirstContactTask, Merge
from kams.collection.normalise import normalise_address, normalise_certificate, normalise_name, normalise_phone
from kams.collection.testing import bill_customer, load_all, make_potential
from kams.customers import services as customer_services
from kams.customers.enums import CustomerStatus, CustomerType
from kams.customers.models import Contact, Contract, Customer, Member, PayingAccount, Relation
from kams.customers.testing import customers, make_customer  # noqa: F401  (fixture)
from kams.system.services import parameter_set

pytestmark = pytest.mark.django_db


def director(province):
    return province.user("js_director")


def make_rule(province, **values):
    defaults = {"name": "集团月收入≥1万", "customer_type": CustomerType.GROUP, "min_monthly_revenue": Decimal("10000"), "months": 3}
    defaults.update(values)
    return services.rule_save(actor=director(province), **defaults)


@pytest.fixture
def billed(province, customers, tmp_path):  # noqa: F811
    """Potential customers in Nanjing and Suzhou with three months of bills; a current one
    that bills as much; a potential one that bills too little."""
    rows: dict = {}
    people = {
        "nj_big": make_potential(province, "南京新材料科技有限公司", manager="nj_manager1"),
        "nj_gap": make_potential(province, "南京季节贸易有限公司"),
        "sz_big": make_potential(province, "苏州精密制造有限公司", unit="SZ", manager="sz_manager1"),
        "nj_small": make_potential(province, "南京小微商店"),
    }
    bill_customer(province, rows, people["nj_big"], "3001", ["20000", "20000", "20000"])
    bill_customer(province, rows, people["nj_gap"], "3002", ["0", "0", "45000"])  # 15000 over 3 months
    bill_customer(province, rows, people["sz_big"], "3003", ["12000", "12000", "12000"])
    bill_customer(province, rows, people["nj_small"], "3004", ["900", "900", "900"])
    bill_customer(province, rows, customers["nj_m1"], "3005", ["90000", "90000", "90000"])
    load_all(tmp_path, rows)
    return {**customers, **people}


# --- Rules and candidates -------------------------------------------------------------------------


def test_rule_changes_are_audited_as_its_history(province):
    rule = make_rule(province)
    services.rule_save(actor=director(province), rule=rule, min_monthly_revenue=Decimal("20000"), reason="提高门槛")

    entries = AuditEntry.objects.filter(target_type="collection.admissionrule", target_id=str(rule.pk)).order_by("id")
    assert [e.action for e in entries] == ["collection.rule_create", "collection.rule_update"]
    assert entries[1].before["min_monthly_revenue"] == "10000.00" and entries[1].after["min_monthly_revenue"] == "20000.00"
    with pytest.raises(PermissionDenied):
        services.rule_save(actor=province.user("nj_director"), rule=rule, months=6)


def test_candidates_come_from_bills_with_evidence_and_rerunning_adds_none(province, billed):
    make_rule(province)

    first = services.candidates_generate(actor=director(province))
    second = services.candidates_generate(actor=director(province))

    found = {c.customer_id: c for c in Candidate.objects.all()}
    assert set(found) == {billed["nj_big"].pk, billed["nj_gap"].pk, billed["sz_big"].pk}  # not small, not current
    assert (first["candidates"], second["candidates"]) == (3, 0)
    big = found[billed["nj_big"].pk]
    assert (big.revenue, big.months, big.period) == (Decimal("20000.00"), 3, datetime.date(2026, 10, 1))
    assert big.evidence["monthly"] == {"2026-08": "20000.00", "2026-09": "20000.00", "2026-10": "20000.00"}
    assert found[billed["nj_gap"].pk].revenue == Decimal("15000.00")  # months without bills count as zero
    assert AuditEntry.objects.filter(action="collection.candidates_generate").count() == 2


def test_rule_threshold_type_members_and_activity(province, billed):
    make_rule(province, min_monthly_revenue=Decimal("16000"))
    make_rule(province, name="个人", customer_type=CustomerType.HIGH_END, min_monthly_revenue=Decimal("1"))
    make_rule(province, name="停用", min_monthly_revenue=Decimal("1"), is_active=False)
    services.candidates_generate()
    assert set(Candidate.objects.values_list("customer_id", flat=True)) == {billed["nj_big"].pk}

    Candidate.objects.all().delete()
    AdmissionRule.objects.update(is_active=False)
    make_rule(province, name="有成员", min_monthly_revenue=Decimal("1"), min_members=1)
    customer_services.member_add(actor=director(province), customer=billed["sz_big"], msisdn="13900009999")
    services.candidates_generate()
    assert set(Candidate.objects.values_list("customer_id", flat=True)) == {billed["sz_big"].pk}
    assert Candidate.objects.get().members == 1


def test_admit_makes_the_customer_current_with_its_manager_and_a_first_contact(province, billed):
    make_rule(province)
    services.candidates_generate()
    candidate = Candidate.objects.get(customer=billed["nj_gap"])
    manager = province.staff["nj_manager2"]

    services.candidate_admit(actor=province.user("nj_director"), candidate=candidate, manager=manager, note="核实无误")

    customer = Customer.objects.get(pk=billed["nj_gap"].pk)
    assert (customer.status, customer.account_manager, customer.joined_on) == (CustomerStatus.CURRENT, manager, timezone.localdate())
    assert customer.level is not None  # suggested from its bills
    candidate.refresh_from_db()
    assert (candidate.state, candidate.manager, candidate.reason) == (CandidateState.ADMITTED, manager, "核实无误")
    task = FirstContactTask.objects.get(customer=customer)
    assert (task.manager, task.due_on, task.done) == (manager, timezone.localdate() + datetime.timedelta(days=7), False)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"customers.update", "customers.admit", "collection.candidate_admit"} <= actions


def test_first_contact_due_date_follows_the_parameter(province, billed):
    parameter_set(actor=province.user("admin"), key="collection.first_contact_days", value="3")
    make_rule(province)
    services.candidates_generate()
    candidate = Candidate.objects.get(customer=billed["nj_big"])
    services.candidate_admit(actor=director(province), candidate=candidate, manager=province.staff["nj_manager1"])

    assert FirstContactTask.objects.get().due_on == timezone.localdate() + datetime.timedelta(days=3)


def test_admit_needs_a_manager_and_changes_nothing_on_error(province, billed):
    make_rule(province)
    services.candidates_generate()
    candidate = Candidate.objects.get(customer=billed["nj_gap"])

    with pytest.raises(ManagerRequired):
        services.candidate_admit(actor=director(province), candidate=candidate, manager=None)
    with pytest.raises(Exception):  # a Suzhou manager for a Nanjing customer
        services.candidate_admit(actor=director(province), candidate=candidate, manager=province.staff["sz_manager1"])

    candidate.refresh_from_db()
    assert candidate.state == CandidateState.OPEN
    assert Customer.objects.get(pk=billed["nj_gap"].pk).status == CustomerStatus.POTENTIAL
    assert not FirstContactTask.objects.exists()


def test_reject_needs_a_reason_and_the_same_month_does_not_propose_again(province, billed):
    make_rule(province)
    services.candidates_generate()
    candidate = Candidate.objects.get(customer=billed["nj_gap"])

    with pytest.raises(ReasonRequired):
        services.candidate_reject(actor=director(province), candidate=candidate, reason="  ")
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.OPEN

    services.candidate_reject(actor=director(province), candidate=candidate, reason="季节性收入")
    with pytest.raises(CandidateClosed):
        services.candidate_admit(actor=director(province), candidate=candidate, manager=province.staff["nj_manager1"])
    assert services.candidates_generate()["candidates"] == 0
    candidate.refresh_from_db()
    assert (candidate.state, candidate.reason) == (CandidateState.REJECTED, "季节性收入")
    assert Customer.objects.get(pk=billed["nj_gap"].pk).status == CustomerStatus.POTENTIAL


def test_review_is_scoped_and_needs_the_permission(province, billed):
    make_rule(province)
    services.candidates_generate()
    sz = Candidate.objects.get(customer=billed["sz_big"])

    with pytest.raises(Http404):
        services.candidate_reject(actor=province.user("nj_director"), candidate=sz, reason="x")
    with pytest.raises(PermissionDenied):
        services.candidate_reject(actor=province.user("sz_manager1"), candidate=sz, reason="x")


def test_first_contact_done_by_its_manager(province, billed):
    make_rule(province)
    services.candidates_generate()
    services.candidate_admit(
        actor=director(province), candidate=Candidate.objects.get(customer=billed["nj_big"]), manager=province.staff["nj_manager1"]
    )
    task = FirstContactTask.objects.get()

    with pytest.raises(Http404):
        services.first_contact_done(actor=province.user("nj_manager2"), task=task)
    services.first_contact_done(actor=province.user("nj_manager1"), task=task, result="已拜访，客户满意")

    task.refresh_from_db()
    assert task.done and task.result == "已拜访，客户满意"


# --- Normalisation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("南京银行股份有限公司", "南京银行"),
        ("南京\u3000银行", "南京银行"),
        ("南京 银行 ", "南京银行"),
        ("南京银行（南京）", "南京银行"),
        ("南京银行(苏州)", "南京银行"),
        ("南京钢铁集团有限公司", "南京钢铁"),
        ("苏州某科技有限责任公司", "苏州某科技"),
        ("ＡＢＣ科技有限公司", "abc科技"),
        ("有限公司", "有限"),
    ],
)
def test_normalise_name(raw, expected):
    assert normalise_name(raw) == expected
    assert normalise_name(normalise_name(raw)) == normalise_name(raw)


def test_normalise_phone_certificate_and_address():
    assert normalise_phone("+86 138-0000-0000") == normalise_phone("13800000000") == "13800000000"
    assert normalise_phone("025-8888 1234") == normalise_phone("(025)88881234") == "02588881234"
    assert normalise_phone("８６１３８００００００００") == "13800000000"
    assert normalise_certificate("9132 0100-1347 9100 2p") == "91320100134791002P"
    assert normalise_address("南京市 玄武区　中山路１号") == normalise_address("南京市玄武区中山路1号")


# --- Duplicates ---------------------------------------------------------------------------------------


@pytest.fixture
def twins(province, customers):  # noqa: F811
    """The demo's kinds of near-duplicates of the Nanjing bank, one exact-certificate twin,
    and an unrelated Suzhou company."""
    return {
        **customers,
        "space": make_potential(province, "南京\u3000银行股份有限公司"),
        "suffix": make_potential(province, "南京银行股份有限公司（南京）", phone=""),
        "cert": make_potential(province, "宁银金融服务中心", certificate_no="9132 0100 1347 9100 2P"),
        "sz_other": make_potential(province, "苏州银行股份有限公司", unit="SZ"),
    }


def pair_of(x, y):
    a, b = sorted([x.pk, y.pk])
    return DuplicatePair.objects.filter(a_id=a, b_id=b).first()


def test_detection_finds_fuzzy_names_and_certificates_but_not_unrelated_companies(province, twins):
    result = services.duplicates_find(actor=director(province))

    bank = twins["nj_m1"]
    assert pair_of(bank, twins["space"]).score == 100
    assert "name" in pair_of(bank, twins["suffix"]).reasons
    cert_pair = pair_of(bank, twins["cert"])
    assert cert_pair.reasons[0] == "certificate" and cert_pair.score == 100
    assert pair_of(bank, twins["nj_m2"]) is None  # 南京银行 vs 南京钢铁
    assert pair_of(bank, twins["sz_other"]) is None  # 南京银行 vs 苏州银行
    assert pair_of(twins["sz"], twins["sz_other"]) is None
    assert result["new"] == DuplicatePair.objects.count()
    assert pair_of(bank, twins["space"]).org_unit == province.units["NJ"]


def test_detection_is_idempotent_and_keeps_dismissed_pairs_dismissed(province, twins):
    services.duplicates_find()
    count = DuplicatePair.objects.count()
    pair = pair_of(twins["nj_m1"], twins["cert"])
    services.pair_dismiss(actor=director(province), pair=pair, reason="不同单位")

    again = services.duplicates_find()

    assert (again["new"], DuplicatePair.objects.count()) == (0, count)
    pair.refresh_from_db()
    assert pair.state == PairState.DISMISSED


def test_dismiss_needs_a_reason(province, twins):
    services.duplicates_find()
    pair = pair_of(twins["nj_m1"], twins["space"])

    with pytest.raises(ReasonRequired):
        services.pair_dismiss(actor=director(province), pair=pair, reason="")
    pair.refresh_from_db()
    assert pair.state == PairState.OPEN


def test_cross_city_pairs_belong_to_the_province(province, customers):  # noqa: F811
    twin = make_potential(province, "苏州工业园区某科技有限公司（苏州）", unit="NJ")
    services.duplicates_find()
    pair = pair_of(customers["sz"], twin)
    assert pair.org_unit == province.units["JS"]
    assert not DuplicatePair.objects.visible_to(province.user("nj_director")).filter(pk=pair.pk).exists()
    assert not DuplicatePair.objects.visible_to(province.user("sz_director")).filter(pk=pair.pk).exists()
    assert DuplicatePair.objects.visible_to(province.user("js_director")).filter(pk=pair.pk).exists()


# --- Merge -----------------------------------------------------------------------------------------


@pytest.fixture
def merge_case(province, twins, tmp_path):
    """The bank's twin with accounts, members, contacts, a contract, relations, bills and a
    first contact: everything a merge must move."""
    actor = director(province)
    bank, twin = twins["nj_m1"], twins["space"]
    rows: dict = {}
    bill_customer(province, rows, twin, "4001", ["500", "500", "500"])
    bill_customer(province, rows, bank, "4002", ["800", "800", "800"])
    load_all(tmp_path, rows)
    account = PayingAccount.objects.get(account_no="4001")
    customer_services.member_add(actor=actor, customer=twin, msisdn="13900007777", account=account)
    customer_services.contact_add(actor=actor, customer=twin, name="刘会计", is_primary=True)
    customer_services.contact_add(actor=actor, customer=bank, name="王行长", is_primary=True)
    customer_services.contract_create(
        actor=actor, customer=twin, contract_no="HT-T-1", title="专线", contract_type="leased_line",
        value=Decimal("1000"), valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 12, 31), accounts=[account],
    )
    customer_services.relation_add(actor=actor, customer=twin, other=twins["nj_m2"], kind="related")
    customer_services.relation_add(actor=actor, customer=bank, other=twins["nj_m2"], kind="related")  # already there
    customer_services.relation_add(actor=actor, customer=twins["zj"], other=twin, kind="parent_of")
    customer_services.relation_add(actor=actor, customer=bank, other=twin, kind="related")  # between the two
    FirstContactTask.objects.create(customer=twin, manager=province.staff["nj_manager1"], due_on=datetime.date(2026, 11, 1))
    services.duplicates_find()
    return twins


def test_merge_moves_everything_cancels_the_duplicate_and_is_audited(province, merge_case):
    from kams.billing.models import BillSummary

    bank, twin = merge_case["nj_m1"], merge_case["space"]
    pair = pair_of(bank, twin)
    other_pair = pair_of(twin, merge_case["suffix"])
    assert other_pair is not None and other_pair.state == PairState.OPEN

    merge = services.pair_merge(actor=director(province), pair=pair, survivor=bank, reason="同一单位")

    twin.refresh_from_db()
    assert twin.status == CustomerStatus.HISTORICAL
    assert not PayingAccount.objects.filter(customer=twin).exists()
    assert PayingAccount.objects.get(account_no="4001").customer == bank
    assert Member.objects.get(msisdn="13900007777").customer == bank
    assert set(Contact.objects.filter(customer=bank).values_list("name", "is_primary")) == {("王行长", True), ("刘会计", False)}
    assert Contract.objects.get(contract_no="HT-T-1").customer == bank
    assert BillSummary.objects.filter(customer=twin).count() == 0
    assert BillSummary.objects.filter(customer=bank).count() == 6
    assert FirstContactTask.objects.get().customer == bank
    assert not Relation.objects.filter(customer=twin).exists() and not Relation.objects.filter(other=twin).exists()
    assert Relation.objects.filter(customer=merge_case["zj"], other=bank, kind="parent_of").exists()
    assert Relation.objects.filter(customer=bank, other=merge_case["nj_m2"]).count() == 1
    assert merge.moved["customers.payingaccount"] == 1 and merge.moved["billing.billsummary"] == 3
    assert merge.moved["customers.member"] == 1 and merge.moved["customers.contact"] == 1
    assert merge.moved["customers.contract"] == 1 and merge.moved["collection.firstcontacttask"] == 1
    pair.refresh_from_db()
    other_pair.refresh_from_db()
    assert pair.state == PairState.MERGED and other_pair.state == PairState.DISMISSED
    assert Merge.objects.get() == merge

    moves = AuditEntry.objects.filter(action="collection.merge_move")
    labels = {e.after["model"] for e in moves}
    assert {"customers.payingaccount", "customers.member", "customers.contact", "customers.contract",
            "customers.relation", "billing.billsummary"} <= labels
    account_move = moves.get(after__model="customers.payingaccount")
    assert account_move.after["ids"] == [PayingAccount.objects.get(account_no="4001").pk]
    cancel = AuditEntry.objects.get(action="customers.cancel", target_id=str(twin.pk))
    assert bank.code in cancel.reason
    assert AuditEntry.objects.filter(action="collection.merge", target_id=str(merge.pk)).exists()


def test_merge_fills_blank_data_of_the_survivor(province, merge_case):
    bank, twin = merge_case["nj_m1"], merge_case["space"]
    Customer.objects.filter(pk=twin.pk).update(status=CustomerStatus.CURRENT, phone="02584440000", address="中山路1号")
    Customer.objects.filter(pk=bank.pk).update(status=CustomerStatus.POTENTIAL, phone="", address="")

    services.pair_merge(actor=director(province), pair=pair_of(bank, twin), survivor=bank)

    bank.refresh_from_db()
    assert (bank.phone, bank.address, bank.status) == ("02584440000", "中山路1号", CustomerStatus.CURRENT)
    assert AuditEntry.objects.filter(action="collection.merge_fill").exists()


def test_merge_needs_the_approval_permission_and_changes_nothing_without_it(province, merge_case):
    bank, twin = merge_case["nj_m1"], merge_case["space"]
    pair = pair_of(bank, twin)

    with pytest.raises(PermissionDenied):
        services.pair_merge(actor=province.user("nj_director"), pair=pair, survivor=bank)

    pair.refresh_from_db()
    twin.refresh_from_db()
    assert pair.state == PairState.OPEN and twin.status == CustomerStatus.POTENTIAL
    assert PayingAccount.objects.get(account_no="4001").customer == twin
    assert not Merge.objects.exists()


def test_merge_survivor_must_be_in_the_pair(province, merge_case):
    from kams.collection.errors import SurvivorNotInPair

    pair = pair_of(merge_case["nj_m1"], merge_case["space"])
    with pytest.raises(SurvivorNotInPair):
        services.pair_merge(actor=director(province), pair=pair, survivor=merge_case["sz"])


def test_people_of_the_same_name_are_not_duplicates_without_more_evidence(province, customers):  # noqa: F811
    person = {"customer_type": CustomerType.HIGH_END}
    first = make_potential(province, "张鹏", **person)
    namesake = make_potential(province, "张鹏", **person)
    same_person = make_potential(province, "张　鹏", phone="13900001234", address="南京市中山路1号", **person)
    Customer.objects.filter(pk=first.pk).update(phone="+86 139-0000-1234", address="南京市 中山路1号")
    company = make_potential(province, "张鹏")  # a group customer of that name

    services.duplicates_find()

    assert pair_of(first, namesake) is None and pair_of(namesake, same_person) is None
    assert pair_of(first, company) is None
    assert set(pair_of(first, same_person).reasons) == {"name", "phone", "address"}
