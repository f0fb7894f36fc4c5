"""Pages and API of the return forms: roles, scope, the switch, the PDF, round trips."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kams.channels.models import AgentSubscriber
from kams.customers.models import Member
from kams.org.testing import result_rows
from kams.resources.enums import ItemState
from kams.returnforms import services
from kams.returnforms.enums import EntryBatchStatus
from kams.returnforms.models import EntryBatch, FormEntry, Handover
from kams.returnforms.tests.conftest import NJ_A1, SZ_A1, state_of

READ_PAGES = ["/channels/returns/", "/channels/returns/entries/", "/channels/returns/entries/files/"]
WORK_PAGES = ["/channels/returns/new/", "/channels/returns/entries/new/", "/channels/returns/entries/files/new/"]


@pytest.fixture
def handovers(returns):
    user = returns.user("js_channel")
    nj = services.handover_create(actor=user, agent=returns.agents["nj_a1"], lines=[(NJ_A1[0], "张三"), (NJ_A1[1], "")])
    sz = services.handover_create(actor=user, agent=returns.agents["sz_a1"], lines=[(SZ_A1[0], "")])
    return {"nj": nj, "sz": sz}


@pytest.mark.parametrize("username,read,work", [
    ("js_channel", 200, 200),
    ("js_director", 200, 403),
    ("sz_director", 200, 403),
    ("nj_manager1", 403, 403),
])
def test_pages_render_for_the_roles(handovers, page_client_for, username, read, work):
    client = page_client_for(username)
    for url in READ_PAGES + [f"/channels/returns/{handovers['sz'].pk}/"] * (username != "nj_manager1"):
        assert client.get(url).status_code == read, url
    for url in WORK_PAGES:
        assert client.get(url).status_code == work, url


def test_scope_of_handover_pages_and_api(handovers, page_client_for, api_client_for):
    nj = handovers["nj"]
    for path in (f"/channels/returns/{nj.pk}/", f"/channels/returns/{nj.pk}/receipt.pdf"):
        assert page_client_for("sz_director").get(path).status_code == 404
        assert page_client_for("js_director").get(path).status_code == 200
    api = api_client_for("sz_director")
    assert api.get(f"/api/v1/channels/returns/handovers/{nj.pk}/").status_code == 404
    assert api.get(f"/api/v1/channels/returns/handovers/{nj.pk}/receipt.pdf").status_code == 404
    listed = {row["number"] for row in result_rows(api.get("/api/v1/channels/returns/handovers/"))}
    assert listed == {handovers["sz"].number}
    listed = page_client_for("sz_director").get("/channels/returns/").content.decode()
    assert nj.number not in listed and handovers["sz"].number in listed


def test_handover_page_flow_and_receipt(returns, page_client_for):
    client = page_client_for("js_channel")
    response = client.post("/channels/returns/new/", {
        "agent": returns.agents["nj_a1"].pk, "received_by": returns.province.staff["js_channel"].pk,
        "numbers": f"{NJ_A1[0]} 张三\n{NJ_A1[1]}-{NJ_A1[3]}", "note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    handover = Handover.objects.get()
    assert handover.item_count == 4 and [state_of(n) for n in NJ_A1[:4]] == [ItemState.HANDED_OVER] * 4
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and handover.number in detail.content.decode()
    pdf = client.get(f"/channels/returns/{handover.pk}/receipt.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF") and len(pdf.content) > 1500
    # A refused handover shows the numbers and their state and changes nothing.
    response = client.post("/channels/returns/new/", {"agent": returns.agents["nj_a1"].pk, "numbers": NJ_A1[0]})
    assert response.status_code == 200 and NJ_A1[0] in response.content.decode()
    assert Handover.objects.count() == 1
    export = client.get("/channels/returns/?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert sheet.cell(2, 1).value == handover.number


def test_switched_off_pages_and_api_say_so(returns, switch, page_client_for, api_client_for):
    switch(False)
    response = page_client_for("js_channel").get("/channels/returns/new/")
    assert response.status_code == 200 and b'id="switched-off"' in response.content
    response = page_client_for("js_channel").post("/channels/returns/new/", {
        "agent": returns.agents["nj_a1"].pk, "numbers": NJ_A1[0]})
    assert b'id="switched-off"' in response.content and Handover.objects.count() == 0
    response = api_client_for("js_channel").post("/api/v1/channels/returns/handovers/", {
        "agent": returns.agents["nj_a1"].pk, "numbers": NJ_A1[0]}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "returnforms.handover_off"
    assert state_of(NJ_A1[0]) == ItemState.PICKED_UP
    listing = page_client_for("js_channel").get("/channels/returns/").content.decode()
    assert 'id="handover-create"' not in listing and 'id="switch-notice"' in listing


def test_entry_page_and_file_page(returns, switch, page_client_for):
    switch(False)
    client = page_client_for("js_channel")
    today = timezone.localdate().isoformat()
    response = client.post("/channels/returns/entries/new/", {
        "agent": returns.agents["nj_a1"].pk, "msisdn": NJ_A1[0], "subscriber_name": "张三",
        "certificate_type": "id_card", "certificate_no": "320102199001010011", "business": "mobile",
        "activated_on": today, "package": "P58",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    assert FormEntry.objects.filter(msisdn=NJ_A1[0]).exists() and Member.objects.filter(msisdn=NJ_A1[0]).exists()
    response = client.post("/channels/returns/entries/new/", {
        "agent": returns.agents["nj_a1"].pk, "msisdn": NJ_A1[0], "subscriber_name": "张三", "certificate_type": "id_card",
        "business": "mobile", "activated_on": today,
    })
    assert response.status_code == 200 and "already entered" in response.content.decode()
    upload = io.BytesIO(f"number,name,activated_on\n{NJ_A1[1]},李四,{today}\n{NJ_A1[2]},王五,{today}\n".encode())
    upload.name = "forms.csv"
    response = client.post("/channels/returns/entries/files/new/", {"agent": returns.agents["nj_a1"].pk, "file": upload})
    assert response.status_code == 302
    batch = EntryBatch.objects.get()
    assert batch.status == EntryBatchStatus.DONE and batch.entered_count == 2
    report = client.get(response["Location"]).content.decode()
    assert 'id="file-done"' in report and NJ_A1[1] in report
    bad = io.BytesIO(f"number,name,activated_on\n{NJ_A1[0]},张三,{today}\n".encode())
    bad.name = "bad.csv"
    response = client.post("/channels/returns/entries/files/new/", {"agent": returns.agents["nj_a1"].pk, "file": bad})
    report = client.get(response["Location"]).content.decode()
    assert 'id="file-refused"' in report and "already entered" in report
    assert client.get("/channels/returns/entries/").status_code == 200


def test_api_round_trip(returns, api_client_for):
    api = api_client_for("js_channel")
    agent = returns.agents["nj_a1"]
    response = api.post("/api/v1/channels/returns/handovers/", {
        "agent": agent.pk, "lines": [{"msisdn": NJ_A1[0], "subscriber_name": "张三"}], "numbers": NJ_A1[1],
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {line["msisdn"] for line in body["lines"]} == {NJ_A1[0], NJ_A1[1]}
    detail = api.get(f"/api/v1/channels/returns/handovers/{body['id']}/").json()
    assert detail["number"] == body["number"] and detail["item_count"] == 2
    pdf = api.get(f"/api/v1/channels/returns/handovers/{body['id']}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    response = api.post("/api/v1/channels/returns/entries/", {
        "agent": agent.pk, "msisdn": NJ_A1[0], "subscriber_name": "张三", "activated_on": timezone.localdate().isoformat(),
        "certificate_no": "320102199001010011",
    }, format="json")
    assert response.status_code == 201, response.json()
    entry = response.json()
    assert entry["handover_number"] == body["number"] and entry["reference_at"] == detail["handed_at"]
    assert AgentSubscriber.objects.filter(msisdn=NJ_A1[0], member__isnull=False).exists()
    again = api.post("/api/v1/channels/returns/entries/", {
        "agent": agent.pk, "msisdn": NJ_A1[0], "subscriber_name": "张三", "activated_on": timezone.localdate().isoformat(),
    }, format="json")
    assert again.status_code == 409 and NJ_A1[0] in again.json()["message"]
    assert [row["msisdn"] for row in result_rows(api.get("/api/v1/channels/returns/entries/"))] == [NJ_A1[0]]
    assert api_client_for("js_director").post("/api/v1/channels/returns/entries/", {}, format="json").status_code == 403
    assert api_client_for("sz_director").post("/api/v1/channels/returns/handovers/", {
        "agent": agent.pk, "numbers": NJ_A1[2]}, format="json").status_code == 403
