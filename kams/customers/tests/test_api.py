from decimal import Decimal

import pytest

from kams.audit.models import AuditEntry
from kams.customers.enums import AccountStatus, AttributeKind, CustomerStatus
from kams.customers.models import Contact, Customer, ExtraAttribute, Industry, Level, Member, PayingAccount
from kams.customers.overview import _sections
from kams.org.testing import assert_scoped, make_staff

pytestmark = pytest.mark.django_db

BASE = "/api/v1/customers"


def _customer(province, code, unit, manager=None, **fields):
    values = {
        "name": f"客户{code}",
        "customer_type": "group",
        "status": CustomerStatus.CURRENT,
        "org_unit": province.units[unit],
        "account_manager": province.staff[manager] if manager else None,
        **fields,
    }
    return Customer.objects.create(code=code, **values)


@pytest.fixture
def book(province):
    """Customers of two Nanjing managers, one in the Zhenjiang district the Nanjing director
    oversees, one in Suzhou; each with an account, a contact and a member."""
    customers = {
        "nj1": _customer(province, "T001", "NJ", "nj_manager1", certificate_type="credit_code",
                         certificate_no="91320100MA1XYZ1234", phone="13812345678"),
        "nj2": _customer(province, "T002", "NJ-D02", "nj_manager2"),
        "zj": _customer(province, "T003", "ZJ-D01"),
        "sz": _customer(province, "T004", "SZ", "sz_manager1"),
    }
    accounts, contacts, members = {}, {}, {}
    for n, (key, customer) in enumerate(customers.items()):
        accounts[key] = PayingAccount.objects.create(customer=customer, account_no=f"A{n}", name=f"帐户{n}")
        contacts[key] = Contact.objects.create(customer=customer, name=f"联系人{n}", mobile=f"1390000000{n}")
        members[key] = Member.objects.create(customer=customer, msisdn=f"1370000000{n}", account=accounts[key])
    return {"customers": customers, "accounts": accounts, "contacts": contacts, "members": members}


SCOPE = {
    "nj_manager1": {"nj1"},
    "nj_manager2": {"nj2"},
    "nj_director": {"nj1", "nj2", "zj"},
    "sz_director": {"sz"},
    "js_director": {"nj1", "nj2", "zj", "sz"},
}


@pytest.mark.parametrize("kind,path", [
    ("customers", "customers"), ("accounts", "accounts"), ("contacts", "contacts"), ("members", "members"),
])
def test_lists_and_details_keep_to_scope(book, api_client_for, kind, path):
    assert_scoped(
        api_client_for,
        list_url=f"{BASE}/{path}/",
        detail_url=lambda obj: f"{BASE}/{path}/{obj.pk}/",
        objects=book[kind],
        expected=SCOPE,
    )


def test_customer_list_filters_and_search(book, api_client_for, province):
    client = api_client_for("js_director")

    def codes(params):
        response = client.get(f"{BASE}/customers/", params)
        assert response.status_code == 200, response.content
        return [row["code"] for row in response.json()["results"]]

    assert codes({"unit": province.units["NJ"].pk}) == ["T001", "T002"]
    assert codes({"account_manager": province.staff["sz_manager1"].pk}) == ["T004"]
    assert codes({"q": "T003"}) == ["T003"]
    assert codes({"q": "A1"}) == ["T002"]  # by account number
    assert codes({"q": "91320100MA1XYZ1234"}) == ["T001"]
    assert codes({"status": "historical"}) == []
    assert codes({"customer_type": "group", "unit": province.units["SZ"].pk}) == ["T004"]
    Customer.objects.filter(code="T002").update(industry=Industry.objects.get(code="it"))
    assert codes({"industry": "it"}) == ["T002"]
    assert client.get(f"{BASE}/customers/", {"industry": "nope"}).status_code == 400


def test_customer_list_unit_filter_cannot_widen_scope(book, api_client_for, province):
    response = api_client_for("nj_director").get(f"{BASE}/customers/", {"unit": province.units["SZ"].pk})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "unit" in response.json()["fields"]


@pytest.fixture
def it_staff_attribute(db):
    return ExtraAttribute.objects.create(code="it_staff", label="IT人数", kind=AttributeKind.NUMBER)


def test_customer_create_returns_201_with_level_and_is_audited(province, api_client_for, it_staff_attribute):
    response = api_client_for("nj_manager1").post(
        f"{BASE}/customers/",
        {
            "name": "南京银行",
            "customer_type": "group",
            "org_unit": province.units["NJ"].pk,
            "industry": "finance",
            "certificate_type": "credit_code",
            "certificate_no": "91320100MA1AAA0001",
            "phone": "02584001234",
            "expected_monthly_revenue": "40000.00",
            "businesses": ["mobile", "leased_line"],
            "extra": {"it_staff": "12"},
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert body["code"] == f"JS{customer.pk:08d}"
    assert body["name_initials"] == "njyh"
    assert body["industry"] == "finance" and body["industry_name"] == "金融保险"
    assert body["account_manager"] == province.staff["nj_manager1"].pk  # own-records role: themself
    assert body["level_name"] == "B类（重要级）"
    assert body["certificate_no"] == "91320100MA1AAA0001" and body["phone"] == "02584001234"
    assert body["extra"] == {"it_staff": 12}
    assert body["businesses"] == ["mobile", "leased_line"]
    entry = AuditEntry.objects.get(action="customers.create", target_id=str(customer.pk))
    assert entry.after["name"] == "南京银行" and entry.actor == province.user("nj_manager1")


@pytest.mark.parametrize(
    "change,status,code,named",
    [
        ({"name": None}, 400, "invalid", "name"),
        ({"industry": "no-such-industry"}, 400, "invalid", "industry"),
        ({"extra": {"it_staff": "twelve"}}, 400, "customers.invalid_extra_attribute", "IT人数"),
        ({"extra": {"no_such": "1"}}, 400, "customers.invalid_extra_attribute", "no_such"),
        ({"certificate_no": "91320100MA1XYZ1234"}, 409, "customers.duplicate_certificate", "certificate_no"),
        ({"org_unit": 999999}, 400, "invalid", "org_unit"),
        ({"status": "historical"}, 409, "customers.illegal_lifecycle_step", None),
    ],
    ids=["missing-name", "unknown-industry", "bad-extra-value", "unknown-extra", "duplicate-certificate",
         "unknown-unit", "created-historical"],
)
def test_customer_create_bad_input_answers_error_body_and_creates_nothing(
    book, province, api_client_for, it_staff_attribute, change, status, code, named
):
    payload = {
        "name": "坏数据公司",
        "customer_type": "group",
        "org_unit": province.units["NJ"].pk,
        "certificate_type": "credit_code",
        "certificate_no": "91320100MA1NEW0001",
        **change,
    }
    payload = {k: v for k, v in payload.items() if v is not None}
    count, audit_count = Customer.objects.count(), AuditEntry.objects.count()

    response = api_client_for("nj_director").post(f"{BASE}/customers/", payload, format="json")

    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["status"] == str(status)
    if code == "invalid":
        assert list(body["fields"]) == [named]
    elif named:
        assert named in body["message"]
    assert Customer.objects.count() == count
    assert AuditEntry.objects.count() == audit_count


def test_customer_create_in_other_city_unit_is_refused(book, province, api_client_for):
    response = api_client_for("nj_director").post(
        f"{BASE}/customers/",
        {"name": "越权公司", "customer_type": "group", "org_unit": province.units["SZ"].pk},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["org_unit"]
    assert not Customer.objects.filter(name="越权公司").exists()


def test_customer_patch_returns_suggested_level_without_applying_it(book, province, api_client_for):
    customer = book["customers"]["nj1"]

    response = api_client_for("nj_manager1").patch(
        f"{BASE}/customers/{customer.pk}/",
        {"expected_monthly_revenue": "150000", "address": "南京市玄武区中山路1号", "reason": "年度复核"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["suggested_level"] == {"id": Level.objects.get(category__code="group", code="A").pk, "code": "A",
                                       "name": "A类（战略级）"}
    assert body["level"] is None and body["address"] == "南京市玄武区中山路1号"
    customer.refresh_from_db()
    assert customer.expected_monthly_revenue == Decimal("150000") and customer.level is None
    entry = AuditEntry.objects.get(action="customers.update", target_id=str(customer.pk))
    assert entry.reason == "年度复核" and entry.after["address"] == "南京市玄武区中山路1号"


def test_customer_patch_bad_input_changes_nothing(book, api_client_for):
    customer = book["customers"]["nj1"]

    response = api_client_for("nj_manager1").patch(
        f"{BASE}/customers/{customer.pk}/", {"name": "新名字", "email": "not-an-email"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["email"]
    customer.refresh_from_db()
    assert customer.name == "客户T001"


def test_customer_patch_by_manager_of_other_customer_is_404(book, api_client_for):
    customer = book["customers"]["nj2"]

    response = api_client_for("nj_manager1").patch(f"{BASE}/customers/{customer.pk}/", {"name": "x"}, format="json")

    assert response.status_code == 404
    customer.refresh_from_db()
    assert customer.name == "客户T002"


def test_customer_delete_is_not_offered(book, api_client_for):
    customer = book["customers"]["nj1"]

    response = api_client_for("nj_director").delete(f"{BASE}/customers/{customer.pk}/")

    assert response.status_code == 405
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_customer_cancel_makes_it_historical_and_cancels_its_accounts(book, api_client_for):
    customer = book["customers"]["nj1"]

    response = api_client_for("nj_director").post(
        f"{BASE}/customers/{customer.pk}/cancel/", {"reason": "客户迁出"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "historical"
    account = book["accounts"]["nj1"]
    account.refresh_from_db()
    assert account.status == AccountStatus.CANCELLED
    entry = AuditEntry.objects.get(action="customers.cancel", target_id=str(customer.pk))
    assert entry.reason == "客户迁出" and entry.before["accounts"] == ["A0"]


def test_customer_cancel_then_restore_reopens_accounts(book, api_client_for):
    customer = book["customers"]["nj1"]
    client = api_client_for("nj_director")
    client.post(f"{BASE}/customers/{customer.pk}/cancel/", {"reason": "迁出"}, format="json")

    response = client.post(f"{BASE}/customers/{customer.pk}/restore/", {"reason": "回迁"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "current"
    account = book["accounts"]["nj1"]
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def test_customer_cancel_without_reason_is_400_and_changes_nothing(book, api_client_for):
    customer = book["customers"]["nj1"]

    response = api_client_for("nj_director").post(f"{BASE}/customers/{customer.pk}/cancel/", {}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reason"]
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.CURRENT


def test_customer_cancel_needs_cancel_permission(book, api_client_for):
    customer = book["customers"]["nj1"]

    response = api_client_for("nj_manager1").post(
        f"{BASE}/customers/{customer.pk}/cancel/", {"reason": "试试"}, format="json"
    )

    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.CURRENT


def test_customer_restore_of_active_customer_is_409(book, api_client_for):
    customer = book["customers"]["nj1"]

    response = api_client_for("nj_director").post(
        f"{BASE}/customers/{customer.pk}/restore/", {"reason": "误操作"}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "customers.illegal_lifecycle_step" and body["status"] == "409"
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.CURRENT
    assert not AuditEntry.objects.filter(action="customers.restore").exists()


def test_customer_patch_of_historical_customer_is_409(book, api_client_for):
    customer = book["customers"]["nj1"]
    Customer.objects.filter(pk=customer.pk).update(status=CustomerStatus.HISTORICAL)

    response = api_client_for("nj_director").patch(f"{BASE}/customers/{customer.pk}/", {"name": "x"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "customers.not_editable"
    customer.refresh_from_db()
    assert customer.name == "客户T001"


def test_customer_level_without_reason_is_400_and_changes_nothing(book, api_client_for):
    customer = book["customers"]["nj1"]
    level = Level.objects.get(category__code="group", code="B")

    response = api_client_for("nj_manager1").post(
        f"{BASE}/customers/{customer.pk}/level/", {"level": level.pk}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reason"]
    customer.refresh_from_db()
    assert customer.level is None


def test_customer_level_with_reason_sets_it_and_null_clears_it(book, api_client_for):
    customer = book["customers"]["nj1"]
    level = Level.objects.get(category__code="group", code="B")
    client = api_client_for("nj_manager1")

    response = client.post(
        f"{BASE}/customers/{customer.pk}/level/", {"level": level.pk, "reason": "战略合作"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["level"] == level.pk and response.json()["level_name"] == "B类（重要级）"
    assert AuditEntry.objects.get(action="customers.level_set").reason == "战略合作"
    response = client.post(f"{BASE}/customers/{customer.pk}/level/", {"level": None, "reason": "复核"}, format="json")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.level is None


def test_overview_gathers_the_sections(book, api_client_for):
    customer = book["customers"]["nj1"]

    response = api_client_for("nj_manager1").get(f"{BASE}/customers/{customer.pk}/overview/")

    assert response.status_code == 200
    body = response.json()
    assert body["customer"] == {"id": customer.pk, "code": "T001", "name": "客户T001"}
    assert {"profile", "level", "accounts", "contacts", "history"} <= set(body["sections"])
    assert body["sections"]["profile"]["title"] == str(_sections["profile"].title)
    assert body["sections"]["profile"]["data"]["certificate_no"] == "91320100MA1XYZ1234"
    assert body["sections"]["accounts"]["data"]["items"][0]["account_no"] == "A0"
    assert body["sections"]["contacts"]["data"]["items"][0]["mobile"] == "13900000000"


def test_overview_of_other_managers_customer_is_404(book, api_client_for):
    response = api_client_for("nj_manager1").get(f"{BASE}/customers/{book['customers']['nj2'].pk}/overview/")

    assert response.status_code == 404


@pytest.fixture
def club_client(province, api_client_for):
    province.staff["club1"] = make_staff("club1", province.units["JS"], ("club_staff",))
    return api_client_for("club1")


def test_club_staff_sees_masked_personal_data(book, club_client):
    customer = book["customers"]["nj1"]

    overview = club_client.get(f"{BASE}/customers/{customer.pk}/overview/").json()["sections"]
    detail = club_client.get(f"{BASE}/customers/{customer.pk}/").json()
    contact = club_client.get(f"{BASE}/contacts/{book['contacts']['nj1'].pk}/").json()
    member = club_client.get(f"{BASE}/members/{book['members']['nj1'].pk}/").json()

    assert overview["profile"]["data"]["certificate_no"] == "9132**********1234"
    assert overview["profile"]["data"]["phone"] == "138****5678"
    assert overview["contacts"]["data"]["items"][0]["mobile"] == "139****0000"
    assert detail["certificate_no"] == "9132**********1234" and detail["phone"] == "138****5678"
    assert contact["mobile"] == "139****0000"
    assert member["msisdn"] == "137****0000"


def test_club_staff_can_read_but_not_write(book, province, club_client):
    count = Customer.objects.count()

    listed = club_client.get(f"{BASE}/customers/", {"page_size": 500})
    created = club_client.post(
        f"{BASE}/customers/",
        {"name": "俱乐部建的", "customer_type": "group", "org_unit": province.units["NJ"].pk},
        format="json",
    )
    patched = club_client.patch(f"{BASE}/customers/{book['customers']['nj1'].pk}/", {"name": "x"}, format="json")

    assert listed.status_code == 200 and listed.json()["count"] == 4
    assert created.status_code == 403 and created.json()["code"] == "permission_denied"
    assert patched.status_code == 403
    assert Customer.objects.count() == count


def test_anonymous_is_refused(book, api_client_for):
    assert api_client_for(None).get(f"{BASE}/customers/").status_code in (401, 403)


# --- Accounts, contacts, members ---------------------------------------------------------------


def test_account_create_patch_and_cancel(book, api_client_for):
    customer = book["customers"]["nj1"]
    client = api_client_for("nj_manager1")

    created = client.post(
        f"{BASE}/accounts/", {"customer": customer.pk, "account_no": "NJ-0009", "name": "营业部帐户"}, format="json"
    )
    assert created.status_code == 201, created.content
    account_id = created.json()["id"]
    patched = client.patch(f"{BASE}/accounts/{account_id}/", {"bank_name": "南京银行", "reason": "换行"}, format="json")
    cancelled = client.post(f"{BASE}/accounts/{account_id}/cancel/", {"reason": "合并帐户"}, format="json")
    again = client.post(f"{BASE}/accounts/{account_id}/cancel/", {"reason": "再来"}, format="json")

    assert patched.status_code == 200 and patched.json()["bank_name"] == "南京银行"
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert list(
        AuditEntry.objects.filter(target_id=str(account_id), target_type="customers.payingaccount")
        .order_by("id").values_list("action", flat=True)
    ) == ["customers.account_add", "customers.account_update", "customers.account_cancel"]


def test_account_create_for_customer_out_of_scope_is_400_and_creates_nothing(book, api_client_for):
    response = api_client_for("nj_manager1").post(
        f"{BASE}/accounts/",
        {"customer": book["customers"]["nj2"].pk, "account_no": "X-1", "name": "越权"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["customer"]
    assert not PayingAccount.objects.filter(account_no="X-1").exists()


def test_account_create_duplicate_number_is_409(book, api_client_for):
    response = api_client_for("nj_manager1").post(
        f"{BASE}/accounts/", {"customer": book["customers"]["nj1"].pk, "account_no": "A3", "name": "重复"}, format="json"
    )

    assert response.status_code == 409
    assert PayingAccount.objects.filter(account_no="A3").count() == 1


def test_account_list_filters_by_customer(book, api_client_for):
    customer = book["customers"]["nj2"]

    response = api_client_for("nj_director").get(f"{BASE}/accounts/", {"customer": customer.pk})

    assert [row["account_no"] for row in response.json()["results"]] == ["A1"]


def test_contact_create_patch_and_delete(book, api_client_for):
    customer = book["customers"]["nj1"]
    client = api_client_for("nj_manager1")

    created = client.post(
        f"{BASE}/contacts/",
        {"customer": customer.pk, "name": "刘总", "role": "decision_maker", "mobile": "13811112222"},
        format="json",
    )
    assert created.status_code == 201, created.content
    contact_id = created.json()["id"]
    assert created.json()["mobile"] == "13811112222"
    patched = client.patch(f"{BASE}/contacts/{contact_id}/", {"title": "总经理"}, format="json")
    deleted = client.delete(f"{BASE}/contacts/{contact_id}/")

    assert patched.status_code == 200 and patched.json()["title"] == "总经理"
    assert deleted.status_code == 204
    assert not Contact.objects.filter(pk=contact_id).exists()
    assert AuditEntry.objects.filter(action="customers.contact_remove", target_id=str(contact_id)).exists()


def test_contact_create_bad_input_is_400_and_creates_nothing(book, api_client_for):
    count = Contact.objects.count()

    response = api_client_for("nj_manager1").post(
        f"{BASE}/contacts/", {"customer": book["customers"]["nj1"].pk, "name": "王", "role": "boss"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["role"]
    assert Contact.objects.count() == count


def test_contact_delete_by_club_staff_is_403(book, club_client):
    contact = book["contacts"]["nj1"]

    response = club_client.delete(f"{BASE}/contacts/{contact.pk}/")

    assert response.status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_member_create_and_leave(book, api_client_for):
    customer = book["customers"]["nj1"]
    client = api_client_for("nj_manager1")

    created = client.post(
        f"{BASE}/members/",
        {"customer": customer.pk, "msisdn": "13755556666", "account": book["accounts"]["nj1"].pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    member_id = created.json()["id"]
    duplicate = client.post(f"{BASE}/members/", {"customer": customer.pk, "msisdn": "13755556666"}, format="json")
    left = client.post(f"{BASE}/members/{member_id}/leave/", {"reason": "离职"}, format="json")

    assert duplicate.status_code == 409
    assert left.status_code == 200 and left.json()["is_active"] is False
    assert Member.objects.filter(msisdn="13755556666").count() == 1


def test_member_create_with_account_of_other_customer_is_400(book, api_client_for):
    response = api_client_for("nj_director").post(
        f"{BASE}/members/",
        {"customer": book["customers"]["nj1"].pk, "msisdn": "13755557777", "account": book["accounts"]["nj2"].pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "kams.invalid_input" and response.json()["message"].startswith("account:")
    assert not Member.objects.filter(msisdn="13755557777").exists()


# --- Reference data and extra attributes -------------------------------------------------------


def test_industries_and_levels_are_readable_by_every_user(book, club_client):
    industries = club_client.get(f"{BASE}/industries/", {"page_size": 500}).json()
    levels = club_client.get(f"{BASE}/levels/", {"page_size": 500}).json()

    assert industries["count"] == Industry.objects.count() == 19
    assert industries["results"][0] == {"id": industries["results"][0]["id"], "code": "agriculture",
                                        "name": "农林牧渔", "order": 1}
    assert levels["count"] == 8
    assert {row["category"] for row in levels["results"]} == {"group", "individual"}
    group = club_client.get(f"{BASE}/levels/", {"category": "group"}).json()["results"]
    assert [row["code"] for row in group] == ["A", "B", "C", "D"]


def test_attribute_create_and_patch_need_attribute_permissions(province, api_client_for):
    payload = {"code": "credit_rating", "label": "信用等级", "kind": "choice", "choices": ["AAA", "AA", "A"]}

    refused = api_client_for("nj_director").post(f"{BASE}/attributes/", payload, format="json")
    created = api_client_for("js_director").post(f"{BASE}/attributes/", payload, format="json")

    assert refused.status_code == 403
    assert created.status_code == 201, created.content
    attribute_id = created.json()["id"]
    patched = api_client_for("js_director").patch(
        f"{BASE}/attributes/{attribute_id}/", {"label": "资信等级", "required": True}, format="json"
    )
    assert patched.status_code == 200
    assert patched.json()["label"] == "资信等级" and patched.json()["choices"] == ["AAA", "AA", "A"]
    assert ExtraAttribute.objects.filter(code="credit_rating").count() == 1
    assert AuditEntry.objects.filter(action="customers.attribute_save").count() == 2


def test_attribute_choice_without_choices_is_400(province, api_client_for):
    response = api_client_for("js_director").post(
        f"{BASE}/attributes/", {"code": "tier", "label": "层级", "kind": "choice"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith("choices:")
    assert not ExtraAttribute.objects.filter(code="tier").exists()


def test_overview_at_the_short_address(province, customers, api_client_for):
    customer = customers["nj_m1"]

    short = api_client_for("nj_manager1").get(f"/api/v1/customers/{customer.pk}/overview/")
    other = api_client_for("nj_manager1").get(f"/api/v1/customers/{customers['sz'].pk}/overview/")

    assert short.status_code == 200 and short.json()["customer"]["code"] == customer.code
    assert {"profile", "level", "accounts", "history"} <= set(short.json()["sections"])
    assert other.status_code == 404
