"""Customer pages (CUS-01/02/03/05/06/11/14): list, export, 360 view, change history and the
forms that write through the services."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from kams.audit.models import AuditEntry
from kams.customers import services
from kams.customers.enums import AccountStatus, AttributeKind, CustomerStatus, CustomerType, RelationKind
from kams.customers.errors import DuplicateCertificate, IllegalLifecycleStep, ReasonRequired
from kams.customers.models import Customer, ExtraAttribute, Level, PayingAccount, Relation
from kams.customers.testing import customers, make_customer  # noqa: F401  (fixture)
from kams.org.enums import RoleCode
from kams.org.testing import make_staff

pytestmark = pytest.mark.django_db


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {c.pk for c in response.context["page_obj"].object_list}


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def translated(error) -> str:
    """An error's text as the page shows it (in the site language), HTML-escaped."""
    with translation.override(settings.LANGUAGE_CODE):
        return escape(error.text)


def js_actor(province):
    return province.user("js_director")


# --- List (CUS-03) ------------------------------------------------------------------------------


def test_list_is_scoped_to_each_role(province, page_client_for, customers):  # noqa: F811
    c = customers

    assert listed(page_client_for("nj_manager1").get("/customers/")) == {c["nj_m1"].pk}
    assert listed(page_client_for("nj_director").get("/customers/")) == {c["nj_m1"].pk, c["nj_m2"].pk, c["zj"].pk}
    assert listed(page_client_for("js_director").get("/customers/")) == {c[k].pk for k in ("nj_m1", "nj_m2", "zj", "sz")}


def test_list_shows_status_counts_and_new_button_by_permission(province, page_client_for, customers):  # noqa: F811
    services.customer_cancel(actor=js_actor(province), customer=customers["nj_m2"], reason="合并")

    response = page_client_for("nj_director").get("/customers/")
    counts = {s["status"]: s["count"] for s in response.context["status_counts"]}
    assert counts == {CustomerStatus.POTENTIAL: 0, CustomerStatus.CURRENT: 2, CustomerStatus.HISTORICAL: 1}
    assert 'id="new-customer"' in response.content.decode()

    club = make_staff("club1", province.units["JS-JKB"], (RoleCode.CLUB_STAFF,))
    club_page = page_client_for("js_director")
    club_page.force_login(club.user)
    assert 'id="new-customer"' not in club_page.get("/customers/").content.decode()
    assert club_page.get("/customers/new/").status_code == 403


def test_list_search_by_pinyin_initials_number_and_account(province, page_client_for, customers):  # noqa: F811
    c = customers
    services.account_add(actor=js_actor(province), customer=c["sz"], account_no="SZ-ACC-0001", name="苏州科技")
    client = page_client_for("js_director")

    assert listed(client.get("/customers/", {"q": "njgt"})) == {c["nj_m2"].pk}
    assert listed(client.get("/customers/", {"q": "NJ"})) == {c["nj_m1"].pk, c["nj_m2"].pk}
    assert listed(client.get("/customers/", {"q": "SZ-ACC-0001"})) == {c["sz"].pk}
    assert listed(client.get("/customers/", {"q": c["zj"].code})) == {c["zj"].pk}
    # An account number of another city finds nothing for a Nanjing manager.
    assert listed(page_client_for("nj_manager1").get("/customers/", {"q": "SZ-ACC-0001"})) == set()


def test_list_filters_by_type_status_and_unit(province, page_client_for, customers):  # noqa: F811
    c = customers
    individual = make_customer(province, name="赵先生", customer_type=CustomerType.HIGH_END, certificate_no="320102199001011234")
    client = page_client_for("js_director")

    assert listed(client.get("/customers/", {"customer_type": CustomerType.HIGH_END})) == {individual.pk}
    assert listed(client.get("/customers/", {"unit": province.units["ZJ"].pk})) == {c["zj"].pk}
    assert listed(client.get("/customers/", {"account_manager": province.staff["nj_manager2"].pk})) == {c["nj_m2"].pk}


def test_list_filters_by_extra_attributes_of_each_kind(province, page_client_for):
    actor = js_actor(province)
    for code, label, kind, choices in (
        ("bank", "开户银行", AttributeKind.TEXT, []),
        ("floors", "楼层数", AttributeKind.NUMBER, []),
        ("signed", "签约日期", AttributeKind.DATE, []),
        ("grade", "信用等级", AttributeKind.CHOICE, ["甲", "乙"]),
    ):
        services.extra_attribute_save(actor=actor, code=code, label=label, kind=kind, choices=choices)
    tall = make_customer(
        province, name="南京高楼公司", certificate_no="C1",
        extra={"bank": "南京银行城南支行", "floors": 30, "signed": "2025-03-01", "grade": "甲"},
    )
    low = make_customer(
        province, name="南京矮楼公司", certificate_no="C2",
        extra={"bank": "工商银行", "floors": 3, "signed": "2024-01-15", "grade": "乙"},
    )
    client = page_client_for("js_director")

    assert listed(client.get("/customers/", {"x_bank": "城南"})) == {tall.pk}
    assert listed(client.get("/customers/", {"x_floors_min": "10"})) == {tall.pk}
    assert listed(client.get("/customers/", {"x_floors_max": "10"})) == {low.pk}
    assert listed(client.get("/customers/", {"x_signed_from": "2025-01-01"})) == {tall.pk}
    assert listed(client.get("/customers/", {"x_signed_to": "2024-12-31"})) == {low.pk}
    assert listed(client.get("/customers/", {"x_grade": "乙"})) == {low.pk}
    header = client.get("/customers/").context["header"]
    assert [str(h) for h in header[-4:]] == ["开户银行", "楼层数", "信用等级", "签约日期"]  # by order, then code


def test_export_holds_exactly_the_filtered_rows_masked_without_personal_data_permission(province, page_client_for):
    nj = make_customer(province, name="南京甲公司", certificate_no="913201001347910021", phone="13812345678")
    make_customer(province, name="南京乙公司", certificate_no="913201001347910022", phone="13912345678",
                  status=CustomerStatus.POTENTIAL)
    make_customer(province, name="苏州丙公司", unit="SZ", manager="sz_manager1", certificate_no="913205001347910023")
    club = make_staff("club1", province.units["JS-JKB"], (RoleCode.CLUB_STAFF,))
    client = page_client_for("js_director")
    client.force_login(club.user)

    rows = xlsx_rows(client.get("/customers/", {"status": CustomerStatus.CURRENT, "q": "南京", "export": "xlsx"}))

    header, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(header, body[0]))
    with translation.override(settings.LANGUAGE_CODE):
        cert, phone, code = str(translation.gettext("Certificate number")), str(translation.gettext("Phone")), str(translation.gettext("Customer number"))
    assert row[code] == nj.code
    assert row[cert] == "9132**********0021"
    assert row[phone] == "138****5678"


def test_export_is_unmasked_for_an_account_manager(province, page_client_for):
    nj = make_customer(province, name="南京甲公司", certificate_no="913201001347910021", phone="13812345678")

    rows = xlsx_rows(page_client_for("nj_manager1").get("/customers/", {"export": "xlsx"}))

    assert len(rows) == 2
    assert nj.code in rows[1] and "913201001347910021" in rows[1] and "13812345678" in rows[1]


# --- Customer 360 (CUS-11) -----------------------------------------------------------------------


def test_detail_out_of_scope_is_404(province, page_client_for, customers):  # noqa: F811
    client = page_client_for("nj_manager1")

    assert client.get(f"/customers/{customers['nj_m1'].pk}/").status_code == 200
    assert client.get(f"/customers/{customers['nj_m2'].pk}/").status_code == 404
    assert client.get(f"/customers/{customers['sz'].pk}/").status_code == 404
    assert page_client_for("nj_director").get(f"/customers/{customers['sz'].pk}/").status_code == 404


def test_detail_shows_every_section(province, page_client_for, customers):  # noqa: F811
    actor, customer = js_actor(province), customers["nj_m1"]
    account = services.account_add(actor=actor, customer=customer, account_no="NJ-ACC-0001", name="南京银行总行")
    services.contact_add(actor=actor, customer=customer, name="刘经理", mobile="13800001111", is_primary=True)
    services.member_add(actor=actor, customer=customer, msisdn="13900002222", name="员工甲", account=account)
    services.relation_add(actor=actor, customer=customer, other=customers["nj_m2"], kind=RelationKind.RELATED)

    response = page_client_for("nj_director").get(f"/customers/{customer.pk}/")

    body = response.content.decode()
    for key in ("profile", "level", "accounts", "members", "contacts", "relations", "history"):
        assert f'id="section-{key}"' in body, key
    assert "NJ-ACC-0001" in body and "刘经理" in body and "13900002222" in body and "南京钢铁集团有限公司" in body
    assert "91320100134791002P" in body  # a director may see personal data
    assert "customers.account_add" in body  # the history lists the account's entry
    assert 'id="action-cancel"' in body and 'id="action-restore"' not in body
    assert f'href="/customers/accounts/{account.pk}/cancel/"' in body


def test_detail_masks_personal_data_and_hides_actions_for_read_only_roles(province, page_client_for, customers):  # noqa: F811
    club = make_staff("club1", province.units["JS-JKB"], (RoleCode.CLUB_STAFF,))
    client = page_client_for("js_director")
    client.force_login(club.user)

    body = client.get(f"/customers/{customers['nj_m1'].pk}/").content.decode()

    assert "91320100134791002P" not in body and "9132**********002P" in body
    assert 'id="action-edit"' not in body and 'id="action-cancel"' not in body


# --- Writes through pages -----------------------------------------------------------------------


def customer_post(**overrides) -> dict:
    data = {
        "name": "南京新街口商贸有限公司",
        "customer_type": CustomerType.GROUP,
        "status": CustomerStatus.CURRENT,
        "certificate_type": "credit_code",
        "certificate_no": "91320100MA1NEW0001",
        "phone": "02584001234",
        "expected_monthly_revenue": "8000",
        "businesses": ["mobile", "data"],
    }
    data.update(overrides)
    return data


def test_create_page_creates_customer_for_the_manager_and_redirects(province, page_client_for):
    response = page_client_for("nj_manager1").post(
        "/customers/new/", customer_post(org_unit=province.units["NJ"].pk)
    )

    customer = Customer.objects.get(certificate_no="91320100MA1NEW0001")
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    assert customer.account_manager == province.staff["nj_manager1"]
    assert customer.businesses == ["mobile", "data"]
    assert customer.level.code == "C"
    assert AuditEntry.objects.filter(action="customers.create", target_id=str(customer.pk)).count() == 1


def test_create_form_defaults_the_manager_for_own_records_roles(province, page_client_for):
    form = page_client_for("nj_manager1").get("/customers/new/").context["form"]

    assert form.fields["account_manager"].initial == province.staff["nj_manager1"].pk
    assert list(form.fields["account_manager"].queryset) == [province.staff["nj_manager1"]]
    assert province.units["SZ"] not in form.fields["org_unit"].queryset


def test_create_with_duplicate_certificate_shows_the_error_and_creates_nothing(province, page_client_for, customers):  # noqa: F811
    existing = customers["nj_m1"]
    before = Customer.objects.count()

    response = page_client_for("nj_director").post(
        "/customers/new/",
        customer_post(org_unit=province.units["NJ"].pk, certificate_no=existing.certificate_no,
                      account_manager=province.staff["nj_manager2"].pk),
    )

    assert response.status_code == 200
    assert translated(DuplicateCertificate(other=f"{existing.code} {existing.name}")) in response.content.decode()
    assert Customer.objects.count() == before


def test_edit_page_saves_changes_and_points_to_the_suggested_level(province, page_client_for, customers):  # noqa: F811
    customer = customers["nj_m1"]
    assert customer.level.code == "B"
    client = page_client_for("nj_manager1")
    data = customer_post(
        name=customer.name, certificate_no=customer.certificate_no, phone="", businesses=[],
        org_unit=customer.org_unit_id, account_manager=province.staff["nj_manager1"].pk,
        expected_monthly_revenue="150000", reason="年度预算上调",
    )

    response = client.post(f"/customers/{customer.pk}/edit/", data, follow=True)

    customer.refresh_from_db()
    assert customer.expected_monthly_revenue == Decimal("150000") and customer.level.code == "B"
    entry = AuditEntry.objects.get(action="customers.update", target_id=str(customer.pk))
    assert entry.reason == "年度预算上调"
    assert {f for f, _b, _a in entry.changed_fields()} == {"expected_monthly_revenue"}
    body = response.content.decode()
    assert 'id="level-suggestion"' in body and f'href="/customers/{customer.pk}/level/"' in body


def test_level_change_without_reason_is_refused(province, page_client_for, customers):  # noqa: F811
    customer = customers["nj_m1"]
    level_a = Level.objects.get(category__code="group", code="A")
    client = page_client_for("nj_director")

    refused = client.post(f"/customers/{customer.pk}/level/", {"level": level_a.pk, "reason": ""})
    customer.refresh_from_db()
    assert refused.status_code == 200 and translated(ReasonRequired()) in refused.content.decode()
    assert customer.level.code == "B"

    done = client.post(f"/customers/{customer.pk}/level/", {"level": level_a.pk, "reason": "战略合作"})
    customer.refresh_from_db()
    assert done.status_code == 302 and customer.level == level_a


def test_cancel_and_restore_through_pages_close_and_reopen_accounts(province, page_client_for, customers):  # noqa: F811
    customer = customers["nj_m1"]
    account = services.account_add(actor=js_actor(province), customer=customer, account_no="NJ-ACC-0002", name="南京银行")
    client = page_client_for("nj_director")

    confirm = client.get(f"/customers/{customer.pk}/cancel/")
    assert confirm.status_code == 200 and 'name="reason"' in confirm.content.decode()
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.CURRENT  # a GET changes nothing

    cancelled = client.post(f"/customers/{customer.pk}/cancel/", {"reason": "客户经营范围变更"})
    customer.refresh_from_db()
    account.refresh_from_db()
    assert cancelled.status_code == 302 and cancelled["Location"] == f"/customers/{customer.pk}/"
    assert customer.status == CustomerStatus.HISTORICAL
    assert account.status == AccountStatus.CANCELLED and account.cancelled_with_customer
    assert 'id="action-restore"' in client.get(f"/customers/{customer.pk}/").content.decode()

    restored = client.post(f"/customers/{customer.pk}/restore/", {"reason": "恢复合作"})
    customer.refresh_from_db()
    account.refresh_from_db()
    assert restored.status_code == 302
    assert customer.status == CustomerStatus.CURRENT
    assert account.status == AccountStatus.ACTIVE and not account.cancelled_with_customer


def test_restoring_an_active_customer_is_refused(province, page_client_for, customers):  # noqa: F811
    customer = customers["nj_m1"]

    response = page_client_for("nj_director").post(f"/customers/{customer.pk}/restore/", {"reason": "误操作"})

    customer.refresh_from_db()
    assert response.status_code == 200
    expected = IllegalLifecycleStep(status=CustomerStatus.CURRENT.label, step=translation.gettext_lazy("restored"))
    assert translated(expected) in response.content.decode()
    assert customer.status == CustomerStatus.CURRENT
    assert not AuditEntry.objects.filter(action="customers.restore").exists()


def test_account_manager_cannot_cancel_and_historical_customer_refuses_new_accounts(province, page_client_for, customers):  # noqa: F811
    customer = customers["nj_m1"]
    assert page_client_for("nj_manager1").post(f"/customers/{customer.pk}/cancel/", {"reason": "x"}).status_code == 403
    services.customer_cancel(actor=js_actor(province), customer=customer, reason="注销")

    response = page_client_for("nj_manager1").post(
        f"/customers/{customer.pk}/accounts/new/", {"account_no": "NJ-ACC-0003", "name": "新账户", "payment_method": "bank"}
    )

    assert response.status_code == 200 and 'id="form-errors"' in response.content.decode()
    assert not PayingAccount.objects.filter(account_no="NJ-ACC-0003").exists()


def test_child_pages_add_edit_and_remove_records(province, page_client_for, customers):  # noqa: F811
    customer = customers["nj_m1"]
    client = page_client_for("nj_manager1")

    assert client.post(
        f"/customers/{customer.pk}/accounts/new/", {"account_no": "NJ-ACC-0004", "name": "总行账户", "payment_method": "bank"}
    ).status_code == 302
    account = PayingAccount.objects.get(account_no="NJ-ACC-0004")
    assert client.post(f"/customers/accounts/{account.pk}/edit/", {"name": "总行结算账户", "payment_method": "cash", "reason": "改名"}).status_code == 302
    assert client.post(f"/customers/{customer.pk}/contacts/new/", {"name": "王主任", "role": "decision_maker"}).status_code == 302
    contact = customer.contacts.get()
    assert client.post(f"/customers/contacts/{contact.pk}/remove/", {"reason": "离职"}).status_code == 302
    assert client.post(f"/customers/{customer.pk}/members/new/", {"msisdn": "13700003333", "business": "mobile", "account": account.pk}).status_code == 302
    member = customer.members.get()
    assert client.post(f"/customers/members/{member.pk}/leave/", {"reason": "离网"}).status_code == 302
    assert client.post(f"/customers/accounts/{account.pk}/cancel/", {"reason": "合并账户"}).status_code == 302

    account.refresh_from_db()
    member.refresh_from_db()
    assert (account.name, account.payment_method, account.status) == ("总行结算账户", "cash", AccountStatus.CANCELLED)
    assert not customer.contacts.exists() and not member.is_active
    assert list(
        AuditEntry.objects.filter(action__startswith="customers.", target_type__in=["customers.payingaccount", "customers.contact", "customers.member"])
        .order_by("id").values_list("action", flat=True)
    ) == [
        "customers.account_add", "customers.account_update", "customers.contact_add", "customers.contact_remove",
        "customers.member_add", "customers.member_leave", "customers.account_cancel",
    ]


def test_child_page_of_another_managers_record_is_404(province, page_client_for, customers):  # noqa: F811
    account = services.account_add(actor=js_actor(province), customer=customers["nj_m2"], account_no="NJ-ACC-0005", name="南钢")

    assert page_client_for("nj_manager1").get(f"/customers/accounts/{account.pk}/edit/").status_code == 404


def test_relation_page_takes_a_visible_customer_number(province, page_client_for, customers):  # noqa: F811
    c = customers
    client = page_client_for("nj_director")

    refused = client.post(f"/customers/{c['nj_m1'].pk}/relations/new/", {"kind": RelationKind.RELATED, "other": c["sz"].code})
    assert refused.status_code == 200 and not Relation.objects.exists()

    added = client.post(f"/customers/{c['nj_m1'].pk}/relations/new/", {"kind": RelationKind.PARENT_OF, "other": c["zj"].code})
    relation = Relation.objects.get()
    assert added.status_code == 302 and (relation.customer, relation.other) == (c["nj_m1"], c["zj"])

    assert client.post(f"/customers/relations/{relation.pk}/remove/").status_code == 302
    assert not Relation.objects.exists()


# --- Change history (CUS-06) ---------------------------------------------------------------------


def test_changes_page_lists_only_entries_in_scope_with_statistics(province, page_client_for, customers):  # noqa: F811
    c = customers
    services.customer_level_set(
        actor=js_actor(province), customer=c["nj_m1"], level=Level.objects.get(category__code="group", code="A"), reason="战略"
    )

    response = page_client_for("nj_director").get("/customers/changes/")

    entries = list(response.context["page_obj"].object_list)
    assert {(e.action, e.target_id) for e in entries} == {
        ("customers.create", str(c["nj_m1"].pk)), ("customers.create", str(c["nj_m2"].pk)),
        ("customers.create", str(c["zj"].pk)), ("customers.level_set", str(c["nj_m1"].pk)),
    }
    stats = response.context["stats"]
    assert dict(zip(stats["cities"]["labels"], stats["cities"]["values"])) == {"南京分公司": 3, "镇江分公司": 1}
    assert sorted(stats["actions"]["values"]) == [1, 3]
    body = response.content.decode()
    assert 'id="chart-actions"' in body and 'id="data-cities"' in body


def test_changes_page_filters_by_customer_number_action_and_exports(province, page_client_for, customers):  # noqa: F811
    c = customers
    services.account_add(actor=js_actor(province), customer=c["nj_m1"], account_no="NJ-ACC-0006", name="账户")
    client = page_client_for("js_director")

    by_customer = client.get("/customers/changes/", {"customer": c["nj_m1"].code})
    assert {e.action for e in by_customer.context["page_obj"].object_list} == {"customers.create", "customers.account_add"}
    by_action = client.get("/customers/changes/", {"action": "customers.account_add"})
    assert [e.target_repr for e in by_action.context["page_obj"].object_list] == ["NJ-ACC-0006 账户"]

    rows = xlsx_rows(client.get("/customers/changes/", {"action": "customers.create", "export": "xlsx"}))
    assert len(rows) == 1 + 4


def test_changes_page_of_an_account_manager_shows_only_their_own_actions(province, page_client_for, customers):  # noqa: F811
    own = make_customer(province, actor="nj_manager1", name="南京自建客户", certificate_no="OWN1")

    response = page_client_for("nj_manager1").get("/customers/changes/")

    assert [e.target_id for e in response.context["page_obj"].object_list] == [str(own.pk)]


# --- Extra attributes ----------------------------------------------------------------------------


def test_extra_attribute_create_page_adds_a_field_to_the_customer_form(province, page_client_for):
    client = page_client_for("js_director")

    response = client.post(
        "/customers/attributes/new/",
        {"code": "credit_grade", "label": "信用等级", "kind": "choice", "choices": "AAA\nAA\n\nA\nAA", "order": "1",
         "required": "on", "is_active": "on"},
    )

    attribute = ExtraAttribute.objects.get(code="credit_grade")
    assert response.status_code == 302 and response["Location"] == "/customers/attributes/"
    assert attribute.choices == ["AAA", "AA", "A"] and attribute.required
    assert "credit_grade" in client.get("/customers/attributes/").content.decode()
    field = client.get("/customers/new/").context["form"].fields["extra_credit_grade"]
    assert field.required and [value for value, _label in field.choices] == ["", "AAA", "AA", "A"]

    created = client.post(
        "/customers/new/",
        customer_post(org_unit=province.units["NJ"].pk, account_manager=province.staff["nj_manager1"].pk,
                      extra_credit_grade="AA"),
    )
    assert created.status_code == 302
    assert Customer.objects.get(certificate_no="91320100MA1NEW0001").extra == {"credit_grade": "AA"}


def test_extra_attribute_choice_without_choices_is_refused(province, page_client_for):
    response = page_client_for("js_director").post(
        "/customers/attributes/new/", {"code": "tier", "label": "层级", "kind": "choice", "choices": "", "order": "0"}
    )

    assert response.status_code == 200 and 'id="form-errors"' in response.content.decode()
    assert not ExtraAttribute.objects.exists()
    assert page_client_for("nj_director").get("/customers/attributes/new/").status_code == 403


def test_changes_page_masks_personal_data_in_the_log_for_read_only_roles(province, page_client_for, customers):  # noqa: F811
    services.member_add(actor=js_actor(province), customer=customers["nj_m1"], msisdn="13900004444")
    club = make_staff("club1", province.units["JS-JKB"], (RoleCode.CLUB_STAFF,))
    client = page_client_for("js_director")
    client.force_login(club.user)

    text = str(xlsx_rows(client.get("/customers/changes/", {"export": "xlsx"})))
    body = client.get(f"/customers/{customers['nj_m1'].pk}/").content.decode()

    assert "91320100134791002P" not in text and "9132**********002P" in text
    assert "13900004444" not in text and "139****4444" in text
    assert "13900004444" not in body and "139****4444" in body


def test_every_form_page_renders_its_form_on_get(province, page_client_for, customers):  # noqa: F811
    actor, customer = js_actor(province), customers["nj_m1"]
    account = services.account_add(actor=actor, customer=customer, account_no="NJ-ACC-0007", name="账户")
    contact = services.contact_add(actor=actor, customer=customer, name="孙主任")
    member = services.member_add(actor=actor, customer=customer, msisdn="13900005555")
    relation = services.relation_add(actor=actor, customer=customer, other=customers["nj_m2"], kind=RelationKind.RELATED)
    attribute = services.extra_attribute_save(actor=actor, code="area", label="面积", kind=AttributeKind.NUMBER)
    client = page_client_for("js_director")
    pk = customer.pk
    urls = [
        "/customers/new/", f"/customers/{pk}/edit/", f"/customers/{pk}/level/", f"/customers/{pk}/cancel/",
        f"/customers/{pk}/restore/", f"/customers/{pk}/accounts/new/", f"/customers/accounts/{account.pk}/edit/",
        f"/customers/accounts/{account.pk}/cancel/", f"/customers/{pk}/contacts/new/",
        f"/customers/contacts/{contact.pk}/edit/", f"/customers/contacts/{contact.pk}/remove/",
        f"/customers/{pk}/members/new/", f"/customers/members/{member.pk}/leave/",
        f"/customers/{pk}/relations/new/", f"/customers/relations/{relation.pk}/remove/",
        "/customers/attributes/", "/customers/attributes/new/", f"/customers/attributes/{attribute.pk}/edit/",
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<form" in response.content.decode() or url == "/customers/attributes/", url
    edit_form = client.get(f"/customers/{pk}/edit/").context["form"]
    assert edit_form.initial["certificate_no"] == "91320100134791002P" and "status" not in edit_form.fields
    assert AuditEntry.objects.filter(action__in=["customers.cancel", "customers.restore"]).count() == 0
