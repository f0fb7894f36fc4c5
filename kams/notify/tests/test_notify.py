"""INT-04: one outbox; every message recorded, sent once per key, retried, failed visibly."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from kams.customers import services as customer_services
from kams.customers.enums import ContractState
from kams.notify.models import Message, MessageState
from kams.notify.senders import SendError
from kams.notify.services import message_deliver, message_resend, notify
from kams.org.testing import assert_scoped


@pytest.fixture
def email_sender(settings):
    settings.KAMS_NOTIFY_SENDERS = {**settings.KAMS_NOTIFY_SENDERS, "email": "kams.notify.senders.EmailSender"}


@pytest.mark.django_db(transaction=True)
def test_message_is_recorded_once_per_key_and_delivered_by_the_worker(email_sender):
    first, created = notify(channel="email", recipient="a@js.example.cn", body="合同即将到期", purpose="test", idempotency_key="k1")
    again, created_again = notify(channel="email", recipient="a@js.example.cn", body="合同即将到期", purpose="test", idempotency_key="k1")

    assert created and not created_again and first.pk == again.pk
    call_command("worker", "--batch")
    first.refresh_from_db()
    assert first.state == MessageState.SENT and first.attempts == 1
    assert [m.to for m in mail.outbox] == [["a@js.example.cn"]]


@pytest.mark.django_db
def test_file_sender_writes_the_call_list(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    message, _ = notify(channel="voice", recipient="13900000001", recipient_name="王总", body="请回电", purpose="test", idempotency_key="v1")

    message_deliver(message_id=message.pk)

    line = json.loads((tmp_path / "outbox" / "voice.jsonl").read_text(encoding="utf-8"))
    assert (line["to"], line["name"], line["key"]) == ("13900000001", "王总", "v1")


@pytest.mark.django_db
def test_failures_retry_then_fail_and_can_be_resent(province, monkeypatch):
    def broken(self, message):
        raise SendError("gateway down")

    monkeypatch.setattr("kams.notify.senders.FileSender.send", broken)
    message, _ = notify(channel="sms", recipient="13900000002", body="x", purpose="test", idempotency_key="s1", org_unit=province.units["NJ"])
    for _attempt in range(3):
        message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (MessageState.FAILED, 3, "gateway down")
    message_resend(actor=province.user("admin"), message=message)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.QUEUED, 0)


@pytest.mark.django_db
def test_bad_messages_are_refused():
    from kams.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        notify(channel="pigeon", recipient="x", body="x", purpose="t", idempotency_key="p")
    with pytest.raises(InvalidInput):
        notify(channel="sms", recipient="", body="x", purpose="t", idempotency_key="p")
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_contract_expiry_warnings_go_to_the_manager_once(province, customers):
    manager = province.staff["nj_manager1"]
    manager.email, manager.mobile = "zhang@js.example.cn", "13900000003"
    manager.save()
    today = datetime.date.today()
    contract = customer_services.contract_create(
        actor=province.user("nj_manager1"), customer=customers["nj_m1"], contract_no="HT-W1", title="专线合同",
        contract_type="leased_line", value=Decimal("1000"), signed_on=today, valid_from=today,
        valid_to=today + datetime.timedelta(days=10),
    )
    director = province.user("nj_director")
    customer_services.contract_move(actor=director, contract=contract, to=ContractState.APPROVING)
    customer_services.contract_move(actor=director, contract=contract, to=ContractState.ACTIVE)

    assert customer_services.contracts_expiry_warn() == 2
    assert customer_services.contracts_expiry_warn() == 0
    messages = {m.channel: m for m in Message.objects.all()}
    assert set(messages) == {"email", "sms"}
    assert "HT-W1" in messages["sms"].body and messages["sms"].recipient == "13900000003"
    assert messages["email"].owner == manager and messages["email"].org_unit == province.units["NJ"]


@pytest.mark.django_db
def test_messages_page_and_api_are_scoped(province, page_client_for, api_client_for):
    nj, _ = notify(channel="sms", recipient="13900000004", body="南京", purpose="t", idempotency_key="n1", org_unit=province.units["NJ"], owner=province.staff["nj_manager1"])
    sz, _ = notify(channel="sms", recipient="13900000005", body="苏州", purpose="t", idempotency_key="z1", org_unit=province.units["SZ"], owner=province.staff["sz_manager1"])

    assert_scoped(
        api_client_for,
        list_url="/api/v1/notifications/messages/",
        detail_url=lambda m: f"/api/v1/notifications/messages/{m.pk}/",
        objects={"nj": nj, "sz": sz},
        expected={"nj_director": {"nj"}, "sz_director": {"sz"}, "js_director": {"nj", "sz"}, "admin": {"nj", "sz"}},
    )
    page = page_client_for("admin").get("/notifications/").content.decode()
    assert "13900000004" in page and "13900000005" in page
    assert page_client_for("nj_manager1").get("/notifications/").status_code == 403


def test_sms_gateway_sender_posts_with_the_idempotency_key(monkeypatch):
    from kams.notify.models import Message
    from kams.notify.senders import HttpSmsSender

    seen = {}

    class Response:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return b'{"id": "GW-42"}'

    def fake_urlopen(request, timeout):
        seen.update(url=request.full_url, key=request.headers["Idempotency-key"], body=json.loads(request.data))
        return Response()

    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen)
    message = Message(channel="sms", recipient="13900000006", body="您好", idempotency_key="gw-1")

    assert HttpSmsSender(url="http://127.0.0.1:9/sms", token="t").send(message) == "GW-42"
    assert seen == {"url": "http://127.0.0.1:9/sms", "key": "gw-1", "body": {"to": "13900000006", "text": "您好"}}
