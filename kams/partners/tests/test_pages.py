"""The partner pages render for the roles that use them, keep to scope, export to Excel and
reach the services."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kams.partners import services
from kams.partners.enums import AgreementState, StatementState
from kams.partners.models import PartnerAgreement, PartnerExchange, SettlementStatement

PAGES = [
    "/club/partners/", "/club/partners/agreements/", "/club/partners/activities/", "/club/partners/outlets/",
    "/club/partners/services/", "/club/partners/coupons/", "/club/partners/exchanges/", "/club/partners/exchanges/files/",
    "/club/partners/statistics/", "/club/partners/settlements/", "/club/partners/appraisals/",
    "/club/partners/indicators/",
]
FORMS = [
    "/club/partners/new/", "/club/partners/agreements/new/", "/club/partners/activities/new/",
    "/club/partners/outlets/new/", "/club/partners/services/new/", "/club/partners/coupons/new/",
    "/club/partners/coupons/redeem/", "/club/partners/exchanges/new/", "/club/partners/exchanges/import/",
    "/club/partners/settlements/run/", "/club/partners/appraisals/new/", "/club/partners/indicators/new/",
]


@pytest.fixture
def filled(world, club, province, indicators, partner_item):
    """Some of everything: an outlet, an activity, coupons, exchanges, a statement, an appraisal."""
    from kams.club.redemption import redeem
    from kams.club.testing import give_points

    user = province.user("js_club")
    air = world.partners["air"]
    today = timezone.localdate()
    services.outlet_save(actor=user, partner=air, name="禄口机场贵宾厅", city="南京", address="T2航站楼")
    services.activity_save(actor=user, partner=air, name="双倍积分月", benefit="积分翻倍", starts_on=today, ends_on=today)
    batch = services.coupon_batch_create(actor=user, partner=air, name="升舱券", benefit="免费升舱", quantity=3,
                                         valid_from=today, valid_to=today)
    services.coupons_issue(actor=user, batch=batch, members=[club.members["diamond"]])
    services.exchange_inbound(partner=air, channel=world.channel, card_no=club.card_no("diamond"), amount="1000",
                              transaction_id="P-1")
    services.exchange_inbound(partner=world.partners["books"], actor=user, card_no=club.card_no("emerald"), amount="700",
                              transaction_id="P-2")
    give_points(club.members["diamond"], 3000)
    redeem(actor=None, item="AIRMEAL", quantity=1, channel_kind="partner", idempotency_key="PR-1",
           card_no=club.card_no("diamond"), channel=world.channel)
    statement = services.settlement_compute(actor=user, partner=air, period=today)
    appraisal = services.appraisal_save(actor=user, partner=air, period_kind="quarter", period=today,
                                        scores={"SERVICE": 90, "VOLUME": 45})
    return {"batch": batch, "statement": statement, "appraisal": appraisal}


@pytest.mark.parametrize("username", ["js_club", "js_director", "js_finance", "nj_finance"])
def test_pages_render(filled, world, page_client_for, username):
    client = page_client_for(username)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)
    own = "hotel" if username == "nj_finance" else "air"
    agreement = world.agreements[own]
    for url in (f"/club/partners/{world.partners[own].pk}/", f"/club/partners/agreements/{agreement.pk}/"):
        assert client.get(url).status_code == 200, (username, url)
    if username != "nj_finance":
        for url in (f"/club/partners/coupons/{filled['batch'].pk}/", f"/club/partners/settlements/{filled['statement'].pk}/",
                    f"/club/partners/appraisals/{filled['appraisal'].pk}/"):
            assert client.get(url).status_code == 200, (username, url)


def test_forms_render_for_club_staff(filled, page_client_for):
    client = page_client_for("js_club")
    for url in FORMS:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_edit_forms_show_the_history_beside_the_form(world, page_client_for):
    client = page_client_for("js_club")
    edit = client.get(f"/club/partners/{world.partners['air'].pk}/edit/").content.decode()
    assert edit.index('id="submit"') < edit.index('id="form-history"')
    assert "partners.partner_create" in edit.split('id="form-history"', 1)[1]  # the entry of the fixture's save
    new = client.get("/club/partners/new/").content.decode()
    assert 'id="form-history"' not in new and 'id="submit"' in new


def test_pages_keep_to_scope_and_permissions(filled, world, page_client_for):
    nj = page_client_for("nj_finance")
    listing = nj.get("/club/partners/").content.decode()
    assert "金陵饭店" in listing and "苏州书城" not in listing and "东方航空" not in listing
    assert nj.get(f"/club/partners/{world.partners['books'].pk}/").status_code == 404
    assert nj.get(f"/club/partners/settlements/{filled['statement'].pk}/").status_code == 404
    assert nj.get("/club/partners/new/").status_code == 403
    manager = page_client_for("nj_manager1")
    assert manager.get("/club/partners/").status_code == 403
    assert "/club/partners/" not in manager.get("/").content.decode()
    assert "/club/partners/settlements/" in page_client_for("js_finance").get("/").content.decode()
    assert page_client_for("js_finance").get("/club/partners/settlements/run/").status_code == 403


def test_list_and_statistics_export_to_excel(filled, page_client_for):
    client = page_client_for("js_club")
    response = client.get("/club/partners/exchanges/", {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 3 and {r[6] for r in rows[1:]} == {100, 70, 2000}
    response = client.get("/club/partners/statistics/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert sorted(r[3] for r in rows[1:]) == [70, 100, 2000]
    page = client.get("/club/partners/statistics/").content.decode()
    assert "echarts" in page and "exchange-chart" in page


def test_statement_excel_and_confirm_by_finance(filled, page_client_for):
    statement = filled["statement"]
    response = page_client_for("js_club").get(f"/club/partners/settlements/{statement.pk}/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    head = {r[0]: r[1] for r in rows[1:9]}
    assert "东方航空" in head.values()
    values = sorted(str(r[8]) for r in rows[9:])
    assert values == ["1.00", "20.00"]  # 100 points × 0.01 in, 2,000 points × 0.01 out
    club = page_client_for("js_club")
    club.post(f"/club/partners/settlements/{statement.pk}/confirm/")
    assert SettlementStatement.objects.get(pk=statement.pk).state == StatementState.DRAFT
    page_client_for("js_finance").post(f"/club/partners/settlements/{statement.pk}/confirm/")
    assert SettlementStatement.objects.get(pk=statement.pk).state == StatementState.CONFIRMED


def test_agreement_form_and_approval_through_the_pages(world, page_client_for):
    response = page_client_for("js_club").post("/club/partners/agreements/new/", {
        "partner": world.partners["books"].pk, "number": "XY-BOOK-77", "title": "新协议", "valid_from": "2050-01-01",
        "valid_to": "2050-12-31", "outbound_points_per_yuan": "100", "inbound_points_per_yuan": "0.1",
        "settlement_price": "0.01"})
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = PartnerAgreement.objects.get(number="XY-BOOK-77")
    assert agreement.state == AgreementState.DRAFT
    page_client_for("js_director").post(f"/club/partners/agreements/{agreement.pk}/approve/")
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.ACTIVE
    # Bad input: an error on the page, nothing saved.
    bad = page_client_for("js_club").post("/club/partners/agreements/new/", {
        "partner": world.partners["books"].pk, "number": "XY-BOOK-78", "title": "坏", "valid_from": "2051-02-01",
        "valid_to": "2051-01-01", "outbound_points_per_yuan": "100", "inbound_points_per_yuan": "0.1",
        "settlement_price": "0.01"})
    assert bad.status_code == 200 and not PartnerAgreement.objects.filter(number="XY-BOOK-78").exists()


def test_monthly_file_upload_page(world, club, page_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = page_client_for("js_club").get("/club/partners/exchanges/import/").content.decode()
    assert 'enctype="multipart/form-data"' in form
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    content = f"card_no,amount,transaction_id,occurred_at\n{club.card_no('sapphire')},300,M-1,{day}\n".encode()
    response = page_client_for("js_club").post("/club/partners/exchanges/import/", {
        "partner": world.partners["hotel"].pk, "file": SimpleUploadedFile("hotel.csv", content)})
    assert response.status_code == 302
    detail = page_client_for("js_club").get(response["Location"])
    assert detail.status_code == 200 and "hotel.csv" in detail.content.decode()
    assert PartnerExchange.objects.get(external_id="M-1").points == 150
