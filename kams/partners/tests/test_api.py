"""The partner API under /api/v1/club/partners/: the partner systems' token endpoints, scoping
of every list and detail, permissions and the writes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kams.club.models import PointsAccount, PointsEntry
from kams.org.testing import assert_scoped, result_rows
from kams.partners import services
from kams.partners.enums import StatementState
from kams.partners.models import Coupon, PartnerExchange

API = "/api/v1/club/partners"


def channel_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_inbound_endpoint_credits_once_and_answers_the_first_result_again(world, club):
    client = channel_client(world.token)
    body = {"card_no": club.card_no("diamond"), "amount": "888.80", "transaction_id": "EA-20260501-0001",
            "occurred_at": timezone.now().isoformat()}
    before = PointsAccount.objects.get(pk=club.members["diamond"].pk).balance
    first = client.post(f"{API}/exchanges/inbound/", body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["points"] == 88 and first.json()["points_balance"] == before + 88
    second = client.post(f"{API}/exchanges/inbound/", body, format="json")
    assert second.status_code == 200 and second.json() == first.json()
    assert PointsAccount.objects.get(pk=club.members["diamond"].pk).balance == before + 88
    changed = client.post(f"{API}/exchanges/inbound/", {**body, "amount": "1.00"}, format="json")
    assert changed.status_code == 409 and changed.json()["code"] == "partners.transaction_reused"


@pytest.mark.parametrize("change, status, code", [
    ({"card_no": "JS000000000"}, 404, "unknown_card"),
    ({"amount": "-10"}, 400, "invalid"),
    ({"amount": "3"}, 400, "partners.no_points"),
    ({"transaction_id": ""}, 400, "invalid"),
])
def test_inbound_endpoint_bad_input_credits_nothing(world, club, change, status, code):
    entries = PointsEntry.objects.count()
    body = {"card_no": club.card_no("diamond"), "amount": "100", "transaction_id": "EA-BAD", **change}
    response = channel_client(world.token).post(f"{API}/exchanges/inbound/", body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["message"]
    assert PointsEntry.objects.count() == entries and not PartnerExchange.objects.exists()


def test_inbound_endpoint_without_agreement_is_409(world, club):
    world.agreements["air"].__class__.objects.filter(pk=world.agreements["air"].pk).update(
        valid_from=datetime.date(2001, 1, 1), valid_to=datetime.date(2001, 12, 31))
    response = channel_client(world.token).post(
        f"{API}/exchanges/inbound/", {"card_no": club.card_no("diamond"), "amount": "100", "transaction_id": "N-1"},
        format="json")
    assert response.status_code == 409 and response.json()["code"] == "partners.no_agreement"
    assert not PartnerExchange.objects.exists()


def test_inbound_endpoint_needs_a_partner_channel_token(world, club, province, api_client_for):
    from kams.club.points import channel_create

    body = {"card_no": club.card_no("diamond"), "amount": "100", "transaction_id": "T-AUTH"}
    assert APIClient().post(f"{API}/exchanges/inbound/", body, format="json").status_code == 401
    assert channel_client("wrong-token").post(f"{API}/exchanges/inbound/", body, format="json").status_code == 401
    # Staff logins do not use this endpoint.
    assert api_client_for("js_club").post(f"{API}/exchanges/inbound/", body, format="json").status_code in (401, 403)
    # A POS channel is no partner system; a partner channel linked to no partner neither.
    _pos, pos_token = channel_create(actor=province.user("admin"), code="POS-1", name="POS", kind="pos",
                                     org_unit=province.units["NJ"])
    assert channel_client(pos_token).post(f"{API}/exchanges/inbound/", body, format="json").status_code == 403
    _free, free_token = channel_create(actor=province.user("admin"), code="FREE-P", name="未关联", kind="partner",
                                       org_unit=province.units["NJ"])
    response = channel_client(free_token).post(f"{API}/exchanges/inbound/", body, format="json")
    assert response.status_code == 403 and response.json()["code"] == "partners.not_a_partner_channel"
    # A channel token does not open the staff endpoints.
    assert channel_client(world.token).get(f"{API}/partners/").status_code in (401, 403)
    assert not PartnerExchange.objects.exists()


def test_coupon_redeem_by_partner_system_once(world, club, province):
    today = timezone.localdate()
    batch = services.coupon_batch_create(actor=province.user("js_club"), partner=world.partners["air"], name="升舱券",
                                         benefit="免费升舱", quantity=2, valid_from=today, valid_to=today)
    coupon = services.coupons_issue(actor=province.user("js_club"), batch=batch, members=[club.members["diamond"]])[0]
    client = channel_client(world.token)
    first = client.post(f"{API}/coupons/redeem/", {"code": coupon.code}, format="json")
    assert first.status_code == 200 and first.json()["state"] == "redeemed" and first.json()["redeemed_via"] == "AIR-SYS"
    second = client.post(f"{API}/coupons/redeem/", {"code": coupon.code}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "partners.coupon_not_usable"
    assert Coupon.objects.get(pk=coupon.pk).redeemed_via == "AIR-SYS"


def test_lists_are_scoped(world, api_client_for, province):
    partners = world.partners
    expected = {"js_club": {"air", "hotel", "books"}, "js_finance": {"air", "hotel", "books"}, "nj_finance": {"hotel"},
                "js_director": {"air", "hotel", "books"}}
    assert_scoped(api_client_for, list_url=f"{API}/partners/", detail_url=lambda p: f"{API}/partners/{p.pk}/",
                  objects=partners, expected=expected)
    assert_scoped(api_client_for, list_url=f"{API}/agreements/", detail_url=lambda a: f"{API}/agreements/{a.pk}/",
                  objects=world.agreements, expected=expected)


def test_statements_are_scoped(world, api_client_for, province):
    period = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    statements = {k: services.settlement_compute(actor=province.user("js_club"), partner=p, period=period)
                  for k, p in world.partners.items()}
    assert_scoped(api_client_for, list_url=f"{API}/settlements/", detail_url=lambda s: f"{API}/settlements/{s.pk}/",
                  objects=statements, expected={"js_finance": {"air", "hotel", "books"}, "nj_finance": {"hotel"}})


@pytest.mark.parametrize("username, status", [("nj_manager1", 403), ("norole", 403), ("js_club", 201)])
def test_partner_create_permission(world, api_client_for, province, username, status):
    response = api_client_for(username).post(f"{API}/partners/", {
        "code": "WANDA", "name": "万达百货", "industry": "department_store", "org_unit": province.units["NJ"].pk,
    }, format="json")
    assert response.status_code == status, response.content
    assert PartnerExchange.objects.count() == 0
    if status == 201:
        assert response.json()["code"] == "WANDA"


def test_agreement_approve_and_settlement_confirm_over_the_api(world, api_client_for, province, club):
    today = timezone.localdate()
    response = api_client_for("js_club").post(f"{API}/agreements/", {
        "partner": world.partners["books"].pk, "number": "XY-BOOK-02", "title": "续约", "valid_from": "2045-01-01",
        "valid_to": "2045-12-31", "outbound_points_per_yuan": 80, "inbound_points_per_yuan": "0.2",
        "settlement_price": "0.012"}, format="json")
    assert response.status_code == 201, response.content
    agreement_id = response.json()["id"]
    assert api_client_for("js_club").post(f"{API}/agreements/{agreement_id}/approve/").status_code == 403
    approved = api_client_for("js_director").post(f"{API}/agreements/{agreement_id}/approve/")
    assert approved.status_code == 200 and approved.json()["state"] == "active"
    again = api_client_for("js_director").post(f"{API}/agreements/{agreement_id}/approve/")
    assert again.status_code == 409 and again.json()["code"] == "partners.agreement_not_draft"
    # Settlement: club staff compute, finance confirm and pay.
    services.exchange_inbound(partner=world.partners["hotel"], channel=None, actor=province.user("js_club"),
                              card_no=club.card_no("diamond"), amount="200", transaction_id="H-1")
    computed = api_client_for("js_club").post(f"{API}/settlements/", {"partner": world.partners["hotel"].pk,
                                                                      "period": today.isoformat()}, format="json")
    assert computed.status_code == 201 and computed.json()["receivable"] == "0.80"
    statement_id = computed.json()["id"]
    assert api_client_for("js_club").post(f"{API}/settlements/{statement_id}/confirm/").status_code == 403
    confirmed = api_client_for("nj_finance").post(f"{API}/settlements/{statement_id}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == StatementState.CONFIRMED
    bad_pay = api_client_for("nj_finance").post(f"{API}/settlements/{statement_id}/pay/", {}, format="json")
    assert bad_pay.status_code == 400
    paid = api_client_for("nj_finance").post(f"{API}/settlements/{statement_id}/pay/", {"payment_ref": "PZ-9"}, format="json")
    assert paid.status_code == 200 and paid.json()["state"] == "paid"


def test_outlets_activities_coupons_appraisals_over_the_api(world, api_client_for, club, indicators):
    client = api_client_for("js_club")
    air = world.partners["air"].pk
    outlet = client.post(f"{API}/outlets/", {"partner": air, "name": "禄口机场贵宾厅", "city": "南京", "address": "T2航站楼"},
                         format="json")
    assert outlet.status_code == 201, outlet.content
    changed = client.patch(f"{API}/outlets/{outlet.json()['id']}/", {"is_active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    today = timezone.localdate().isoformat()
    activity = client.post(f"{API}/activities/", {"partner": air, "name": "会员双倍积分月", "benefit": "消费积分翻倍",
                                                  "starts_on": today, "ends_on": today}, format="json")
    assert activity.status_code == 201 and activity.json()["phase"]
    batch = client.post(f"{API}/coupon-batches/", {"partner": air, "name": "贵宾厅券", "benefit": "免费使用一次",
                                                   "quantity": 5, "valid_from": today, "valid_to": today}, format="json")
    assert batch.status_code == 201 and batch.json()["quantity"] == 5
    issued = client.post(f"{API}/coupon-batches/{batch.json()['id']}/issue/",
                         {"members": [club.members["diamond"].member_no, club.card_no("emerald")]}, format="json")
    assert issued.status_code == 200 and issued.json()["issued"] == 2
    unknown = client.post(f"{API}/coupon-batches/{batch.json()['id']}/issue/", {"members": ["NOPE"]}, format="json")
    assert unknown.status_code == 400
    coupons = result_rows(client.get(f"{API}/coupons/", {"batch": batch.json()["id"], "state": "issued"}))
    assert len(coupons) == 2
    appraisal = client.post(f"{API}/appraisals/", {"partner": air, "period_kind": "year", "period": today,
                                                   "scores": {"SERVICE": "80", "VOLUME": "50"}}, format="json")
    assert appraisal.status_code == 201 and appraisal.json()["total"] == "86.67" and appraisal.json()["rank"] == 1


def test_exchange_file_upload_and_statistics(world, api_client_for, club):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client_for("js_club")
    content = f"card_no,amount,transaction_id\n{club.card_no('diamond')},500,U-1\nJS1,10,U-2\n".encode()
    response = client.post(f"{API}/exchanges/import/", {"partner": world.partners["air"].pk,
                                                        "file": SimpleUploadedFile("air.csv", content)}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["credited"] == 1 and response.json()["errors"][0]["line"] == 3
    rows = client.get(f"{API}/statistics/").json()
    assert rows == [{**rows[0], "partner__name": "东方航空", "direction": "inbound", "points": 50, "members": 1}]
    assert api_client_for("nj_finance").get(f"{API}/statistics/").json() == []
    assert api_client_for("nj_manager1").get(f"{API}/statistics/").status_code == 403


def test_schema_documents_the_partner_api(api_client_for):
    response = api_client_for("admin").get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/api/v1/club/partners/exchanges/inbound/" in body and "partners_exchange_inbound" in body
