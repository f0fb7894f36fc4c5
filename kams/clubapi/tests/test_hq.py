"""The headquarters link (CLUB-21): member authentication and cross-province business,
signed by headquarters (kams.clubapi.hq, kams.clubapi.signing)."""

from __future__ import annotations

import datetime
import json
import time

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from kams.audit.models import AuditEntry
from kams.club.models import ClubMember, PointsAccount, PointsLot, Redemption
from kams.club.testing import give_points
from kams.clubapi import signing
from kams.clubapi.models import HqRequest
from kams.clubapi.tests.conftest import CERTIFICATES, SECRET
from kams.service.models import Case

pytestmark = pytest.mark.django_db

URL = "/api/v1/club/hq/requests/"
HOME = "86"  # club.card_prefix: this province's code
ROAMING = "11"


def send(body: dict | bytes, *, secret: str = SECRET, timestamp: int | None = None, signature: str | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "HTTP_X_HQ_TIMESTAMP": stamp,
        "HTTP_ACCEPT_LANGUAGE": "en",
        "HTTP_X_HQ_SIGNATURE": signature if signature is not None else signing.signature(secret.encode(), stamp, raw),
    }
    # A client that enforces CSRF, as a browser session would: HQ has no session.
    return Client(enforce_csrf_checks=True).post(URL, data=raw, content_type="application/json", **headers)


def authenticate(club, key: str = "diamond", *, request_id: str = "HQ-A-1", province: str = ROAMING,
                 tail: str | None = None):
    return send({"requestId": request_id, "kind": "authenticate", "visitedProvince": province,
                 "cardNo": club.card_no(key), "certificateTail": tail or CERTIFICATES[key][-6:]})


def business(club, kind: str, payload: dict | None = None, *, key: str = "diamond", request_id: str = "HQ-B-1",
             auth: str = "HQ-A-1"):
    body = {"requestId": request_id, "kind": kind, "visitedProvince": ROAMING, "cardNo": club.card_no(key),
            "authRequestId": auth}
    if payload is not None:
        body["payload"] = payload
    return send(body)


# --- Signature ------------------------------------------------------------------------------------


def test_signed_authentication_is_answered_and_recorded(hq_link):
    response = authenticate(hq_link)

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["requestId"] == "HQ-A-1" and answer["status"] == "done" and answer["code"] == ""
    assert answer["result"]["authenticated"] is True
    assert answer["result"]["level"] == "DIAMOND"
    assert answer["result"]["roamingScope"] == "national"
    assert answer["result"]["memberNo"] == hq_link.members["diamond"].member_no
    record = HqRequest.objects.get(request_id="HQ-A-1")
    assert record.member == hq_link.members["diamond"]
    assert record.org_unit == hq_link.members["diamond"].customer.org_unit
    assert (record.kind, record.visited_province, record.card_no) == ("authenticate", ROAMING, hq_link.card_no("diamond"))
    assert record.answered_at is not None and record.result == answer["result"]


def test_bare_hex_signature_is_accepted(hq_link):
    body = {"requestId": "HQ-A-1", "kind": "authenticate", "visitedProvince": ROAMING, "cardNo": hq_link.card_no("diamond"),
            "certificateTail": CERTIFICATES["diamond"][-6:]}
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()))

    response = send(raw, timestamp=int(stamp), signature=signing.signature(SECRET.encode(), stamp, raw)[len("sha256="):])

    assert response.status_code == 200


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "not-a-signature"])
def test_bad_signature_is_refused_and_nothing_recorded(hq_link, signature):
    body = {"requestId": "HQ-A-1", "kind": "authenticate", "visitedProvince": ROAMING, "cardNo": hq_link.card_no("diamond"),
            "certificateTail": CERTIFICATES["diamond"][-6:]}

    response = send(body, signature=signature)

    assert response.status_code == 401
    assert response.json()["code"] == "hq.bad_signature"
    assert not HqRequest.objects.exists()


def test_body_signed_with_another_secret_is_refused(hq_link):
    response = send({"requestId": "HQ-A-1", "kind": "authenticate"}, secret="someone-else")

    assert response.status_code == 401
    assert not HqRequest.objects.exists()


def test_tampered_body_is_refused(hq_link):
    raw = json.dumps({"requestId": "HQ-R-1", "kind": "redemption", "payload": {"quantity": 1}}).encode()
    stamp = str(int(time.time()))
    good = signing.signature(SECRET.encode(), stamp, raw)

    response = send(raw.replace(b'"quantity": 1', b'"quantity": 9'), timestamp=int(stamp), signature=good)

    assert response.status_code == 401
    assert not HqRequest.objects.exists()


@pytest.mark.parametrize("age", [6 * 60, -6 * 60])
def test_replayed_request_with_an_old_timestamp_is_refused(hq_link, age):
    response = send({"requestId": "HQ-A-1", "kind": "authenticate", "visitedProvince": ROAMING,
                     "cardNo": hq_link.card_no("diamond"), "certificateTail": CERTIFICATES["diamond"][-6:]},
                    timestamp=int(time.time()) - age)

    assert response.status_code == 401
    assert response.json()["code"] == "hq.stale_timestamp"
    assert not HqRequest.objects.exists()


def test_link_without_a_secret_answers_503(hq_link, settings, monkeypatch):
    settings.KAMS_HQ_SHARED_SECRET = ""
    monkeypatch.delenv("KAMS_HQ_SHARED_SECRET", raising=False)

    response = authenticate(hq_link)

    assert response.status_code == 503
    assert not HqRequest.objects.exists()


def test_secret_may_come_from_the_environment(hq_link, settings, monkeypatch):
    settings.KAMS_HQ_SHARED_SECRET = ""
    monkeypatch.setenv("KAMS_HQ_SHARED_SECRET", SECRET)

    assert authenticate(hq_link).status_code == 200


# --- Idempotency ----------------------------------------------------------------------------------


def test_same_request_id_gets_the_recorded_answer(hq_link):
    first = authenticate(hq_link)
    again = authenticate(hq_link)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert HqRequest.objects.filter(request_id="HQ-A-1").count() == 1


def test_same_request_id_with_another_body_is_a_conflict(hq_link):
    authenticate(hq_link)

    response = authenticate(hq_link, key="emerald")

    assert response.status_code == 409
    assert response.json()["code"] == "hq.request_id_reused"
    assert HqRequest.objects.get(request_id="HQ-A-1").card_no == hq_link.card_no("diamond")


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", json.dumps({"kind": "authenticate"}).encode(),
                                  json.dumps({"requestId": "has spaces", "kind": "authenticate"}).encode()])
def test_request_without_a_usable_id_is_a_400_and_not_recorded(hq_link, body):
    response = send(body)

    assert response.status_code == 400
    assert response.json()["code"] == "kams.invalid_input"
    assert not HqRequest.objects.exists()


def test_invalid_request_with_an_id_is_recorded_and_answered_the_same_again(hq_link):
    body = {"requestId": "HQ-X-1", "kind": "teleport", "visitedProvince": ROAMING, "cardNo": hq_link.card_no("diamond")}

    first = send(body)
    again = send(body)

    assert first.status_code == again.status_code == 400
    assert first.json()["status"] == "invalid" and "kind" in first.json()["message"]
    assert again.json() == first.json()
    assert HqRequest.objects.get(request_id="HQ-X-1").status == "invalid"


# --- Authentication -------------------------------------------------------------------------------


def test_certificate_tail_is_case_insensitive(hq_link):
    response = authenticate(hq_link, tail=CERTIFICATES["diamond"][-6:].lower())

    assert response.json()["result"]["authenticated"] is True


def test_wrong_certificate_is_refused(hq_link):
    with override("en"):
        response = authenticate(hq_link, tail="000000")

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "refused" and answer["code"] == "credential_mismatch"
    assert answer["result"] == {"authenticated": False, "reason": "credential_mismatch"}
    assert "does not match" in answer["message"]


def test_unknown_card_is_refused_and_belongs_to_the_province(hq_link, province):
    response = send({"requestId": "HQ-A-9", "kind": "authenticate", "visitedProvince": ROAMING, "cardNo": "1100000001",
                     "certificateTail": "123456"})

    assert response.json()["code"] == "unknown_card"
    record = HqRequest.objects.get(request_id="HQ-A-9")
    assert record.member is None and record.org_unit == province.units["JS"]


def test_sapphire_member_roaming_is_refused_with_the_reason(hq_link):
    with override("en"):
        response = authenticate(hq_link, "sapphire", province=ROAMING)

    answer = response.json()
    assert answer["status"] == "refused" and answer["code"] == "roaming_not_allowed"
    assert answer["result"]["authenticated"] is False
    assert answer["result"]["level"] == "SAPPHIRE" and answer["result"]["roamingScope"] == "province"
    assert "only in its home province" in answer["message"]


def test_sapphire_member_is_authenticated_at_home(hq_link):
    answer = authenticate(hq_link, "sapphire", province=HOME).json()

    assert answer["status"] == "done"
    assert answer["result"]["authenticated"] is True and answer["result"]["roaming"] is False


def test_emerald_member_may_roam(hq_link):
    answer = authenticate(hq_link, "emerald", province=ROAMING).json()

    assert answer["result"]["authenticated"] is True and answer["result"]["roaming"] is True


def test_lost_card_is_refused(hq_link, province):
    from kams.club import members

    members.card_move(actor=province.user("js_club"), card=hq_link.cards["diamond"], action="report_lost")

    assert authenticate(hq_link).json()["code"] == "card_not_usable"


def test_suspended_member_is_refused(hq_link):
    ClubMember.objects.filter(pk=hq_link.members["diamond"].pk).update(status="suspended")

    assert authenticate(hq_link).json()["code"] == "member_not_active"


def test_card_is_locked_after_five_wrong_certificates(hq_link):
    for attempt in range(5):
        assert authenticate(hq_link, request_id=f"HQ-W-{attempt}", tail="999999").json()["code"] == "credential_mismatch"

    locked = authenticate(hq_link, request_id="HQ-W-5")

    assert locked.json()["code"] == "too_many_attempts"
    assert locked.json()["result"]["authenticated"] is False
    # Another card is not affected.
    assert authenticate(hq_link, "emerald", request_id="HQ-W-6").json()["result"]["authenticated"] is True


# --- Business -------------------------------------------------------------------------------------


def test_business_without_authentication_is_refused(hq_link):
    response = business(hq_link, "points_query", auth="HQ-NONE")

    assert response.status_code == 200
    assert response.json()["code"] == "not_authenticated"


def test_business_on_a_refused_authentication_is_refused(hq_link):
    authenticate(hq_link, tail="000000")

    assert business(hq_link, "points_query").json()["code"] == "not_authenticated"


def test_business_for_another_card_than_authenticated_is_refused(hq_link):
    authenticate(hq_link)

    assert business(hq_link, "points_query", key="emerald").json()["code"] == "not_authenticated"


def test_business_on_an_old_authentication_is_refused(hq_link):
    authenticate(hq_link)
    HqRequest.objects.filter(request_id="HQ-A-1").update(received_at=timezone.now() - datetime.timedelta(minutes=31))

    assert business(hq_link, "points_query").json()["code"] == "not_authenticated"


def test_points_query_answers_balance_expiring_points_and_redemptions(hq_link, fee10):
    diamond = hq_link.members["diamond"]
    give_points(diamond, 1000)
    give_points(diamond, 2000)
    soon = PointsLot.objects.filter(account_id=diamond.pk, points=1000).get()
    expires = timezone.localdate() + datetime.timedelta(days=12)
    PointsLot.objects.filter(pk=soon.pk).update(expires_on=expires)
    authenticate(hq_link)
    business(hq_link, "redemption", {"item": "FEE10"}, request_id="HQ-R-0")

    response = business(hq_link, "points_query")

    answer = response.json()
    assert answer["status"] == "done", answer
    result = answer["result"]
    assert result["memberNo"] == diamond.member_no
    assert result["balance"] == 2000
    assert result["expiring"] == []  # the redemption took the earliest-expiring lot first
    assert [r["item"] for r in result["recentRedemptions"]] == ["FEE10"]
    assert result["recentRedemptions"][0]["channel"] == "hq"


def test_points_query_lists_points_expiring_soon(hq_link):
    diamond = hq_link.members["diamond"]
    give_points(diamond, 700)
    expires = timezone.localdate() + datetime.timedelta(days=12)
    PointsLot.objects.filter(account_id=diamond.pk).update(expires_on=expires)
    authenticate(hq_link)

    result = business(hq_link, "points_query").json()["result"]

    assert result["balance"] == 700
    assert result["expiring"] == [{"expiresOn": expires.isoformat(), "points": 700}]


def test_redemption_deducts_once_for_the_same_request_id(hq_link, fee10):
    diamond = hq_link.members["diamond"]
    give_points(diamond, 2500)
    authenticate(hq_link)

    first = business(hq_link, "redemption", {"item": "FEE10", "quantity": 2, "location": "北京王府井营业厅"})
    again = business(hq_link, "redemption", {"item": "FEE10", "quantity": 2, "location": "北京王府井营业厅"})

    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "done"
    assert first.json()["result"]["points"] == 2000 and first.json()["result"]["balance"] == 500
    assert again.json() == first.json()
    assert PointsAccount.objects.get(pk=diamond.pk).balance == 500
    redemption = Redemption.objects.get(member=diamond)
    assert (redemption.channel_kind, redemption.idempotency_key, redemption.quantity) == ("hq", "HQ-B-1", 2)
    assert redemption.location == f"{ROAMING} 北京王府井营业厅"
    assert HqRequest.objects.get(request_id="HQ-B-1").auth_request.request_id == "HQ-A-1"


def test_redemption_with_too_few_points_is_refused_with_its_code(hq_link, fee10):
    diamond = hq_link.members["diamond"]
    give_points(diamond, 600)
    authenticate(hq_link)

    with override("en"):
        response = business(hq_link, "redemption", {"item": "FEE10"})

    answer = response.json()
    assert response.status_code == 200
    assert answer["status"] == "refused" and answer["code"] == "insufficient_points"
    assert "600 points" in answer["message"]
    assert PointsAccount.objects.get(pk=diamond.pk).balance == 600
    assert not Redemption.objects.exists()


def test_redemption_of_an_unknown_item_is_refused(hq_link):
    give_points(hq_link.members["diamond"], 600)
    authenticate(hq_link)

    assert business(hq_link, "redemption", {"item": "NOPE"}).json()["code"] == "unknown_item"


@pytest.mark.parametrize("payload", [{}, {"item": "FEE10", "quantity": 0}, {"item": "FEE10", "quantity": "2"}, []])
def test_redemption_with_bad_input_is_invalid_and_deducts_nothing(hq_link, fee10, payload):
    give_points(hq_link.members["diamond"], 5000)
    authenticate(hq_link)

    response = business(hq_link, "redemption", payload)

    assert response.status_code == 400
    assert response.json()["status"] == "invalid"
    assert PointsAccount.objects.get(pk=hq_link.members["diamond"].pk).balance == 5000


def test_data_change_updates_the_member_and_is_audited(hq_link):
    diamond = hq_link.members["diamond"]
    authenticate(hq_link)

    response = business(hq_link, "data_change", {"phone": "13800001111", "email": "zhang.li@example.cn",
                                                 "address": "北京市东城区王府井大街 1 号"})

    assert response.json()["status"] == "done"
    assert sorted(response.json()["result"]["changed"]) == ["address", "email", "phone"]
    diamond.refresh_from_db()
    assert (diamond.phone, diamond.email) == ("13800001111", "zhang.li@example.cn")
    entry = AuditEntry.objects.get(action="clubapi.hq_data_change", target_id=str(diamond.pk))
    assert entry.before["phone"] == "13951000001" and entry.after["phone"] == "13800001111"
    assert "HQ-B-1" in entry.reason and entry.actor is None


@pytest.mark.parametrize("payload", [{"email": "not-an-address"}, {"phone": "call me"}, {"name": "改名"}, {}])
def test_data_change_with_bad_input_changes_nothing(hq_link, payload):
    diamond = hq_link.members["diamond"]
    authenticate(hq_link)

    response = business(hq_link, "data_change", payload)

    assert response.status_code == 400
    diamond.refresh_from_db()
    assert (diamond.phone, diamond.email, diamond.name) == ("13951000001", "zhangli@example.com", "张丽")
    assert not AuditEntry.objects.filter(action="clubapi.hq_data_change").exists()


def test_service_request_opens_a_case_for_the_club_staff(hq_link):
    diamond = hq_link.members["diamond"]
    authenticate(hq_link)

    response = business(hq_link, "service_request", {"description": "在北京机场贵宾厅无法使用会员卡，请核查",
                                                     "requestType": "vip_lounge"})

    answer = response.json()
    assert answer["status"] == "done", answer
    case = Case.objects.get(number=answer["result"]["caseNumber"])
    assert case.process_key == "service_request"
    assert case.customer == diamond.customer
    assert case.external_id == "HQ-B-1" and case.source == "10018"
    assert case.data["description"] == "在北京机场贵宾厅无法使用会员卡，请核查"
    assert HqRequest.objects.get(request_id="HQ-B-1").case == case
    # Asked again: the same case, not a second one.
    assert business(hq_link, "service_request", {"description": "在北京机场贵宾厅无法使用会员卡，请核查",
                                                 "requestType": "vip_lounge"}).json() == answer
    assert Case.objects.filter(external_id="HQ-B-1").count() == 1


def test_service_request_without_a_description_is_invalid(hq_link):
    authenticate(hq_link)

    response = business(hq_link, "service_request", {"requestType": "x"})

    assert response.status_code == 400
    assert not Case.objects.exists()
