"""CUS-01/02/05/14 writes: lifecycle, accounts, contacts, members, extra attributes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kams.audit.models import AuditEntry
from kams.core.errors import Conflict, InvalidInput
from kams.customers import services
from kams.customers.enums import AccountStatus, AttributeKind, CustomerStatus, CustomerType, RelationKind
from kams.customers.errors import (
    CustomerNotEditable,
    DuplicateCertificate,
    IllegalLifecycleStep,
    InvalidExtraAttribute,
    ReasonRequired,
)
from kams.customers.models import Customer, Level, LevelCategory, PayingAccount
from kams.customers.selectors import level_suggest, name_initials, search
from kams.customers.testing import make_customer

pytestmark = pytest.mark.django_db


def test_name_initials_of_chinese_and_latin_names():
    assert name_initials("南京银行股份有限公司") == "njyhgfyxgs"
    assert name_initials("IBM中国 (苏州)") == "ibmzgsz"


def test_create_suggests_and_sets_level_and_is_audited(province):
    customer = make_customer(province, expected_monthly_revenue=Decimal("45000"))

    assert customer.code == f"JS{customer.pk:08d}"
    assert customer.level == Level.objects.get(category__code="group", code="B")
    assert customer.name_initials == "njyhgfyxgs"
    entry = AuditEntry.objects.get(action="customers.create")
    assert entry.target_id == str(customer.pk) and entry.org_unit == province.units["NJ"]
    assert entry.after["level"] == "B类（重要级）"


def test_individual_level_needs_tenure(province):
    today = datetime.date.today()
    young = make_customer(
        province, name="张三", customer_type=CustomerType.HIGH_END, certificate_no="",
        expected_monthly_revenue=Decimal("1500"), joined_on=today.replace(year=today.year - 1),
    )
    old = make_customer(
        province, name="李四", customer_type=CustomerType.HIGH_END, certificate_no="",
        expected_monthly_revenue=Decimal("1500"), joined_on=today.replace(year=today.year - 3),
    )

    assert young.level.code == "gold" and old.level.code == "diamond"


def test_account_manager_creates_for_themself_only(province):
    own = make_customer(province, actor="nj_manager1", manager=None, certificate_no="")
    assert own.account_manager == province.staff["nj_manager1"]

    with pytest.raises(InvalidInput):
        make_customer(province, actor="nj_manager1", manager="nj_manager2", certificate_no="")


def test_create_outside_scope_is_404_and_changes_nothing(province):
    with pytest.raises(Http404):
        make_customer(province, actor="nj_director", unit="SZ", manager=None, certificate_no="")

    assert not Customer.objects.exists()
    assert not AuditEntry.objects.filter(action="customers.create").exists()


def test_create_with_manager_from_another_city_is_refused(province):
    with pytest.raises(InvalidInput):
        make_customer(province, actor="js_director", unit="NJ", manager="sz_manager1", certificate_no="")


def test_duplicate_certificate_is_refused_while_the_other_is_active(province, customers):
    with pytest.raises(DuplicateCertificate) as info:
        make_customer(province, name="同证号公司", certificate_no="91320100134791002P")

    assert "南京银行股份有限公司" in info.value.text
    assert Customer.objects.count() == 4


def test_without_add_permission_create_is_refused(province):
    with pytest.raises(PermissionDenied):
        make_customer(province, actor="norole", manager=None, certificate_no="")


def test_update_records_before_after_and_suggests_new_level(province, customers):
    customer = customers["nj_m1"]

    updated, suggestion = services.customer_update(
        actor=province.user("nj_manager1"),
        customer=customer,
        changes={"expected_monthly_revenue": Decimal("150000"), "address": "南京市中山路1号"},
        reason="年度合同续签",
    )

    assert updated.level.code == "B"  # unchanged until someone applies the suggestion
    assert suggestion.code == "A"
    entry = AuditEntry.objects.get(action="customers.update")
    assert entry.before["address"] == "" and entry.after["address"] == "南京市中山路1号"
    assert entry.reason == "年度合同续签"


def test_update_with_unknown_field_changes_nothing(province, customers):
    with pytest.raises(InvalidInput):
        services.customer_update(actor=province.user("js_director"), customer=customers["nj_m1"], changes={"code": "X"})

    assert not AuditEntry.objects.filter(action="customers.update").exists()


def test_own_records_manager_cannot_hand_over_a_customer(province, customers):
    with pytest.raises(InvalidInput):
        services.customer_update(
            actor=province.user("nj_manager1"),
            customer=customers["nj_m1"],
            changes={"account_manager": province.staff["nj_manager2"]},
        )

    customers["nj_m1"].refresh_from_db()
    assert customers["nj_m1"].account_manager == province.staff["nj_manager1"]


def test_manager_cannot_touch_a_colleagues_customer(province, customers):
    with pytest.raises(Http404):
        services.customer_update(actor=province.user("nj_manager1"), customer=customers["nj_m2"], changes={"address": "x"})


def test_level_set_needs_a_reason(province, customers):
    level_a = Level.objects.get(category__code="group", code="A")
    with pytest.raises(ReasonRequired):
        services.customer_level_set(actor=province.user("nj_director"), customer=customers["nj_m1"], level=level_a, reason=" ")

    services.customer_level_set(actor=province.user("nj_director"), customer=customers["nj_m1"], level=level_a, reason="战略合作协议")

    customers["nj_m1"].refresh_from_db()
    assert customers["nj_m1"].level == level_a
    assert AuditEntry.objects.get(action="customers.level_set").reason == "战略合作协议"


def test_cancel_makes_historical_and_cancels_accounts_restore_reopens_them(province, customers):
    customer = customers["nj_m1"]
    director = province.user("nj_director")
    kept = services.account_add(actor=director, customer=customer, account_no="2500000001", name="主账户")
    closed = services.account_add(actor=director, customer=customer, account_no="2500000002", name="旧账户")
    services.account_cancel(actor=director, account=closed, reason="合并账户")

    services.customer_cancel(actor=director, customer=customer, reason="客户迁出")

    customer.refresh_from_db()
    kept.refresh_from_db()
    assert customer.status == CustomerStatus.HISTORICAL and customer.cancelled_at is not None
    assert kept.status == AccountStatus.CANCELLED and kept.cancelled_with_customer
    with pytest.raises(CustomerNotEditable):
        services.customer_update(actor=director, customer=customer, changes={"address": "x"})

    services.customer_restore(actor=director, customer=customer, reason="客户回归")

    customer.refresh_from_db()
    kept.refresh_from_db()
    closed.refresh_from_db()
    assert customer.status == CustomerStatus.CURRENT
    assert kept.status == AccountStatus.ACTIVE
    assert closed.status == AccountStatus.CANCELLED  # cancelled on its own, stays so
    actions = list(AuditEntry.objects.filter(target_type="customers.customer").values_list("action", flat=True))
    assert "customers.cancel" in actions and "customers.restore" in actions


@pytest.mark.parametrize("step", ["restore", "cancel_twice"])
def test_illegal_lifecycle_steps_are_refused(province, customers, step):
    director, customer = province.user("nj_director"), customers["nj_m1"]
    if step == "cancel_twice":
        services.customer_cancel(actor=director, customer=customer, reason="一")
    call = services.customer_restore if step == "restore" else services.customer_cancel

    with pytest.raises(IllegalLifecycleStep):
        call(actor=director, customer=customer, reason="二")


def test_cancel_needs_cancel_permission_and_reason(province, customers):
    with pytest.raises(PermissionDenied):
        services.customer_cancel(actor=province.user("nj_manager1"), customer=customers["nj_m1"], reason="x")
    with pytest.raises(ReasonRequired):
        services.customer_cancel(actor=province.user("nj_director"), customer=customers["nj_m1"], reason="")

    customers["nj_m1"].refresh_from_db()
    assert customers["nj_m1"].status == CustomerStatus.CURRENT


def test_restore_is_refused_when_certificate_was_taken_meanwhile(province, customers):
    director = province.user("nj_director")
    services.customer_cancel(actor=director, customer=customers["nj_m1"], reason="注销")
    make_customer(province, name="接手公司", certificate_no="91320100134791002P")

    with pytest.raises(DuplicateCertificate):
        services.customer_restore(actor=director, customer=customers["nj_m1"], reason="恢复")


def test_extra_attributes_are_typed_and_validated(province):
    admin = province.user("admin")
    services.extra_attribute_save(actor=admin, code="staff_size", label="员工规模", kind=AttributeKind.NUMBER)
    services.extra_attribute_save(
        actor=admin, code="ownership", label="企业性质", kind=AttributeKind.CHOICE, choices=["国有", "民营", "外资"], required=True
    )

    customer = make_customer(province, certificate_no="", extra={"staff_size": "1200", "ownership": "国有"})
    assert customer.extra == {"staff_size": 1200, "ownership": "国有"}

    for bad in ({"staff_size": "很多", "ownership": "国有"}, {"ownership": "合资"}, {"staff_size": 5}, {"nope": 1}):
        with pytest.raises(InvalidExtraAttribute):
            make_customer(province, name="坏数据公司", certificate_no="", extra=bad)
    assert Customer.objects.count() == 1


def test_extra_attribute_code_cannot_change_while_in_use(province):
    admin = province.user("admin")
    attribute = services.extra_attribute_save(actor=admin, code="floor", label="楼层", kind=AttributeKind.TEXT)
    make_customer(province, certificate_no="", extra={"floor": "12F"})

    with pytest.raises(InvalidInput):
        services.extra_attribute_save(actor=admin, attribute=attribute, code="storey")
    services.extra_attribute_save(actor=admin, attribute=attribute, label="所在楼层")

    attribute.refresh_from_db()
    assert (attribute.code, attribute.label) == ("floor", "所在楼层")


def test_accounts_contacts_members_are_audited_and_scoped(province, customers):
    manager = province.user("nj_manager1")
    customer = customers["nj_m1"]
    account = services.account_add(actor=manager, customer=customer, account_no="2500000009", name="总部账户")
    contact = services.contact_add(actor=manager, customer=customer, name="王总", role="decision_maker", mobile="13900001111")
    member = services.member_add(actor=manager, customer=customer, msisdn="13900002222", account=account)
    services.contact_update(actor=manager, contact=contact, title="信息中心主任")
    services.member_leave(actor=manager, member=member, reason="离职")

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"customers.account_add", "customers.contact_add", "customers.member_add", "customers.contact_update", "customers.member_leave"} <= actions
    assert AuditEntry.objects.get(action="customers.contact_update").org_unit == province.units["NJ"]

    with pytest.raises(Http404):
        services.contact_add(actor=province.user("sz_manager1"), customer=customer, name="越权")
    with pytest.raises(Conflict):
        services.account_add(actor=manager, customer=customer, account_no="2500000009", name="重复")
    with pytest.raises(InvalidInput):
        services.contact_add(actor=manager, customer=customer, name="坏邮箱", email="not-an-email")
    assert PayingAccount.objects.count() == 1


def test_member_number_active_once(province, customers):
    manager = province.user("nj_manager1")
    services.member_add(actor=manager, customer=customers["nj_m1"], msisdn="13900003333")

    with pytest.raises(Conflict):
        services.member_add(actor=province.user("nj_manager2"), customer=customers["nj_m2"], msisdn="13900003333")


def test_member_account_must_belong_to_the_customer(province, customers):
    other_account = services.account_add(actor=province.user("js_director"), customer=customers["nj_m2"], account_no="2500000100", name="别家")

    with pytest.raises(InvalidInput):
        services.member_add(actor=province.user("js_director"), customer=customers["nj_m1"], msisdn="13900004444", account=other_account)


def test_relations_between_visible_customers(province, customers):
    director = province.user("nj_director")
    services.relation_add(actor=director, customer=customers["nj_m1"], other=customers["zj"], kind=RelationKind.PARENT_OF)

    with pytest.raises(Conflict):
        services.relation_add(actor=director, customer=customers["nj_m1"], other=customers["zj"], kind=RelationKind.PARENT_OF)
    with pytest.raises(Http404):
        services.relation_add(actor=director, customer=customers["nj_m1"], other=customers["sz"], kind=RelationKind.RELATED)
    with pytest.raises(InvalidInput):
        services.relation_add(actor=director, customer=customers["nj_m1"], other=customers["nj_m1"], kind=RelationKind.RELATED)


def test_search_by_initials_account_and_member(province, customers):
    manager = province.user("js_director")
    services.account_add(actor=manager, customer=customers["nj_m2"], account_no="2511112222", name="钢铁账户")
    services.member_add(actor=manager, customer=customers["zj"], msisdn="13955556666")
    everything = Customer.objects.all()

    assert list(search(everything, "njyh")) == [customers["nj_m1"]]
    assert list(search(everything, "2511112222")) == [customers["nj_m2"]]
    assert list(search(everything, "13955556666")) == [customers["zj"]]
    assert set(search(everything, "南京")) == {customers["nj_m1"], customers["nj_m2"]}


def test_visible_to_follows_roles(province, customers):
    def names(username):
        return set(Customer.objects.visible_to(province.user(username)).values_list("pk", flat=True))

    ids = {k: c.pk for k, c in customers.items()}
    assert names("nj_manager1") == {ids["nj_m1"]}
    assert names("nj_director") == {ids["nj_m1"], ids["nj_m2"], ids["zj"]}
    assert names("sz_director") == {ids["sz"]}
    assert names("js_director") == set(ids.values())


def test_level_suggest_without_matching_category_is_none(province, customers):
    LevelCategory.objects.filter(code="group").update(customer_types=[])

    assert level_suggest(customers["nj_m1"]) is None
