"""Return-form handover (CH-08) and entry (CH-09): states, reference times, refusals that
change nothing, files entered all-or-nothing and once."""

import datetime

import pytest
from django.utils import timezone

from kams.channels.models import AgentSubscriber
from kams.core.errors import InvalidInput, KamsError
from kams.customers.enums import Business, CustomerType
from kams.customers.models import Customer, Member
from kams.customers.services import customer_create
from kams.resources.enums import ItemState
from kams.resources.models import ResourceItem
from kams.returnforms import services
from kams.returnforms.enums import EntryBatchStatus
from kams.returnforms.errors import HandoverSwitchedOff, NumbersNotEligible
from kams.returnforms.models import EntryBatch, FormEntry, Handover, HandoverLine
from kams.returnforms.receipt import receipt_pdf
from kams.returnforms.tests.conftest import IN_STOCK, NJ_A1, NJ_A2, state_of


def _row(number, name="张三", cert="320102199001010011", **kw):
    return services.EntryRow(msisdn=number, subscriber_name=name, certificate_no=cert, contact_phone="025-88886666",
                             package="P58", activated_on=kw.pop("activated_on", timezone.localdate()), **kw)


def _counts():
    return (Customer.objects.count(), Member.objects.count(), AgentSubscriber.objects.count(),
            FormEntry.objects.count(), Handover.objects.count(), HandoverLine.objects.count(),
            sorted(ResourceItem.objects.values_list("serial", "state", "state_changed_at")))


def test_handover_then_entry_uses_the_handover_time(returns):
    user, agent = returns.user("js_channel"), returns.agents["nj_a1"]
    handed_at = timezone.now() - datetime.timedelta(days=2, hours=3)
    handover = services.handover_create(
        actor=user, agent=agent, lines=[(NJ_A1[0], "张三"), (NJ_A1[1], ""), (NJ_A1[2], "李四")],
        received_by=returns.province.staff["js_channel"], handed_at=handed_at, note="第一批",
    )
    assert handover.number.startswith("JJ") and handover.item_count == 3
    assert handover.org_unit == returns.units["NJ-XJK"]
    assert [state_of(n) for n in NJ_A1[:4]] == [ItemState.HANDED_OVER] * 3 + [ItemState.PICKED_UP]
    moved = ResourceItem.objects.get(serial=NJ_A1[0])
    assert timezone.now() - moved.state_changed_at < datetime.timedelta(minutes=1)
    assert dict(handover.lines.values_list("msisdn", "subscriber_name"))[NJ_A1[2]] == "李四"

    entry = services.form_entry_create(actor=user, agent=agent, row=_row(NJ_A1[0]))
    assert entry.reference_at == handed_at and entry.handover == handover
    assert state_of(NJ_A1[0]) == ItemState.ENTERED
    customer = entry.customer
    assert customer.customer_type == CustomerType.KEY_INDIVIDUAL and customer.name == "张三"
    assert customer.org_unit == agent.org_unit and customer.certificate_no == "320102199001010011"
    member = Member.objects.get(msisdn=NJ_A1[0], is_active=True)
    assert member.customer == customer and entry.member == member
    subscriber = AgentSubscriber.objects.get(msisdn=NJ_A1[0])
    assert subscriber.agent == agent and subscriber.reference_at == handed_at and subscriber.package == "P58"
    assert subscriber.customer == customer and subscriber.member == member
    assert subscriber.source_type == "returnforms.formentry" and subscriber.source_id == str(entry.pk)


def test_entry_with_the_switch_off_uses_the_entry_time(returns, switch):
    switch(False)
    user, agent = returns.user("js_channel"), returns.agents["nj_a1"]
    with pytest.raises(HandoverSwitchedOff):
        services.handover_create(actor=user, agent=agent, lines=[(NJ_A1[0], "")])
    assert Handover.objects.count() == 0 and state_of(NJ_A1[0]) == ItemState.PICKED_UP
    before = timezone.now()
    entry = services.form_entry_create(actor=user, agent=agent, row=_row(NJ_A1[0]))
    assert before <= entry.reference_at <= timezone.now() and entry.handover is None
    assert AgentSubscriber.objects.get(msisdn=NJ_A1[0]).reference_at == entry.reference_at
    assert state_of(NJ_A1[0]) == ItemState.ENTERED


def test_entry_into_an_existing_customer(returns):
    user, agent = returns.user("js_channel"), returns.agents["nj_a1"]
    customer = customer_create(actor=user, name="南京某公司", customer_type=CustomerType.GROUP,
                               org_unit=returns.province.units["NJ"])
    services.handover_create(actor=user, agent=agent, lines=[(NJ_A1[0], "")])
    count = Customer.objects.count()
    entry = services.form_entry_create(actor=user, agent=agent, row=_row(NJ_A1[0], customer=customer))
    assert entry.customer == customer and Customer.objects.count() == count
    assert Member.objects.get(msisdn=NJ_A1[0]).customer == customer


@pytest.mark.parametrize("number,switch_on,words", [
    (NJ_A1[5], True, ["13900000006", "Picked up"]),  # switch on: not handed over
    (NJ_A2[0], True, ["13900000100", "not held by this agent"]),  # another agent's number
    (NJ_A2[0], False, ["13900000100", "not held by this agent"]),
    (IN_STOCK[0], False, ["13900000200"]),  # not picked up at all
    ("13999999999", False, ["13999999999", "not a number"]),  # unknown number
])
def test_entry_refusals_change_nothing(returns, switch, number, switch_on, words):
    switch(switch_on)
    before = _counts()
    with pytest.raises(NumbersNotEligible) as caught:
        services.form_entry_create(actor=returns.user("js_channel"), agent=returns.agents["nj_a1"], row=_row(number))
    assert all(w in caught.value.text for w in words), caught.value.text
    assert _counts() == before


def test_entry_takes_the_numbers_line_of_business_and_refuses_another(returns, switch):
    switch(False)
    user, agent = returns.user("js_channel"), returns.agents["nj_a1"]
    ResourceItem.objects.filter(serial__in=NJ_A1[:2]).update(business=Business.DATA)
    before = _counts()
    with pytest.raises(NumbersNotEligible) as caught:
        services.form_entry_create(actor=user, agent=agent, row=_row(NJ_A1[0], business=Business.MOBILE))
    assert "13900000001 is a Data number, not Mobile" in caught.value.text, caught.value.text
    assert _counts() == before
    entry = services.form_entry_create(actor=user, agent=agent, row=_row(NJ_A1[0]))  # business left empty
    assert entry.business == Business.DATA and entry.subscriber.business == Business.DATA
    assert Member.objects.get(msisdn=NJ_A1[0]).business == Business.DATA
    mobile = services.form_entry_create(actor=user, agent=agent, row=_row(NJ_A1[2], cert="320102199001010038"))
    assert mobile.business == Business.MOBILE


def test_a_number_is_entered_once(returns, switch):
    switch(False)
    user, agent = returns.user("js_channel"), returns.agents["nj_a1"]
    services.form_entry_create(actor=user, agent=agent, row=_row(NJ_A1[0]))
    before = _counts()
    with pytest.raises(NumbersNotEligible, match="already entered"):
        services.form_entry_create(actor=user, agent=agent, row=_row(NJ_A1[0], cert="320102199001010099"))
    assert _counts() == before


def test_handover_refuses_numbers_not_picked_up_by_the_agent(returns):
    user, agent = returns.user("js_channel"), returns.agents["nj_a1"]
    before = _counts()
    with pytest.raises(NumbersNotEligible) as caught:
        services.handover_create(actor=user, agent=agent, lines=[(NJ_A1[0], ""), (NJ_A2[0], ""), (IN_STOCK[0], "")])
    assert "13900000100" in caught.value.text and "13900000200" in caught.value.text
    assert "13900000001" not in caught.value.text
    assert _counts() == before
    services.handover_create(actor=user, agent=agent, lines=[(NJ_A1[0], "")])
    with pytest.raises(NumbersNotEligible, match="Form handed over"):  # a second handover of the same number
        services.handover_create(actor=user, agent=agent, lines=[(NJ_A1[0], "")])


def test_permission_and_scope_of_the_writes(returns):
    from django.core.exceptions import PermissionDenied

    agent = returns.agents["nj_a1"]
    for username in ("js_director", "nj_manager1"):
        with pytest.raises(PermissionDenied):
            services.handover_create(actor=returns.user(username), agent=agent, lines=[(NJ_A1[0], "")])
    assert state_of(NJ_A1[0]) == ItemState.PICKED_UP


def test_parse_numbers():
    assert services.parse_numbers("13900000001 张三\n13900000002\n\n13900000001") == [
        ("13900000001", "张三"), ("13900000002", "")]
    assert [n for n, _ in services.parse_numbers("13900000008-13900000010")] == [
        "13900000008", "13900000009", "13900000010"]
    for bad in ("139000000x1", "13900000010-13900000008", "1390000001-13900000020"):
        with pytest.raises(InvalidInput):
            services.parse_numbers(bad)


CSV = (
    "number,name,certificate_type,certificate_no,phone,package,business,activated_on,customer\n"
    "13900000001,王一,身份证,320102199001010001,13800000001,P58,mobile,{d},\n"
    "13900000002,王二,id_card,320102199001010002,,P88,,{d},\n"
    "13900000003,王三,,320102199001010003,,,,{d},\n"
)


def test_file_entry_all_or_nothing_and_once(returns):
    user, agent = returns.user("js_channel"), returns.agents["nj_a1"]
    handover = services.handover_create(actor=user, agent=agent, lines=[(n, "") for n in NJ_A1[:3]])
    today = timezone.localdate().isoformat()
    bad = (CSV.format(d=today) + "13900000004,王四,,320102199001010004,,,,{d},\n".format(d=today)
           + "13900000005,王五,,,,,,2020-13-01,\n").encode()
    before = _counts()
    refused = services.entry_file_upload(actor=user, agent=agent, content=bad, file_name="forms.csv")
    assert refused.status == EntryBatchStatus.REFUSED and refused.entered_count == 0
    assert {e["line"] for e in refused.errors} == {6}  # the date is read first, before the numbers are checked
    assert _counts() == before
    refused = services.entry_file_upload(
        actor=user, agent=agent, content=(CSV.format(d=today) + f"13900000004,王四,,,,,,{today},\n").encode(),
        file_name="forms.csv")
    assert refused.status == EntryBatchStatus.REFUSED
    assert [(e["line"], e["number"]) for e in refused.errors] == [(5, "13900000004")]
    assert "13900000004" in refused.errors[0]["message"]
    assert _counts() == before

    content = CSV.format(d=today).encode()
    batch = services.entry_file_upload(actor=user, agent=agent, content=content, file_name="forms.csv")
    assert batch.status == EntryBatchStatus.DONE and batch.entered_count == 3 and batch.errors == []
    assert [state_of(n) for n in NJ_A1[:3]] == [ItemState.ENTERED] * 3
    entries = FormEntry.objects.filter(batch=batch)
    assert entries.count() == 3 and {e.reference_at for e in entries} == {handover.handed_at}
    assert AgentSubscriber.objects.filter(msisdn__in=NJ_A1[:3], reference_at=handover.handed_at).count() == 3
    assert Member.objects.filter(msisdn__in=NJ_A1[:3], is_active=True).count() == 3
    after = _counts()
    again = services.entry_file_upload(actor=user, agent=agent, content=content, file_name="forms-again.csv")
    assert again.pk == batch.pk and _counts() == after
    assert EntryBatch.objects.filter(status=EntryBatchStatus.DONE).count() == 1


def test_file_entry_reports_a_customer_service_refusal(returns, switch):
    """A duplicate certificate is refused by the customers service; the whole file is refused."""
    switch(False)
    user, agent = returns.user("js_channel"), returns.agents["nj_a1"]
    today = timezone.localdate().isoformat()
    content = (f"号码,姓名,证件号码,开通日期\n{NJ_A1[0]},赵一,320102199001010777,{today}\n"
               f"{NJ_A1[1]},赵二,320102199001010777,{today}\n").encode()
    before = _counts()
    batch = services.entry_file_upload(actor=user, agent=agent, content=content, file_name="forms.csv")
    assert batch.status == EntryBatchStatus.REFUSED and [e["line"] for e in batch.errors] == [3]
    assert _counts() == before


def test_file_header_must_name_the_columns(returns):
    with pytest.raises(KamsError):
        services.entry_file_upload(actor=returns.user("js_channel"), agent=returns.agents["nj_a1"],
                                   content=b"foo,bar\n1,2\n", file_name="x.csv")


def test_the_receipt_is_a_pdf(returns):
    user, agent = returns.user("js_channel"), returns.agents["nj_a1"]
    handover = services.handover_create(actor=user, agent=agent, lines=[(NJ_A1[0], "张三"), (NJ_A1[1], "")],
                                        received_by=returns.province.staff["js_channel"])
    pdf = receipt_pdf(handover)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF") and len(pdf) > 1500
    assert b"STSong-Light" in pdf
