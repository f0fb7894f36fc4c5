"""TMF629 customer, TMF632 organization/individual, TMF666 billingAccount and TMF651
agreement over the customer domain (kams.customers.tmf)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from kams.audit.models import AuditEntry
from kams.customers import services
from kams.customers.enums import CertificateType, ContractState, CustomerStatus, CustomerType
from kams.customers.models import Contract, Customer, PayingAccount
from kams.customers.testing import make_customer
from kams.customers.tmf import join_name, split_name
from kams.org.testing import assert_scoped, make_staff

pytestmark = pytest.mark.django_db

CUSTOMER = "/tmf-api/customerManagement/v4/customer"
ORGANIZATION = "/tmf-api/party/v4/organization"
INDIVIDUAL = "/tmf-api/party/v4/individual"
BILLING_ACCOUNT = "/tmf-api/accountManagement/v4/billingAccount"
AGREEMENT = "/tmf-api/agreementManagement/v4/agreement"
MERGE_PATCH = "application/merge-patch+json"
UNKNOWN_IDS = ["999999", "c2df1950-c17c-4576-9c22-e59073a4a86a"]


@pytest.fixture
def book(province, customers):
    """The shared customers (NJ ×2, ZJ, SZ) plus an individual in Nanjing, each with a
    paying account, and a contract for the Nanjing bank and the Suzhou company."""
    director = province.user("js_director")
    customers["nj_person"] = make_customer(
        province, name="欧阳明", customer_type=CustomerType.KEY_INDIVIDUAL, certificate_type=CertificateType.ID_CARD,
        certificate_no="320102199001011234", phone="13812345678",
    )
    services.customer_update(actor=director, customer=customers["nj_m1"], changes={"phone": "13912345678"})
    accounts = {
        key: services.account_add(actor=director, customer=customer, account_no=f"A{n}", name=f"{customer.name}帐户")
        for n, (key, customer) in enumerate(customers.items())
    }
    contracts = {
        key: services.contract_create(
            actor=director, customer=customers[key], contract_no=f"HT-{key}", title=f"{customers[key].name}服务协议",
            contract_type="service", value=Decimal("120000"), valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2026, 12, 31),
        )
        for key in ("nj_m1", "sz")
    }
    return {"customers": {k: Customer.objects.get(pk=c.pk) for k, c in customers.items()}, "accounts": accounts, "contracts": contracts}


class _TMFClient:
    """``assert_scoped`` asks lists for ``page_size``, which a TMF API refuses (unknown
    parameters are a 400): ask for a TMF page instead."""

    def __init__(self, client):
        self.client = client

    def get(self, url, data=None):
        return self.client.get(url, {"limit": 1000} if data else None)


def _tmf_client_for(api_client_for):
    return lambda username: _TMFClient(api_client_for(username))


def _ids(response) -> set[str]:
    return {row["id"] for row in response.json()}


# --- Chinese names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,given,family",
    [
        ("张三", "三", "张"),
        ("王春梅", "春梅", "王"),
        ("欧阳修", "修", "欧阳"),
        ("诸葛亮", "亮", "诸葛"),
        ("司马相如", "相如", "司马"),
        ("上官婉儿", "婉儿", "上官"),
        ("欧阳", "阳", "欧"),  # too short for a compound surname plus a given name
        ("买买提·艾力", "买买提", "艾力"),
        ("Jane Lamborgizzia", "Jane", "Lamborgizzia"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
        ("Madonna", "", "Madonna"),
    ],
)
def test_split_name_and_join_name_are_inverse(name, given, family):
    assert split_name(name) == (given, family)
    assert join_name(given, family) == name


# --- TMF629 customer -------------------------------------------------------------------------


def test_customer_list_is_a_tmf_collection(book, api_client_for):
    response = api_client_for("js_director").get(CUSTOMER)

    assert response.status_code == 200
    assert response["X-Total-Count"] == "5" and response["X-Result-Count"] == "5"
    rows = {row["id"]: row for row in response.json()}
    bank = rows[str(book["customers"]["nj_m1"].pk)]
    assert bank["href"] == f"http://testserver{CUSTOMER}/{bank['id']}"
    assert bank["@type"] == "Customer"
    assert bank["status"] == "Approved"
    assert bank["engagedParty"] == {
        "id": bank["id"], "href": f"http://testserver{ORGANIZATION}/{bank['id']}", "name": "南京银行股份有限公司",
        "@referredType": "Organization",
    }
    assert [a["id"] for a in bank["account"]] == [str(book["accounts"]["nj_m1"].pk)]
    assert bank["account"][0]["href"].endswith(f"{BILLING_ACCOUNT}/{book['accounts']['nj_m1'].pk}")
    assert bank["agreement"][0]["href"].endswith(f"{AGREEMENT}/{book['contracts']['nj_m1'].pk}")
    characteristic = {c["name"]: c["value"] for c in bank["characteristic"]}
    assert characteristic["customerNumber"] == book["customers"]["nj_m1"].code
    assert characteristic["customerType"] == "group" and characteristic["region"] == "NJ"
    person = rows[str(book["customers"]["nj_person"].pk)]
    assert person["engagedParty"]["@referredType"] == "Individual"
    assert person["engagedParty"]["href"].endswith(f"{INDIVIDUAL}/{person['id']}")


def test_customer_detail_and_unknown_ids(book, api_client_for):
    client = api_client_for("js_director")
    customer = book["customers"]["nj_m1"]

    detail = client.get(f"{CUSTOMER}/{customer.pk}")

    assert detail.status_code == 200 and detail.json()["name"] == customer.name
    for unknown in UNKNOWN_IDS:
        response = client.get(f"{CUSTOMER}/{unknown}")
        assert response.status_code == 404
        assert set(response.json()) >= {"code", "reason", "message", "status"}


def test_customer_fields_selection_and_filters(book, api_client_for):
    client = api_client_for("js_director")
    bank = book["customers"]["nj_m1"]

    selected = client.get(CUSTOMER, {"fields": "name"}).json()
    by_id = client.get(CUSTOMER, {"id": bank.pk})
    by_name = client.get(CUSTOMER, {"name": "南京银行股份有限公司"})
    by_status = client.get(CUSTOMER, {"status": "Approved"})
    bad_status = client.get(CUSTOMER, {"status": "Bogus"})

    assert all(set(row) == {"id", "href", "@type", "name"} for row in selected)
    assert _ids(by_id) == {str(bank.pk)}
    assert _ids(by_name) == {str(bank.pk)}
    assert len(by_status.json()) == 5
    assert bad_status.status_code == 400


def test_customer_create_goes_through_the_service(province, api_client_for):
    response = api_client_for("nj_manager1").post(
        CUSTOMER,
        {
            "name": "Moon Football Club",
            "engagedParty": {"@referredType": "Organization", "id": "500"},
            "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": "moon@example.cn"}}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert response["Location"] == body["href"]
    assert body["engagedParty"]["id"] == body["id"]
    assert customer.customer_type == CustomerType.GROUP and customer.status == CustomerStatus.CURRENT
    assert customer.org_unit == province.units["NJ"]  # the creator's city
    assert customer.account_manager == province.staff["nj_manager1"]  # an account manager keeps their own
    assert customer.email == "moon@example.cn"
    assert AuditEntry.objects.filter(action="customers.create", target_id=str(customer.pk)).exists()


def test_customer_create_for_an_individual_party(book, api_client_for):
    response = api_client_for("js_director").post(
        CUSTOMER,
        {"name": "李雷", "engagedParty": {"@referredType": "Individual", "id": "ext-1"},
         "characteristic": [{"name": "customerType", "value": "high_end"}, {"name": "region", "value": "SZ"}]},
        format="json",
    )

    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["id"])
    assert customer.customer_type == CustomerType.HIGH_END and customer.org_unit.code == "SZ"


@pytest.mark.parametrize("missing", ["name", "engagedParty"])
def test_customer_create_without_a_mandatory_attribute_is_400(book, api_client_for, missing):
    payload = {"name": "Moon Football Club", "engagedParty": {"@referredType": "Organization", "id": "x"}}
    del payload[missing]
    count = Customer.objects.count()

    response = api_client_for("js_director").post(CUSTOMER, payload, format="json")

    assert response.status_code == 400
    assert missing in response.json()["fields"]
    assert response.json()["status"] == "400"
    assert Customer.objects.count() == count


def test_customer_create_for_a_party_that_already_is_a_customer_is_409(book, api_client_for):
    bank = book["customers"]["nj_m1"]
    count = Customer.objects.count()

    response = api_client_for("js_director").post(
        CUSTOMER, {"name": "x", "engagedParty": {"@referredType": "Organization", "id": str(bank.pk)}}, format="json"
    )

    assert response.status_code == 409
    assert Customer.objects.count() == count


def test_customer_patch_with_merge_patch(book, api_client_for):
    bank = book["customers"]["nj_m1"]

    response = api_client_for("nj_manager1").patch(
        f"{CUSTOMER}/{bank.pk}",
        json.dumps({"name": "Sun Football Club", "validFor": {"startDateTime": "2020-03-01T00:00:00+08:00"}}),
        content_type=MERGE_PATCH,
    )

    assert response.status_code == 200, response.content
    bank.refresh_from_db()
    assert bank.name == "Sun Football Club" and bank.joined_on == datetime.date(2020, 3, 1)
    assert response.json()["name"] == "Sun Football Club"
    assert AuditEntry.objects.filter(action="customers.update", target_id=str(bank.pk)).exists()


def test_customer_patch_of_a_read_only_attribute_is_400(book, api_client_for):
    bank = book["customers"]["nj_m1"]

    response = api_client_for("js_director").patch(
        f"{CUSTOMER}/{bank.pk}", json.dumps({"status": "Closed"}), content_type=MERGE_PATCH
    )

    assert response.status_code == 400
    assert "status" in response.json()["fields"]
    bank.refresh_from_db()
    assert bank.status == CustomerStatus.CURRENT


def test_masked_phone_sent_back_keeps_the_number(book, api_client_for):
    bank = book["customers"]["nj_m1"]
    masked = [{"mediumType": "phone", "characteristic": {"phoneNumber": "139****5678"}}]

    response = api_client_for("js_director").patch(
        f"{CUSTOMER}/{bank.pk}", json.dumps({"contactMedium": masked}), content_type=MERGE_PATCH
    )

    assert response.status_code == 200
    bank.refresh_from_db()
    assert bank.phone == "13912345678"


def test_customers_are_never_deleted(book, api_client_for):
    bank = book["customers"]["nj_m1"]

    response = api_client_for("js_director").delete(f"{CUSTOMER}/{bank.pk}")

    assert response.status_code == 405
    assert Customer.objects.filter(pk=bank.pk).exists()


# --- scoping and masking -----------------------------------------------------------------------


SCOPE = {
    "nj_manager1": {"nj_m1", "nj_person"},
    "nj_manager2": {"nj_m2"},
    "nj_director": {"nj_m1", "nj_m2", "zj", "nj_person"},
    "sz_manager1": {"sz"},
    "js_director": {"nj_m1", "nj_m2", "zj", "sz", "nj_person"},
}


@pytest.mark.parametrize("url,types", [
    (CUSTOMER, None),
    (ORGANIZATION, {CustomerType.GROUP}),
    (INDIVIDUAL, {CustomerType.KEY_INDIVIDUAL, CustomerType.HIGH_END}),
])
def test_customers_and_parties_keep_to_scope(book, api_client_for, url, types):
    objects = {k: c for k, c in book["customers"].items() if types is None or c.customer_type in types}
    assert_scoped(
        _tmf_client_for(api_client_for),
        list_url=url,
        detail_url=lambda c: f"{url}/{c.pk}",
        objects=objects,
        expected={user: visible & set(objects) for user, visible in SCOPE.items()},
    )


@pytest.mark.parametrize("url,kind", [(BILLING_ACCOUNT, "accounts"), (AGREEMENT, "contracts")])
def test_accounts_and_agreements_keep_to_scope(book, api_client_for, url, kind):
    objects = book[kind]
    assert_scoped(
        _tmf_client_for(api_client_for),
        list_url=url,
        detail_url=lambda o: f"{url}/{o.pk}",
        objects=objects,
        expected={user: visible & set(objects) for user, visible in SCOPE.items()},
    )


def test_nj_manager_never_sees_a_suzhou_customer_through_any_tmf_api(book, api_client_for):
    client = api_client_for("nj_manager1")
    sz = book["customers"]["sz"]

    for url in (CUSTOMER, ORGANIZATION):
        assert str(sz.pk) not in _ids(client.get(url, {"limit": 1000}))
        assert client.get(f"{url}/{sz.pk}").status_code == 404
        assert client.get(url, {"id": sz.pk}).json() == []
    assert client.get(BILLING_ACCOUNT, {"relatedParty.id": sz.pk}).json() == []


def test_personal_data_is_masked_without_the_permission(book, api_client_for, province):
    province.staff["club1"] = make_staff("club1", province.units["JS"], ("club_staff",))
    bank, person = book["customers"]["nj_m1"], book["customers"]["nj_person"]

    club = api_client_for("club1")
    customer = club.get(f"{CUSTOMER}/{bank.pk}").json()
    organization = club.get(f"{ORGANIZATION}/{bank.pk}").json()
    individual = club.get(f"{INDIVIDUAL}/{person.pk}").json()
    unmasked = api_client_for("js_director").get(f"{INDIVIDUAL}/{person.pk}").json()

    phones = [m["characteristic"]["phoneNumber"] for m in customer["contactMedium"] if m["mediumType"] == "phone"]
    assert phones == ["139****5678"]
    assert organization["organizationIdentification"] == [
        {"identificationType": "credit_code", "identificationId": "9132**********002P"}
    ]
    assert individual["individualIdentification"][0]["identificationId"] == "3201**********1234"
    assert individual["contactMedium"][0]["characteristic"]["phoneNumber"] == "138****5678"
    assert unmasked["individualIdentification"][0]["identificationId"] == "320102199001011234"
    assert club.post(ORGANIZATION, {"tradingName": "x"}, format="json").status_code == 403


# --- TMF632 organization and individual ----------------------------------------------------------


def test_organization_collection_holds_group_customers_only(book, api_client_for):
    client = api_client_for("js_director")

    rows = client.get(ORGANIZATION).json()
    person = book["customers"]["nj_person"]

    assert str(person.pk) not in {row["id"] for row in rows}
    assert all(row["@type"] == "Organization" and row["tradingName"] == row["name"] for row in rows)
    assert client.get(f"{ORGANIZATION}/{person.pk}").status_code == 404
    assert client.get(f"{INDIVIDUAL}/{book['customers']['nj_m1'].pk}").status_code == 404
    for unknown in UNKNOWN_IDS:
        assert client.get(f"{ORGANIZATION}/{unknown}").status_code == 404
        assert client.get(f"{INDIVIDUAL}/{unknown}").status_code == 404


def test_organization_create_registers_a_potential_group_customer(book, api_client_for):
    client = api_client_for("nj_director")

    response = client.post(
        ORGANIZATION,
        {"tradingName": "Coffee Do Brazil Fair Trade",
         "organizationIdentification": [{"identificationType": "credit_code", "identificationId": "91320100MA1ABCDE9X"}]},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert customer.customer_type == CustomerType.GROUP and customer.status == CustomerStatus.POTENTIAL
    assert customer.certificate_no == "91320100MA1ABCDE9X"
    assert body["status"] == "initialized" and body["tradingName"] == "Coffee Do Brazil Fair Trade"
    assert _ids(client.get(ORGANIZATION, {"tradingName": "Coffee Do Brazil Fair Trade"})) == {body["id"]}
    assert client.get(ORGANIZATION, {"fields": "tradingName"}).json()[0].keys() == {"id", "href", "@type", "tradingName"}


def test_organization_create_without_trading_name_is_400(book, api_client_for):
    count = Customer.objects.count()

    response = api_client_for("js_director").post(ORGANIZATION, {"isHeadOffice": True}, format="json")
    empty = api_client_for("js_director").post(ORGANIZATION, {}, format="json")

    assert response.status_code == 400 and "isHeadOffice" in response.json()["fields"]
    assert empty.status_code == 400 and "tradingName" in empty.json()["fields"]
    assert Customer.objects.count() == count


def test_organization_patch(book, api_client_for):
    bank = book["customers"]["nj_m1"]

    response = api_client_for("nj_manager1").patch(
        f"{ORGANIZATION}/{bank.pk}", json.dumps({"tradingName": "南京银行"}), content_type=MERGE_PATCH
    )

    assert response.status_code == 200
    bank.refresh_from_db()
    assert bank.name == "南京银行"


def test_individual_names_are_split_and_joined(book, api_client_for):
    client = api_client_for("js_director")
    person = book["customers"]["nj_person"]

    detail = client.get(f"{INDIVIDUAL}/{person.pk}").json()
    created = client.post(INDIVIDUAL, {"familyName": "Lamborgizzia", "givenName": "Jane"}, format="json")
    chinese = client.post(INDIVIDUAL, {"familyName": "诸葛", "givenName": "明"}, format="json")

    assert (detail["familyName"], detail["givenName"], detail["fullName"]) == ("欧阳", "明", "欧阳明")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["familyName"], body["givenName"], body["fullName"]) == ("Lamborgizzia", "Jane", "Jane Lamborgizzia")
    assert body["status"] == "initialized" and body["@type"] == "Individual"
    new = Customer.objects.get(pk=body["id"])
    assert new.customer_type == CustomerType.KEY_INDIVIDUAL and new.status == CustomerStatus.POTENTIAL
    assert chinese.json()["fullName"] == "诸葛明"
    assert _ids(client.get(INDIVIDUAL, {"familyName": "Lamborgizzia"})) == {body["id"]}
    assert _ids(client.get(INDIVIDUAL, {"givenName": "明"})) == {str(person.pk), chinese.json()["id"]}
    assert _ids(client.get(INDIVIDUAL, {"familyName": "欧阳"})) == {str(person.pk)}
    assert _ids(client.get(INDIVIDUAL, {"familyName": "欧"})) == set()
    assert _ids(client.get(INDIVIDUAL, {"id": person.pk})) == {str(person.pk)}


@pytest.mark.parametrize("missing", ["givenName", "familyName"])
def test_individual_create_without_a_name_part_is_400(book, api_client_for, missing):
    payload = {"familyName": "张", "givenName": "三"}
    del payload[missing]
    count = Customer.objects.count()

    response = api_client_for("js_director").post(INDIVIDUAL, payload, format="json")

    assert response.status_code == 400
    assert missing in response.json()["fields"]
    assert Customer.objects.count() == count


def test_individual_patch_of_one_name_part_keeps_the_other(book, api_client_for):
    person = book["customers"]["nj_person"]

    response = api_client_for("nj_manager1").patch(
        f"{INDIVIDUAL}/{person.pk}", json.dumps({"givenName": "修"}), content_type=MERGE_PATCH
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.name == "欧阳修"


# --- TMF666 billingAccount -----------------------------------------------------------------------


def test_billing_account_read(book, api_client_for):
    client = api_client_for("js_director")
    account = book["accounts"]["nj_m1"]
    bank = book["customers"]["nj_m1"]

    body = client.get(f"{BILLING_ACCOUNT}/{account.pk}").json()

    assert body["@type"] == "BillingAccount" and body["href"].endswith(f"{BILLING_ACCOUNT}/{account.pk}")
    assert body["name"] == account.name and body["state"] == "Active" and body["accountType"] == "organization"
    assert body["description"] == "A0"
    assert body["defaultPaymentMethod"]["id"] == "bank"
    assert [(p["id"], p["@referredType"]) for p in body["relatedParty"]] == [
        (str(bank.pk), "Organization"), (str(bank.pk), "Customer")
    ]
    assert _ids(client.get(BILLING_ACCOUNT, {"id": account.pk})) == {str(account.pk)}
    assert _ids(client.get(BILLING_ACCOUNT, {"name": account.name})) == {str(account.pk)}
    assert all(set(row) == {"id", "href", "@type", "name"} for row in client.get(BILLING_ACCOUNT, {"fields": "name"}).json())
    for unknown in UNKNOWN_IDS:
        assert client.get(f"{BILLING_ACCOUNT}/{unknown}").status_code == 404


def test_billing_account_create_and_patch(book, api_client_for):
    client = api_client_for("nj_manager1")
    bank = book["customers"]["nj_m1"]

    created = client.post(
        BILLING_ACCOUNT,
        {"name": "Home Account", "relatedParty": [{"@referredType": "Organization", "id": str(bank.pk), "name": "x"}]},
        format="json",
    )

    assert created.status_code == 201, created.content
    body = created.json()
    account = PayingAccount.objects.get(pk=body["id"])
    assert account.customer == bank and account.account_no.startswith("TMF")
    assert AuditEntry.objects.filter(action="customers.account_add").exists()
    patched = client.patch(
        f"{BILLING_ACCOUNT}/{account.pk}",
        json.dumps({"name": "Office Account", "defaultPaymentMethod": {"id": "cash"}}),
        content_type=MERGE_PATCH,
    )
    assert patched.status_code == 200, patched.content
    account.refresh_from_db()
    assert (account.name, account.payment_method) == ("Office Account", "cash")
    assert client.delete(f"{BILLING_ACCOUNT}/{account.pk}").status_code == 405


@pytest.mark.parametrize("payload,field", [
    ({"name": "Home Account"}, "relatedParty"),
    ({"relatedParty": [{"@referredType": "Organization", "id": "1", "name": "x"}]}, "name"),
])
def test_billing_account_create_without_a_mandatory_attribute_is_400(book, api_client_for, payload, field):
    count = PayingAccount.objects.count()

    response = api_client_for("js_director").post(BILLING_ACCOUNT, payload, format="json")

    assert response.status_code == 400 and field in response.json()["fields"]
    assert PayingAccount.objects.count() == count


def test_billing_account_for_a_party_out_of_scope_is_refused(book, api_client_for):
    sz = book["customers"]["sz"]
    count = PayingAccount.objects.count()

    response = api_client_for("nj_manager1").post(
        BILLING_ACCOUNT,
        {"name": "Home Account", "relatedParty": [{"@referredType": "Organization", "id": str(sz.pk), "name": "x"}]},
        format="json",
    )

    assert response.status_code == 400 and "relatedParty" in response.json()["fields"]
    assert PayingAccount.objects.count() == count


# --- TMF651 agreement ----------------------------------------------------------------------------


def test_agreement_read(book, api_client_for):
    client = api_client_for("js_director")
    contract = book["contracts"]["nj_m1"]

    body = client.get(f"{AGREEMENT}/{contract.pk}").json()

    assert body["@type"] == "Agreement" and body["name"] == contract.title
    assert body["agreementType"] == "service" and body["status"] == "draft"
    assert body["agreementPeriod"] == {
        "startDateTime": "2026-01-01T00:00:00+08:00", "endDateTime": "2026-12-31T00:00:00+08:00"
    }
    assert body["engagedParty"][0]["id"] == str(contract.customer_id)
    assert {c["name"]: c["value"] for c in body["characteristic"]} == {"contractNumber": "HT-nj_m1", "value": "120000.00"}
    assert _ids(client.get(AGREEMENT, {"name": contract.title})) == {str(contract.pk)}
    assert _ids(client.get(AGREEMENT, {"status": "draft", "engagedParty.id": contract.customer_id})) == {str(contract.pk)}
    for unknown in UNKNOWN_IDS:
        assert client.get(f"{AGREEMENT}/{unknown}").status_code == 404


AGREEMENT_PAYLOAD = {
    "name": "专线租用合同",
    "agreementType": "leased_line",
    "agreementPeriod": {"startDateTime": "2026-02-01T00:00:00+08:00", "endDateTime": "2027-01-31T00:00:00+08:00"},
    "agreementItem": [{"termOrCondition": [{"description": "每月1日前付费"}]}],
    "characteristic": [{"name": "value", "value": "36000"}],
}


def test_agreement_create_and_patch(book, api_client_for):
    client = api_client_for("nj_manager1")
    bank = book["customers"]["nj_m1"]

    created = client.post(
        AGREEMENT, {**AGREEMENT_PAYLOAD, "engagedParty": [{"@referredType": "Organization", "id": str(bank.pk)}]}, format="json"
    )

    assert created.status_code == 201, created.content
    contract = Contract.objects.get(pk=created.json()["id"])
    assert contract.customer == bank and contract.state == ContractState.DRAFT
    assert (contract.valid_from, contract.valid_to) == (datetime.date(2026, 2, 1), datetime.date(2027, 1, 31))
    assert contract.value == Decimal("36000") and contract.terms == "每月1日前付费"
    assert contract.contract_no.startswith("TMF-")
    patched = client.patch(
        f"{AGREEMENT}/{contract.pk}",
        json.dumps({"name": "专线租用合同（续）", "initialDate": "2026-01-20T10:00:00+08:00"}),
        content_type=MERGE_PATCH,
    )
    assert patched.status_code == 200, patched.content
    contract.refresh_from_db()
    assert contract.title == "专线租用合同（续）" and contract.signed_on == datetime.date(2026, 1, 20)
    assert AuditEntry.objects.filter(action="customers.contract_update").exists()


@pytest.mark.parametrize("missing", ["name", "agreementType", "agreementPeriod", "agreementItem", "engagedParty"])
def test_agreement_create_without_a_mandatory_attribute_is_400(book, api_client_for, missing):
    bank = book["customers"]["nj_m1"]
    payload = {**AGREEMENT_PAYLOAD, "engagedParty": [{"@referredType": "Organization", "id": str(bank.pk)}]}
    del payload[missing]
    count = Contract.objects.count()

    response = api_client_for("js_director").post(AGREEMENT, payload, format="json")

    assert response.status_code == 400 and missing in response.json()["fields"]
    assert Contract.objects.count() == count


def test_agreement_for_a_party_out_of_scope_is_refused(book, api_client_for):
    sz = book["customers"]["sz"]
    count = Contract.objects.count()

    response = api_client_for("nj_manager1").post(
        AGREEMENT, {**AGREEMENT_PAYLOAD, "engagedParty": [{"@referredType": "Organization", "id": str(sz.pk)}]}, format="json"
    )

    assert response.status_code == 400 and "engagedParty" in response.json()["fields"]
    assert Contract.objects.count() == count
