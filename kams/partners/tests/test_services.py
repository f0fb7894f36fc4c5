"""The partner services: agreements, points exchange both ways, coupons, settlement, appraisal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone, translation

from kams.audit.models import AuditEntry
from kams.club.errors import CardNotUsable, UnknownCard
from kams.club.models import PointsAccount, PointsEntry
from kams.core.errors import InvalidInput
from kams.partners import services
from kams.partners.enums import AgreementState, CouponState, Direction, LineKind, StatementState
from kams.partners.errors import (
    AgreementNotDraft,
    AgreementOverlaps,
    CouponNotUsable,
    CouponsShort,
    NoAgreementInForce,
    NoPointsEarned,
    StatementNotConfirmable,
    TransactionReused,
)
from kams.partners.models import Coupon, PartnerExchange, SettlementLine, SettlementStatement
from kams.partners.tests.conftest import agreement


def balance(member) -> int:
    return PointsAccount.objects.get(pk=member.pk).balance


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


# --- Agreements ---------------------------------------------------------------------------------


def test_agreement_approval_refuses_a_second_agreement_in_force_on_the_same_day(world, province):
    hotel = world.partners["hotel"]
    current = world.agreements["hotel"]
    overlapping = agreement(province, hotel, number="XY-HOTEL-02", valid_from=current.valid_to - datetime.timedelta(days=10),
                            valid_to=current.valid_to + datetime.timedelta(days=300), approve=False)
    with pytest.raises(AgreementOverlaps):
        services.agreement_approve(actor=province.user("js_director"), agreement=overlapping)
    overlapping.refresh_from_db()
    assert overlapping.state == AgreementState.DRAFT
    # After the first one ends, the next one may start the day after.
    services.agreement_end(actor=province.user("js_club"), agreement=current, reason="续签新协议",
                           last_day=timezone.localdate())
    follow = agreement(province, hotel, number="XY-HOTEL-03", valid_from=timezone.localdate() + datetime.timedelta(days=1),
                       valid_to=timezone.localdate() + datetime.timedelta(days=400))
    assert follow.state == AgreementState.ACTIVE
    assert services.agreement_in_force(hotel, timezone.localdate()) == current
    assert services.agreement_in_force(hotel, timezone.localdate() + datetime.timedelta(days=2)) == follow


def test_agreement_is_approved_by_the_province_director_only_and_then_fixed(world, province):
    draft = agreement(province, world.partners["books"], number="XY-BOOK-09", valid_from=datetime.date(2040, 1, 1),
                      valid_to=datetime.date(2040, 12, 31), approve=False)
    with pytest.raises(PermissionDenied):
        services.agreement_approve(actor=province.user("js_club"), agreement=draft)
    services.agreement_approve(actor=province.user("js_director"), agreement=draft)
    with pytest.raises(AgreementNotDraft):
        services.agreement_save(actor=province.user("js_club"), agreement=draft, title="改")
    assert AuditEntry.objects.filter(action="partners.agreement_approve", target_id=str(draft.pk)).exists()


def test_agreement_bad_input_changes_nothing(world, province):
    with pytest.raises(InvalidInput):
        services.agreement_save(actor=province.user("js_club"), partner=world.partners["books"], number="XY-BAD",
                                title="x", valid_from=datetime.date(2030, 5, 1), valid_to=datetime.date(2030, 4, 1),
                                outbound_points_per_yuan=100, inbound_points_per_yuan=Decimal("0.1"),
                                settlement_price=Decimal("0.01"))
    with pytest.raises(InvalidInput):
        services.agreement_save(actor=province.user("js_club"), partner=world.partners["books"], number="XY-BAD",
                                title="x", valid_from=datetime.date(2030, 1, 1), valid_to=datetime.date(2030, 4, 1),
                                outbound_points_per_yuan=100, inbound_points_per_yuan=Decimal("0"),
                                settlement_price=Decimal("0.01"))
    assert not world.partners["books"].agreements.filter(number="XY-BAD").exists()


def test_expired_agreements_are_expired_by_the_daily_job(world, province):
    old = agreement(province, world.partners["books"], number="XY-BOOK-OLD", valid_from=datetime.date(2015, 1, 1),
                    valid_to=datetime.date(2015, 12, 31), approve=False)
    # Approved after its period: it is already expired.
    old = services.agreement_approve(actor=province.user("js_director"), agreement=old)
    assert old.state == AgreementState.EXPIRED
    world.agreements["air"].__class__.objects.filter(pk=world.agreements["air"].pk).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1))
    assert services.agreements_expire_due() == 1
    world.agreements["air"].refresh_from_db()
    assert world.agreements["air"].state == AgreementState.EXPIRED


# --- Inbound exchange ---------------------------------------------------------------------------


def test_inbound_exchange_credits_points_once_per_transaction(world, club):
    member = club.members["diamond"]
    before = balance(member)
    exchange, created = services.exchange_inbound(partner=world.partners["air"], channel=world.channel,
                                                  card_no=club.card_no("diamond"), amount="1234.50", transaction_id="T-0001")
    assert created and exchange.points == 123  # 0.1 point per yuan, rounded down
    assert balance(member) == before + 123 == exchange.balance_after
    entry = PointsEntry.objects.get(reference="partner:EASTAIR:T-0001")
    assert entry.points == 123 and entry.category == "partner"
    again, created = services.exchange_inbound(partner=world.partners["air"], channel=world.channel,
                                               card_no=club.card_no("diamond"), amount=Decimal("1234.50"), transaction_id="T-0001")
    assert not created and again.pk == exchange.pk and again.balance_after == exchange.balance_after
    assert balance(member) == before + 123
    assert PartnerExchange.objects.filter(external_id="T-0001").count() == 1
    with pytest.raises(TransactionReused):
        services.exchange_inbound(partner=world.partners["air"], channel=world.channel, card_no=club.card_no("diamond"),
                                  amount="99", transaction_id="T-0001")


@pytest.mark.parametrize("change, error", [
    ({"card_no": "JS999999999"}, UnknownCard),
    ({"amount": "-5"}, InvalidInput),
    ({"amount": "0"}, InvalidInput),
    ({"amount": "12.345"}, InvalidInput),
    ({"amount": "abc"}, InvalidInput),
    ({"amount": "5"}, NoPointsEarned),
    ({"transaction_id": ""}, InvalidInput),
    ({"transaction_id": "有空格 的"}, InvalidInput),
    ({"occurred_at": "2999-01-01T10:00:00"}, InvalidInput),
])
def test_inbound_bad_input_credits_nothing(world, club, change, error):
    member = club.members["diamond"]
    before, entries = balance(member), PointsEntry.objects.count()
    body = {"card_no": club.card_no("diamond"), "amount": "100", "transaction_id": "T-BAD", **change}
    with pytest.raises(error):
        services.exchange_inbound(partner=world.partners["air"], channel=world.channel, **body)
    assert balance(member) == before and PointsEntry.objects.count() == entries
    assert not PartnerExchange.objects.exists()


def test_inbound_without_agreement_in_force_is_refused_with_a_clear_message(world, club, province):
    books = world.partners["books"]
    books.agreements.update(valid_from=datetime.date(2010, 1, 1), valid_to=datetime.date(2010, 12, 31))
    before = balance(club.members["emerald"])
    with translation.override("en"), pytest.raises(NoAgreementInForce) as caught:
        services.exchange_inbound(partner=books, actor=province.user("js_club"), card_no=club.card_no("emerald"),
                                  amount="500", transaction_id="B-1")
    with translation.override("en"):
        assert "苏州书城 has no agreement in force on" in caught.value.text
    assert balance(club.members["emerald"]) == before


def test_inbound_for_a_lost_card_is_refused(world, club, province):
    from kams.club.members import card_move

    card_move(actor=province.user("js_club"), card=club.cards["sapphire"], action="report_lost", reason="遗失")
    with pytest.raises(CardNotUsable):
        services.exchange_inbound(partner=world.partners["air"], channel=world.channel, card_no=club.card_no("sapphire"),
                                  amount="500", transaction_id="L-1")


def test_staff_record_needs_permission_and_scope(world, club, province):
    with pytest.raises(PermissionDenied):
        services.exchange_inbound(partner=world.partners["hotel"], actor=province.user("nj_manager1"),
                                  card_no=club.card_no("diamond"), amount="100", transaction_id="S-1")
    exchange, created = services.exchange_inbound(partner=world.partners["hotel"], actor=province.user("js_club"),
                                                  card_no=club.card_no("diamond"), amount="100", transaction_id="S-1")
    assert created and exchange.points == 50 and exchange.source == "staff"


def test_monthly_file_reports_bad_lines_and_credits_the_valid_rows_once(world, club, province):
    diamond, emerald = club.members["diamond"], club.members["emerald"]
    day = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    content = (
        "卡号,消费金额,交易流水号,消费时间\n"
        f"{club.card_no('diamond')},1000,F-1,{day} 10:00\n"
        f"{club.card_no('emerald')},250.50,F-2,{day}\n"
        "JS000000000,100,F-3,\n"
        f"{club.card_no('emerald')},-3,F-4,\n"
        f"{club.card_no('emerald')},30,F-2,\n"
        f"{club.card_no('emerald')},5,F-6,\n"
    ).encode()
    before = (balance(diamond), balance(emerald))
    record = services.exchanges_import(actor=province.user("js_club"), partner=world.partners["air"], content=content,
                                       file_name="air-2026-05.csv")
    assert (record.rows, record.credited, record.rejected, record.duplicates) == (6, 2, 4, 0)
    assert [e["line"] for e in record.errors] == [4, 5, 6, 7]
    assert record.points == 100 + 25
    assert (balance(diamond), balance(emerald)) == (before[0] + 100, before[1] + 25)
    # The same file again credits nothing more.
    again = services.exchanges_import(actor=province.user("js_club"), partner=world.partners["air"], content=content,
                                      file_name="air-2026-05.csv")
    assert (again.credited, again.duplicates) == (0, 2)
    assert (balance(diamond), balance(emerald)) == (before[0] + 100, before[1] + 25)
    assert PartnerExchange.objects.filter(import_file=record).count() == 2


def test_monthly_file_in_excel(world, club, province):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["card_no", "amount", "transaction_id", "occurred_at"])
    sheet.append([club.card_no("sapphire"), 880.0, "X-1", timezone.localdate() - datetime.timedelta(days=1)])
    handle = io.BytesIO()
    workbook.save(handle)
    record = services.exchanges_import(actor=province.user("js_club"), partner=world.partners["air"],
                                       content=handle.getvalue(), file_name="air.xlsx")
    assert record.credited == 1 and record.points == 88


def test_monthly_file_without_the_columns_is_refused(world, province):
    with pytest.raises(InvalidInput):
        services.exchanges_import(actor=province.user("js_club"), partner=world.partners["air"],
                                  content=b"a,b\n1,2\n", file_name="x.csv")
    assert not world.partners["air"].imports.exists()


# --- Outbound and settlement -----------------------------------------------------------------------


def redeem_at_partner(world, club, key, member="diamond"):
    from kams.club.redemption import redeem

    return redeem(actor=None, item="AIRMEAL", quantity=1, channel_kind="partner", idempotency_key=key,
                  card_no=club.card_no(member), channel=world.channel)[0]


def test_settlement_figures_on_known_data(world, club, province, partner_item):
    from kams.club.testing import give_points

    air = world.partners["air"]
    month = timezone.localdate().replace(day=1)
    day = timezone.localdate()
    for key, card, amount in (("A1", "diamond", "1000"), ("A2", "emerald", "2000"), ("A3", "diamond", "505")):
        services.exchange_inbound(partner=air, channel=world.channel, card_no=club.card_no(card), amount=amount,
                                  transaction_id=key, occurred_at=min(at(day, 9), timezone.now() - datetime.timedelta(seconds=1)))
    give_points(club.members["diamond"], 10_000)
    redeem_at_partner(world, club, "R1")
    redeem_at_partner(world, club, "R2")
    statement = services.settlement_compute(actor=province.user("js_club"), partner=air, period=month)
    # Inbound: 100 + 200 + 50 points at 0.01 yuan = 3.50 receivable; outbound: 2 × 2,000 points = 40.00 payable.
    assert (statement.inbound_points, statement.outbound_points) == (350, 4000)
    assert (statement.receivable, statement.payable, statement.net) == (Decimal("3.50"), Decimal("40.00"), Decimal("-36.50"))
    lines = {line.direction: line for line in statement.lines.all()}
    assert lines[Direction.INBOUND].members == 2 and lines[Direction.INBOUND].amount == Decimal("3505.00")
    assert lines[Direction.OUTBOUND].exchanges == 2 and lines[Direction.OUTBOUND].amount == Decimal("40.00")
    assert PartnerExchange.objects.filter(direction=Direction.OUTBOUND, partner=air).count() == 2
    # Recomputing a draft rewrites it; nothing doubles.
    again = services.settlement_compute(actor=province.user("js_club"), partner=air, period=month)
    assert again.pk == statement.pk and again.net == Decimal("-36.50") and again.lines.count() == 2


def test_confirmed_statement_is_fixed_and_recomputing_adds_adjustment_lines(world, club, province, partner_item):
    from kams.club.redemption import redemption_reverse
    from kams.club.testing import give_points

    air = world.partners["air"]
    month = timezone.localdate().replace(day=1)
    services.exchange_inbound(partner=air, channel=world.channel, card_no=club.card_no("diamond"), amount="1000",
                              transaction_id="C1")
    give_points(club.members["diamond"], 5000)
    redemption = redeem_at_partner(world, club, "CR1")
    statement = services.settlement_compute(actor=province.user("js_club"), partner=air, period=month)
    with pytest.raises(PermissionDenied):
        services.settlement_confirm(actor=province.user("js_club"), statement=statement)
    statement = services.settlement_confirm(actor=province.user("js_finance"), statement=statement)
    assert statement.state == StatementState.CONFIRMED
    fixed = list(SettlementLine.objects.filter(statement=statement).values_list("pk", "points", "value"))
    # A late report and a reversed redemption after confirmation.
    services.exchange_inbound(partner=air, channel=world.channel, card_no=club.card_no("emerald"), amount="3000",
                              transaction_id="C2")
    redemption_reverse(actor=province.user("js_club"), redemption=redemption, reason="客户退票")
    statement = services.settlement_compute(actor=province.user("js_club"), partner=air, period=month)
    statement.refresh_from_db()
    assert statement.state == StatementState.CONFIRMED
    assert (statement.inbound_points, statement.receivable, statement.payable) == (100, Decimal("1.00"), Decimal("20.00"))
    assert list(SettlementLine.objects.filter(statement=statement, kind=LineKind.COMPUTED)
                .values_list("pk", "points", "value")) == fixed
    adjustments = {a.direction: a for a in statement.lines.filter(kind=LineKind.ADJUSTMENT)}
    assert adjustments[Direction.INBOUND].points == 300 and adjustments[Direction.INBOUND].value == Decimal("3.00")
    assert adjustments[Direction.OUTBOUND].points == -2000 and adjustments[Direction.OUTBOUND].value == Decimal("-20.00")
    # Recomputing again with nothing new adds nothing.
    services.settlement_compute(actor=province.user("js_club"), partner=air, period=month)
    assert statement.lines.filter(kind=LineKind.ADJUSTMENT).count() == 2
    with pytest.raises(StatementNotConfirmable):
        services.settlement_confirm(actor=province.user("js_finance"), statement=statement)
    paid = services.settlement_pay(actor=province.user("js_finance"), statement=statement, payment_ref="PZ-2026-001")
    assert paid.state == StatementState.PAID


def test_settlement_run_settles_every_partner_with_an_agreement(world, province):
    statements = services.settlement_run(actor=province.user("js_club"), period=last_month())
    assert {s.partner.code for s in statements} == {"EASTAIR", "JINLING", "SZBOOK"}
    assert all(s.net == 0 for s in statements)
    with pytest.raises(InvalidInput):
        services.settlement_compute(actor=province.user("js_club"), partner=world.partners["air"],
                                    period=timezone.localdate().replace(day=1) + datetime.timedelta(days=40))
    assert SettlementStatement.objects.count() == 3


def test_outbound_collect_records_each_redemption_once(world, club, partner_item):
    from kams.club.testing import give_points

    give_points(club.members["diamond"], 5000)
    redeem_at_partner(world, club, "O1")
    assert services.outbound_collect() == 1
    assert services.outbound_collect() == 0
    exchange = PartnerExchange.objects.get(direction=Direction.OUTBOUND)
    assert (exchange.points, exchange.amount, exchange.agreement) == (2000, Decimal("20.00"), world.agreements["air"])


# --- Coupons ------------------------------------------------------------------------------------


def test_coupons_generated_issued_and_redeemed_once(world, club, province):
    hotel = world.partners["hotel"]
    today = timezone.localdate()
    batch = services.coupon_batch_create(actor=province.user("js_club"), partner=hotel, name="住一晚减50", benefit="减50元",
                                         quantity=3, valid_from=today, valid_to=today + datetime.timedelta(days=30),
                                         face_value=Decimal("50"))
    codes = list(batch.coupons.values_list("code", flat=True))
    assert len(set(codes)) == 3 and all(c.startswith("JINL") for c in codes)
    issued = services.coupons_issue(actor=province.user("js_club"), batch=batch,
                                    members=[club.members["diamond"], club.members["emerald"]])
    assert {c.member_id for c in issued} == {club.members["diamond"].pk, club.members["emerald"].pk}
    with pytest.raises(CouponsShort):
        services.coupons_issue(actor=province.user("js_club"), batch=batch,
                               members=[club.members["sapphire"], club.members["diamond"]])
    assert batch.coupons.filter(state=CouponState.ISSUED).count() == 2
    code = issued[0].code
    coupon = services.coupon_redeem(partner=hotel, code=code.lower(), actor=province.user("js_club"))
    assert coupon.state == CouponState.REDEEMED
    with pytest.raises(CouponNotUsable):
        services.coupon_redeem(partner=hotel, code=code, actor=province.user("js_club"))
    # Not issued yet: cannot be redeemed; another partner's code is unknown to this one.
    spare = batch.coupons.get(state=CouponState.AVAILABLE)
    with pytest.raises(CouponNotUsable):
        services.coupon_redeem(partner=hotel, code=spare.code, actor=province.user("js_club"))
    from kams.partners.errors import UnknownCoupon

    with pytest.raises(UnknownCoupon):
        services.coupon_redeem(partner=world.partners["books"], code=issued[1].code, actor=province.user("js_club"))
    assert Coupon.objects.filter(state=CouponState.REDEEMED).count() == 1


def test_coupon_batch_bad_input_makes_nothing(world, province):
    today = timezone.localdate()
    for quantity in (0, 100_001):
        with pytest.raises(InvalidInput):
            services.coupon_batch_create(actor=province.user("js_club"), partner=world.partners["hotel"], name="x",
                                         benefit="y", quantity=quantity, valid_from=today, valid_to=today)
    with pytest.raises(InvalidInput):
        services.coupon_batch_create(actor=province.user("js_club"), partner=world.partners["hotel"], name="x",
                                     benefit="y", quantity=5, valid_from=today, valid_to=today - datetime.timedelta(days=1))
    assert not Coupon.objects.exists()


# --- Scope and appraisal -----------------------------------------------------------------------------


def test_finance_of_a_city_confirms_only_its_city_partners(world, province):
    club_user = province.user("js_club")
    books = services.settlement_compute(actor=club_user, partner=world.partners["books"], period=last_month())
    hotel = services.settlement_compute(actor=club_user, partner=world.partners["hotel"], period=last_month())
    with pytest.raises(Http404):
        services.settlement_confirm(actor=province.user("nj_finance"), statement=books)
    books.refresh_from_db()
    assert books.state == StatementState.DRAFT
    assert services.settlement_confirm(actor=province.user("nj_finance"), statement=hotel).state == StatementState.CONFIRMED


def test_partner_unit_must_be_a_city_or_the_province(world, province):
    with pytest.raises(InvalidInput):
        services.partner_save(actor=province.user("js_club"), code="X1", name="区县伙伴", industry="other",
                              org_unit=province.units["NJ-D01"])
    with pytest.raises(InvalidInput):
        services.partner_save(actor=province.user("js_club"), partner=world.partners["hotel"], code="OTHER")
    assert not world.partners["hotel"].__class__.objects.filter(code__in=["X1", "OTHER"]).exists()


def test_appraisal_total_and_ranking(world, province, indicators):
    day = timezone.localdate()
    club_user = province.user("js_club")
    air = services.appraisal_save(actor=club_user, partner=world.partners["air"], period_kind="quarter", period=day,
                                  scores={"SERVICE": 90, "VOLUME": 40})
    # (2 × 90% + 1 × 80%) / 3 = 86.67
    assert air.total == Decimal("86.67") and air.rank == 1
    hotel = services.appraisal_save(actor=club_user, partner=world.partners["hotel"], period_kind="quarter", period=day,
                                    scores={"SERVICE": 95, "VOLUME": 50})
    books = services.appraisal_save(actor=club_user, partner=world.partners["books"], period_kind="quarter", period=day,
                                    scores={"SERVICE": 90, "VOLUME": 40})
    air.refresh_from_db()
    assert (hotel.rank, air.rank, books.rank) == (1, 2, 2)
    with pytest.raises(InvalidInput):
        services.appraisal_save(actor=club_user, partner=world.partners["air"], period_kind="quarter", period=day,
                                scores={"SERVICE": 120, "VOLUME": 10})
    air.refresh_from_db()
    assert air.total == Decimal("86.67")
