"""TMF621 Trouble Ticket v4 over the service processes (kams.service.tmf621, INT-02)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kams.customers import services as customer_services
from kams.org.testing import assert_scoped, make_staff
from kams.service import engine, services
from kams.service.calendar import add_limit
from kams.service.enums import CaseSource, CaseStatus, ItemStatus
from kams.service.models import Case, CaseEvent, ProcessDefinition
from kams.service.tmf621 import TICKET_PROCESSES

pytestmark = pytest.mark.django_db

TICKETS = "/tmf-api/troubleTicket/v4/troubleTicket"
CUSTOMER = "/tmf-api/customerManagement/v4/customer"
MERGE_PATCH = "application/merge-patch+json"


@pytest.fixture
def ticket_processes(service_people):
    """The shipped processes that tickets open."""
    assert all((engine.PROCESS_DIR / f"{key}.bpmn").exists() for key in TICKET_PROCESSES)
    services.definitions_sync_package()
    return service_people


LINE = {"id": "025-84001234", "name": "数字电路", "role": "complainedNumber", "@referredType": "Service"}


def ticket(customer=None, **attributes):
    body = {"description": "专线中断，业务全阻", "severity": "Critical", "ticketType": "fault", **attributes}
    if body["ticketType"] == "complaint":
        body.setdefault("relatedEntity", [LINE])
    if customer is not None:
        body.setdefault("relatedParty", []).append({"id": str(customer.pk), "role": "customer", "@referredType": "Customer"})
    return body


def post(client, body, **headers):
    return client.post(TICKETS, body, format="json", **headers)


def case_of(response) -> Case:
    assert response.status_code == 201, response.content[:500]
    return Case.objects.get(number=response.json()["id"])


def fill(form: list[dict]) -> dict:
    """Plausible values for every field of a step's form."""
    values = {}
    for field in form:
        kind = field["type"]
        values[field["name"]] = {
            "bool": True, "int": 1, "decimal": "1", "date": timezone.localdate().isoformat(),
            "datetime": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "choice": str(field["choices"][0][0]) if field.get("choices") else "",
        }.get(kind, "已处理")
    return values


def complete_first_step(province, case: Case) -> Case:
    item = case.work_items.filter(status=ItemStatus.OPEN).order_by("pk").first()
    if item.assignee is not None:
        user = item.assignee.user
    else:
        user = make_staff(f"t_{item.role}", item.org_unit, (item.role,), name="测试办理人").user
    form = next(step["form"] for step in case.definition.steps if step["id"] == item.step)
    return services.workitem_complete(actor=user, item=item, values=fill(form))


# --- Opening -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ticket_type,severity,process",
    [
        ("complaint", "Medium", "complaint"),
        ("fault", "level1", "fault_level1"),
        ("fault", "一级", "fault_level1"),
        ("fault", "Critical", "fault_level1"),
        ("故障", "critical", "fault_level1"),
        ("fault", "level2", "fault_level2"),
        ("fault", "二级", "fault_level2"),
        ("fault", "Major", "fault_level2"),
        ("fault", "High", "fault_level2"),
        ("suggestion", "Low", "suggestion"),
        ("consultation", "Low", "consultation"),
        ("device", "High", "service_request"),
        ("connectivity", "Low", "service_request"),
    ],
)
def test_ticket_type_and_severity_choose_the_process(ticket_processes, customers, api_client_for, ticket_type, severity, process):
    p = ticket_processes
    body = ticket(customers["nj_m1"], ticketType=ticket_type, severity=severity, name="南京银行专线")

    response = post(api_client_for("js_director"), body)

    case = case_of(response)
    assert case.process_key == process and case.customer == customers["nj_m1"]
    assert case.source == CaseSource.SYSTEM and case.opened_by == p.user("js_director")
    assert case.owner == p.staff["nj_manager1"] and case.title == "南京银行专线"
    row = response.json()
    assert row["id"] == case.number and row["@type"] == "TroubleTicket"
    assert response["Location"] == row["href"] == f"http://testserver{TICKETS}/{case.number}"
    assert (row["ticketType"], row["severity"], row["description"]) == (ticket_type, severity, "专线中断，业务全阻")
    assert row["status"] == "acknowledged"
    assert case.work_items.filter(status=ItemStatus.OPEN).exists()


def test_a_ticket_without_a_customer_is_a_general_request(ticket_processes, api_client_for):
    response = post(api_client_for("js_director"), {"description": "<anytext>", "severity": "High", "ticketType": "device"})

    case = case_of(response)
    assert case.process_key == "service_request" and case.customer is None
    assert case.org_unit == ticket_processes.units["JS-JKB"]  # the caller's unit


def test_a_fault_of_unknown_severity_is_refused(ticket_processes, customers, api_client_for):
    count = Case.objects.count()

    response = post(api_client_for("js_director"), ticket(customers["nj_m1"], severity="Low"))

    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"code", "reason", "message", "status"} and body["status"] == "400"
    assert "severity" in body["fields"]
    for word in ("level1", "一级", "Critical", "level2", "二级", "Major", "High"):
        assert word in body["message"]
    assert Case.objects.count() == count


@pytest.mark.parametrize("missing", ["description", "severity", "ticketType"])
def test_a_ticket_without_a_mandatory_attribute_is_400(ticket_processes, customers, api_client_for, missing):
    body = ticket(customers["nj_m1"])
    del body[missing]
    count = Case.objects.count()

    response = post(api_client_for("js_director"), body)

    assert response.status_code == 400 and missing in response.json()["fields"]
    assert Case.objects.count() == count


@pytest.mark.parametrize(
    "note",
    [
        {"author": "writer e3_1"},  # an object, not a list (the TMF kit's case)
        [{"author": "writer", "text": "ok"}, "text"],
        [{"author": "writer"}],
        [{"text": ""}],
        [{"text": 42}],
    ],
)
def test_a_malformed_note_is_400_and_nothing_is_created(ticket_processes, customers, api_client_for, note):
    count, events = Case.objects.count(), CaseEvent.objects.count()

    response = post(api_client_for("js_director"), ticket(customers["nj_m1"], note=note))

    assert response.status_code == 400 and "note" in response.json()["fields"]
    assert (Case.objects.count(), CaseEvent.objects.count()) == (count, events)


def test_notes_relations_and_channel_are_kept(ticket_processes, customers, api_client_for, province):
    bank = customers["nj_m1"]
    contract = customer_services.contract_create(
        actor=province.user("js_director"), customer=bank, contract_no="HT-621", title="专线服务协议",
        contract_type="service", value=1000, valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 12, 31),
    )
    body = ticket(
        ticketType="complaint", severity="Major", externalId="CRM-1", channel={"id": "10018", "name": "10018热线"},
        requestedResolutionDate="2026-12-01T12:00:00+08:00",
        relatedParty=[
            {"id": bank.code, "role": "customer", "@referredType": "Customer"},
            {"id": "c-1", "name": "王先生", "role": "complainant", "@referredType": "Individual"},
        ],
        relatedEntity=[
            {"id": str(contract.pk), "role": "contract", "@referredType": "Agreement"},
            {"id": "P-9", "role": "product", "name": "数字电路", "@referredType": "Product"},
        ],
        note=[{"author": "writer 1", "text": "客户来电"}, {"text": "已安抚"}],
    )

    response = post(api_client_for("js_director"), body)

    case = case_of(response)
    assert case.customer == bank and case.source == CaseSource.HOTLINE_10018 and case.external_id == "CRM-1"
    row = response.json()
    assert [n["text"] for n in row["note"]] == ["客户来电", "已安抚"]
    assert row["note"][0]["author"] == "王建国" and row["note"][0]["date"]
    assert row["channel"] == {"id": "10018", "name": "10018热线"} and row["externalId"] == "CRM-1"
    assert row["requestedResolutionDate"].startswith("2026-12-01T12:00:00")
    parties = {party["role"]: party for party in row["relatedParty"]}
    assert parties["customer"]["href"] == f"http://testserver{CUSTOMER}/{bank.pk}"
    assert parties["accountManager"]["name"] == "张晓燕"
    assert parties["complainant"]["name"] == "王先生"
    entities = {entity["role"]: entity for entity in row["relatedEntity"]}
    assert entities["case"]["id"] == case.number and entities["case"]["href"].endswith(f"/service/cases/{case.number}/")
    assert entities["contract"]["href"].endswith(f"/tmf-api/agreementManagement/v4/agreement/{contract.pk}")
    assert entities["product"]["name"] == "数字电路"
    assert case.data["contract_id"] == contract.pk


def test_parent_and_child_cases_are_related_entities(ticket_processes, customers, api_client_for):
    client = api_client_for("js_director")
    parent = case_of(post(client, ticket(customers["nj_m1"])))
    child = services.case_open(
        actor=ticket_processes.user("js_director"), process="complaint", customer=customers["nj_m1"], parent=parent,
        title="投诉故障处理慢", data=fill(ProcessDefinition.objects.get(key="complaint", is_active=True).start_form),
    )

    parent_row = client.get(f"{TICKETS}/{parent.number}").json()
    child_row = client.get(f"{TICKETS}/{child.number}").json()

    assert {"id": child.number, "role": "childCase"}.items() <= next(
        e for e in parent_row["relatedEntity"] if e["role"] == "childCase"
    ).items()
    parent_ref = next(e for e in child_row["relatedEntity"] if e["role"] == "parentCase")
    assert parent_ref["href"] == f"http://testserver{TICKETS}/{parent.number}"
    assert child_row["ticketType"] == "complaint"  # opened inside KAMS: the process's word


def test_a_customer_out_of_scope_is_refused_and_nothing_is_created(ticket_processes, customers, api_client_for):
    count = Case.objects.count()
    client = api_client_for("nj_manager1")

    by_id = post(client, ticket(customers["sz"]))
    by_code = post(client, ticket(relatedParty=[{"id": customers["sz"].code, "role": "customer"}]))

    for response in (by_id, by_code):
        assert response.status_code == 400 and "relatedParty" in response.json()["fields"]
    assert Case.objects.count() == count
    assert post(client, ticket(customers["nj_m1"])).status_code == 201


def test_the_opening_form_is_filled_from_the_ticket(ticket_processes, customers, api_client_for):
    client = api_client_for("js_director")

    complaint = case_of(post(client, ticket(customers["nj_m1"], ticketType="complaint", severity="Major")))
    fault = case_of(post(client, ticket(customers["nj_m1"], relatedEntity=[LINE])))

    assert complaint.data["complaint_content"] == "专线中断，业务全阻"
    assert complaint.data["complaint_number"] == "025-84001234"
    assert complaint.data["complainant"] == customers["nj_m1"].name  # no contact named: the customer
    assert complaint.data["business_type"] == "other"
    assert fault.data["fault_description"] == "专线中断，业务全阻" and fault.data["affected_services"] == "数字电路"
    assert parse_datetime(fault.data["occurred_at"]) == fault.opened_at


def test_a_required_opening_field_that_cannot_be_derived_is_named(ticket_processes, customers, api_client_for):
    """A complaint must say which number it is about (投诉号码): from relatedEntity, else the
    customer's telephone; with neither, 400 naming the field and nothing is created."""
    count = Case.objects.count()
    body = ticket(customers["nj_m1"], ticketType="complaint", severity="Major", relatedEntity=[])

    response = post(api_client_for("js_director"), body)

    assert response.status_code == 400 and "relatedEntity" in response.json()["fields"]
    assert "投诉号码" in response.json()["message"]
    assert Case.objects.count() == count


# --- Reading ------------------------------------------------------------------------------------


@pytest.fixture
def book(ticket_processes, customers, api_client_for):
    client = api_client_for("js_director")
    opened = {key: case_of(post(client, ticket(customers[key]))) for key in ("nj_m1", "nj_m2", "zj", "sz")}
    opened["device"] = case_of(post(client, {"description": "设备告警", "severity": "High", "ticketType": "device"}))
    return opened


SCOPE = {
    "js_director": {"nj_m1", "nj_m2", "zj", "sz", "device"},
    "nj_director": {"nj_m1", "nj_m2", "zj"},  # with the Zhenjiang district of his group
    "nj_manager1": {"nj_m1"},
    "sz_manager1": {"sz"},
}


class _TMFClient:
    def __init__(self, client):
        self.client = client

    def get(self, url, data=None):
        return self.client.get(url, {"limit": 1000} if data else None)


def test_tickets_keep_to_scope(book, api_client_for):
    assert_scoped(
        lambda username: _TMFClient(api_client_for(username)),
        list_url=TICKETS,
        detail_url=lambda case: f"{TICKETS}/{case.number}",
        objects=book,
        expected=SCOPE,
        id_of=lambda row: Case.objects.get(number=row["id"]).pk,
    )


def test_nj_manager_never_sees_the_suzhou_ticket(book, api_client_for):
    client = api_client_for("nj_manager1")
    sz = book["sz"]

    assert client.get(f"{TICKETS}/{sz.number}").status_code == 404
    assert client.get(TICKETS, {"id": sz.number}).json() == []
    assert sz.number not in {row["id"] for row in client.get(TICKETS).json()}
    response = client.patch(f"{TICKETS}/{sz.number}", {"note": [{"text": "x"}]}, format="json")
    assert response.status_code == 404


def test_list_is_a_tmf_collection_with_filters(book, api_client_for):
    client = api_client_for("js_director")

    response = client.get(TICKETS, {"limit": 2})

    assert response.status_code == 200
    assert response["X-Total-Count"] == "5" and response["X-Result-Count"] == "2"
    assert {row["id"] for row in client.get(TICKETS, {"ticketType": "device"}).json()} == {book["device"].number}
    assert {row["id"] for row in client.get(TICKETS, {"severity": "High"}).json()} == {book["device"].number}
    assert len(client.get(TICKETS, {"ticketType": "fault", "severity": "Critical"}).json()) == 4
    assert len(client.get(TICKETS, {"status": "acknowledged"}).json()) == 5
    assert client.get(TICKETS, {"status": "resolved"}).json() == []
    assert client.get(TICKETS, {"status": "nanana"}).status_code == 400
    assert client.get(TICKETS, {"colour": "red"}).status_code == 400
    assert client.get(f"{TICKETS}/46846846846").status_code == 404


def test_fields_returns_only_the_named_attributes(book, api_client_for):
    client = api_client_for("js_director")
    number = book["nj_m1"].number

    detail = client.get(f"{TICKETS}/{number}", {"fields": "description"}).json()
    two = client.get(f"{TICKETS}/{number}", {"fields": "severity,status"}).json()
    rows = client.get(TICKETS, {"fields": "id,ticketType"}).json()

    assert detail == {"description": "专线中断，业务全阻"}
    assert two == {"severity": "Critical", "status": "acknowledged"}
    assert all(set(row) == {"id", "ticketType"} for row in rows) and len(rows) == 5


def test_status_and_history_follow_the_steps(book, api_client_for, province):
    client = api_client_for("js_director")
    case = book["nj_m1"]
    opened = client.get(f"{TICKETS}/{case.number}").json()
    assert opened["status"] == "acknowledged"
    assert [c["status"] for c in opened["statusChangeHistory"]] == ["acknowledged"]
    assert opened["statusChangeDate"] == opened["creationDate"] and opened["resolutionDate"] is None

    case = complete_first_step(province, case)
    row = client.get(f"{TICKETS}/{case.number}").json()

    history = [c["status"] for c in row["statusChangeHistory"]]
    assert history[:2] == ["acknowledged", "inProgress"]
    if case.status == CaseStatus.OPEN:
        assert row["status"] == "inProgress" and history == ["acknowledged", "inProgress"]
    else:
        assert row["status"] in ("resolved", "closed") and history[-1] == row["status"]
        assert row["resolutionDate"]
    assert parse_datetime(row["lastUpdate"]) >= parse_datetime(opened["lastUpdate"])
    assert client.get(TICKETS, {"status": "inProgress" if case.status == CaseStatus.OPEN else row["status"]}).json()[0]["id"] == case.number


def test_a_case_closed_with_its_resolution_is_resolved(ticket_processes, api_client_for, province):
    client = api_client_for("js_director")
    case = case_of(post(client, {"description": "咨询资费", "severity": "Low", "ticketType": "consultation"}))
    for _ in range(10):
        if case.status != CaseStatus.OPEN:
            break
        case = complete_first_step(province, case)

    row = client.get(f"{TICKETS}/{case.number}").json()

    assert case.status == CaseStatus.CLOSED
    assert row["status"] in ("resolved", "closed") and row["resolutionDate"]
    assert row["statusChangeHistory"][-1]["status"] == row["status"]


@pytest.mark.parametrize("ticket_type,severity", [("fault", "level1"), ("complaint", "Major"), ("device", "Low")])
def test_expected_resolution_date_comes_from_the_sla(ticket_processes, customers, api_client_for, ticket_type, severity):
    response = post(api_client_for("js_director"), ticket(customers["nj_m1"], ticketType=ticket_type, severity=severity))

    case = case_of(response)
    definition = case.definition
    if not definition.resolution_limit:
        assert response.json()["expectedResolutionDate"] is None
        return
    expected = add_limit(case.opened_at, definition.resolution_limit, definition.calendar)
    assert parse_datetime(response.json()["expectedResolutionDate"]) == expected == case.due_at


# --- Changing -----------------------------------------------------------------------------------


def test_patch_adds_notes_and_keeps_the_old_ones(book, api_client_for):
    client = api_client_for("nj_manager1")
    url = f"{TICKETS}/{book['nj_m1'].number}"
    first = client.patch(url, {"note": [{"text": "已联系客户"}]}, content_type=MERGE_PATCH).json()["note"]

    response = client.patch(url, {"note": [*first, {"author": "crm", "text": "客户确认恢复"}]}, content_type=MERGE_PATCH)
    only_new = client.patch(url, {"note": [{"text": "第三条"}]}, content_type=MERGE_PATCH)

    assert response.status_code == 200
    assert [n["text"] for n in only_new.json()["note"]] == ["已联系客户", "客户确认恢复", "第三条"]
    assert {n["author"] for n in only_new.json()["note"]} == {"张晓燕"}
    edited = client.patch(url, {"note": [{**first[0], "text": "改写"}]}, content_type=MERGE_PATCH)
    assert edited.status_code == 400


def test_patch_with_a_malformed_note_changes_nothing(book, api_client_for):
    client = api_client_for("nj_director")
    case = book["nj_m1"]
    events = case.events.count()

    response = client.patch(
        f"{TICKETS}/{case.number}",
        {"note": [{"text": "ok"}, {"author": "x"}], "status": "cancelled", "statusChangeReason": "重复"},
        content_type=MERGE_PATCH,
    )

    assert response.status_code == 400 and "note" in response.json()["fields"]
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.events.count() == events


def test_patch_cancels_with_a_reason(book, api_client_for):
    case = book["nj_m1"]
    url = f"{TICKETS}/{case.number}"

    no_reason = api_client_for("nj_director").patch(url, {"status": "cancelled"}, content_type=MERGE_PATCH)
    not_allowed = api_client_for("nj_manager1").patch(
        url, {"status": "cancelled", "statusChangeReason": "客户撤销"}, content_type=MERGE_PATCH
    )
    done = api_client_for("nj_director").patch(
        url, {"status": "cancelled", "statusChangeReason": "客户撤销", "note": [{"text": "客户来电撤销"}]},
        content_type=MERGE_PATCH,
    )

    assert no_reason.status_code == 400 and "statusChangeReason" in no_reason.json()["fields"]
    assert not_allowed.status_code == 403
    assert done.status_code == 200
    row = done.json()
    assert row["status"] == "cancelled" and row["statusChangeReason"] == "客户撤销"
    assert row["statusChangeHistory"][-1] == {"status": "cancelled", "changeDate": row["statusChangeDate"], "changeReason": "客户撤销"}
    assert [n["text"] for n in row["note"]] == ["客户来电撤销"]
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED
    assert not case.work_items.filter(status=ItemStatus.OPEN).exists()
    again = api_client_for("nj_director").patch(url, {"status": "cancelled", "statusChangeReason": "x"}, content_type=MERGE_PATCH)
    assert again.status_code == 200  # already cancelled: nothing to do


@pytest.mark.parametrize(
    "change",
    [
        {"status": "resolved"},
        {"severity": "Minor"},
        {"ticketType": "complaint"},
        {"description": "改写"},
        {"channel": {"id": "web"}},
        {"priority": "Low"},
        {"creationDate": "2026-01-01T00:00:00+08:00"},
    ],
)
def test_patch_of_other_attributes_is_400(book, api_client_for, change):
    case = book["nj_m1"]

    response = api_client_for("nj_director").patch(f"{TICKETS}/{case.number}", change, content_type=MERGE_PATCH)

    assert response.status_code == 400 and set(response.json()["fields"]) == set(change)
    assert Case.objects.get(pk=case.pk).data == case.data


def test_patch_sending_current_values_back_is_accepted(book, api_client_for):
    client = api_client_for("nj_director")
    url = f"{TICKETS}/{book['nj_m1'].number}"
    row = client.get(url).json()

    response = client.patch(
        url, {k: row[k] for k in ("name", "description", "severity", "ticketType", "status", "externalId")},
        content_type=MERGE_PATCH,
    )

    assert response.status_code == 200 and response.json()["status"] == "acknowledged"


def test_tickets_are_never_deleted(book, api_client_for):
    assert api_client_for("js_director").delete(f"{TICKETS}/{book['nj_m1'].number}").status_code == 405


# --- Retries ------------------------------------------------------------------------------------


def test_a_retried_post_returns_the_first_ticket(ticket_processes, customers, api_client_for, province):
    client = api_client_for("js_director")
    body = ticket(customers["nj_m1"], note=[{"text": "首次"}])

    first = post(client, body, HTTP_IDEMPOTENCY_KEY="crm-42")
    again = post(client, body, HTTP_IDEMPOTENCY_KEY="crm-42")
    other = post(client, body, HTTP_IDEMPOTENCY_KEY="crm-43")

    assert first.json()["id"] == again.json()["id"] != other.json()["id"]
    assert [n["text"] for n in again.json()["note"]] == ["首次"]
    by_external = [post(client, ticket(customers["nj_m1"], externalId="EXT-7")).json()["id"] for _ in range(2)]
    assert by_external[0] == by_external[1]
    # Keys are per caller: another system's EXT-7 is another ticket.
    province.staff["js_other"] = make_staff("js_other", province.units["JS-JKB"], ("province_director",), name="省二")
    assert post(api_client_for("js_other"), ticket(customers["nj_m1"], externalId="EXT-7")).json()["id"] != by_external[0]
    assert Case.objects.filter(external_id="EXT-7").count() == 2


def test_the_kits_trailing_slash_is_tolerated(ticket_processes, api_client_for):
    client = api_client_for("js_director")

    created = client.post(f"{TICKETS}/", {"description": "x", "severity": "High", "ticketType": "device"}, format="json")
    malformed = client.post(
        f"{TICKETS}/", {"description": "x", "severity": "High", "ticketType": "problem", "note": {"author": "e3"}}, format="json"
    )

    assert created.status_code == 201 and malformed.status_code == 400
    assert client.get(f"{TICKETS}/").status_code == 200


def test_a_status_sent_with_a_new_ticket_is_the_servers(ticket_processes, api_client_for):
    response = post(
        api_client_for("js_director"),
        {"description": "nanana", "severity": "Low", "ticketType": "connectivity", "status": "nanana", "externalId": "123"},
    )

    assert response.status_code == 201 and response.json()["status"] == "acknowledged"
