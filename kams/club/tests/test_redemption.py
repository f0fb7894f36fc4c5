"""Redemption (CLUB-14 … CLUB-16, CLUB-18): the channel API, idempotency, reversal, automatic
redemption, and concurrent redemptions of one card on PostgreSQL."""

import datetime
import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.utils import translation

from kams.club import redemption as redeeming
from kams.club.enums import ChannelKind, PointsKind, RedemptionState
from kams.club.errors import (
    CardNotUsable,
    IdempotencyKeyReused,
    InsufficientPoints,
    ItemNotForLevel,
    UnknownCard,
    UnknownItem,
)
from kams.club.models import PointsAccount, PointsEntry, PointsLot, Redemption
from kams.club.testing import give_points
from kams.core.errors import InvalidInput
from kams.notify.models import Message


def balance(member):
    return PointsAccount.objects.get(pk=member.pk).balance


def assert_reconciles(member):
    entries = PointsEntry.objects.filter(account_id=member.pk).aggregate(s=Sum("points"))["s"] or 0
    lots = PointsLot.objects.filter(account_id=member.pk).aggregate(s=Sum("remaining"))["s"] or 0
    assert balance(member) == entries == lots >= 0


@pytest.fixture
def pos(province, club):
    from kams.club.points import channel_create

    channel, token = channel_create(actor=province.user("js_club"), code="POS-NJ-001", name="南京新街口营业厅 POS",
                                    kind=ChannelKind.POS, org_unit=province.units["NJ"])
    return channel, token


@pytest.fixture
def pos_client(pos):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pos[1]}")
    return client


def test_a_pos_reads_the_card_and_redeems_in_real_time(club, fee10, pos_client):
    member = club.members["diamond"]
    give_points(member, 50_000)
    card_no = club.card_no("diamond")
    summary = pos_client.get(f"/api/v1/club/cards/{card_no}/")
    assert summary.status_code == 200
    assert summary.json()["level"] == "DIAMOND" and summary.json()["points_balance"] == 50_000
    assert summary.json()["name"] == "张*"  # a POS sees the name masked
    body = {"card_no": card_no, "item": "FEE10", "quantity": 2, "channel": "pos", "idempotency_key": "pos-1-0001"}
    first = pos_client.post("/api/v1/club/redemptions/", body, format="json")
    assert first.status_code == 201
    assert first.json()["points"] == 2000 and first.json()["points_balance"] == 48_000
    again = pos_client.post("/api/v1/club/redemptions/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert balance(member) == 48_000
    assert Redemption.objects.count() == 1
    redemption = Redemption.objects.get()
    assert (redemption.channel.code, redemption.location, redemption.cost) == ("POS-NJ-001", "", 19)
    # The member gets the single-redemption statement by SMS.
    assert Message.objects.filter(purpose="club.redemption_statement", recipient="13951000001").count() == 1
    assert_reconciles(member)


def test_not_enough_points_is_409_with_the_balance_and_changes_nothing(club, fee10, pos_client):
    give_points(club.members["diamond"], 1500)
    body = {"card_no": club.card_no("diamond"), "item": "FEE10", "quantity": 2, "channel": "pos",
            "idempotency_key": "k-1"}
    with translation.override("en"):
        response = pos_client.post("/api/v1/club/redemptions/", body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_points"
    assert response.json()["points_balance"] == 1500 and response.json()["points"] == 2000
    assert "1500" in response.json()["message"]
    assert not Redemption.objects.exists()
    assert balance(club.members["diamond"]) == 1500


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"card_no": "8699999999"}, 404, "unknown_card"),
    ({"item": "NOPE"}, 404, "unknown_item"),
    ({"quantity": 0}, 400, "kams.invalid_input"),
    ({"quantity": -3}, 400, "kams.invalid_input"),
    ({"idempotency_key": ""}, 400, "kams.invalid_input"),
    ({"channel": "partner"}, 400, "kams.invalid_input"),
])
def test_bad_redemptions_are_refused_and_deduct_nothing(club, fee10, pos_client, change, status, code):
    give_points(club.members["diamond"], 5000)
    body = {"card_no": club.card_no("diamond"), "item": "FEE10", "quantity": 1, "channel": "pos",
            "idempotency_key": "k-1", **change}
    response = pos_client.post("/api/v1/club/redemptions/", body, format="json")
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert balance(club.members["diamond"]) == 5000
    assert not PointsEntry.objects.filter(kind=PointsKind.SPEND).exists()


def test_a_lost_card_cannot_redeem(province, club, fee10, pos_client):
    from kams.club.members import card_move

    give_points(club.members["diamond"], 5000)
    card_move(actor=province.user("js_club"), card=club.cards["diamond"], action="report_lost")
    body = {"card_no": club.card_no("diamond"), "item": "FEE10", "quantity": 1, "channel": "pos", "idempotency_key": "x"}
    response = pos_client.post("/api/v1/club/redemptions/", body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "card_not_usable"
    assert balance(club.members["diamond"]) == 5000


def test_a_channel_needs_a_valid_token(province, club, fee10, pos):
    from rest_framework.test import APIClient

    from kams.club.points import channel_set_active

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get(f"/api/v1/club/cards/{club.card_no('diamond')}/").status_code == 401
    assert APIClient().get(f"/api/v1/club/cards/{club.card_no('diamond')}/").status_code in (401, 403)
    channel, token = pos
    channel_set_active(actor=province.user("js_club"), channel=channel, active=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(f"/api/v1/club/cards/{club.card_no('diamond')}/").status_code == 401


def test_the_same_key_for_a_different_redemption_is_refused(club, fee10):
    give_points(club.members["diamond"], 5000)
    card = club.card_no("diamond")
    redeeming.redeem(actor=None, card_no=card, item="FEE10", quantity=1, channel_kind=ChannelKind.PORTAL,
                     member=None, idempotency_key="k")
    with pytest.raises(IdempotencyKeyReused):
        redeeming.redeem(actor=None, card_no=card, item="FEE10", quantity=2, channel_kind=ChannelKind.PORTAL,
                         idempotency_key="k")
    assert balance(club.members["diamond"]) == 4000


def test_staff_redeem_within_their_scope_only(club, fee10, api_client_for):
    give_points(club.members["diamond"], 5000)
    body = {"card_no": club.card_no("diamond"), "item": "FEE10", "quantity": 1, "channel": "staff", "idempotency_key": "d-1"}
    assert api_client_for("sz_manager1").post("/api/v1/club/redemptions/", body, format="json").status_code == 404
    assert api_client_for("sz_manager1").get(f"/api/v1/club/cards/{club.card_no('diamond')}/").status_code == 404
    assert api_client_for("norole").post("/api/v1/club/redemptions/", body, format="json").status_code == 403
    done = api_client_for("nj_manager1").post("/api/v1/club/redemptions/", body, format="json")
    assert done.status_code == 201
    assert Redemption.objects.get().operator.username == "nj_manager1"
    listed = api_client_for("nj_manager1").get("/api/v1/club/redemptions/").json()
    assert listed["count"] == 1
    assert api_client_for("sz_manager1").get("/api/v1/club/redemptions/").json()["count"] == 0


def test_levels_may_be_refused_an_item_or_pay_another_price(province, club, fee10):
    from kams.club.points import redemption_rule_save

    admin = province.user("admin")  # headquarters' rules are entered by the administrator (HQ-03)
    redemption_rule_save(actor=admin, item=fee10, level=club.levels["DIAMOND"], points=800)
    redemption_rule_save(actor=admin, item=fee10, level=club.levels["SAPPHIRE"], allowed=False)
    give_points(club.members["diamond"], 5000)
    give_points(club.members["sapphire"], 5000)
    r, _ = redeeming.redeem(actor=None, card_no=club.card_no("diamond"), item="FEE10", quantity=1,
                            channel_kind=ChannelKind.PORTAL, idempotency_key="a")
    assert r.points == 800
    with pytest.raises(ItemNotForLevel):
        redeeming.redeem(actor=None, card_no=club.card_no("sapphire"), item="FEE10", quantity=1,
                         channel_kind=ChannelKind.PORTAL, idempotency_key="b")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # club staff may not change headquarters' rules
        redemption_rule_save(actor=province.user("js_club"), item=fee10, level=club.levels["EMERALD"], points=1)


def test_a_reversal_gives_the_points_back_once(province, club, fee10):
    from kams.club.errors import AlreadyReversed

    member = club.members["diamond"]
    give_points(member, 3000)
    r, _ = redeeming.redeem(actor=None, card_no=club.card_no("diamond"), item="FEE10", quantity=2,
                            channel_kind=ChannelKind.PORTAL, idempotency_key="a")
    assert balance(member) == 1000
    with pytest.raises(InvalidInput):
        redeeming.redemption_reverse(actor=province.user("js_club"), redemption=r, reason=" ")
    redeeming.redemption_reverse(actor=province.user("js_club"), redemption=r, reason="客户投诉未到账")
    assert balance(member) == 3000
    assert Redemption.objects.get().state == RedemptionState.REVERSED
    with pytest.raises(AlreadyReversed):
        redeeming.redemption_reverse(actor=province.user("js_club"), redemption=r, reason="again")
    assert balance(member) == 3000
    assert_reconciles(member)


def test_automatic_monthly_redemption_runs_once_per_period(club, fee10):
    from kams.club.models import ClubMember

    rich, poor = club.members["diamond"], club.members["emerald"]
    give_points(rich, 2500, earned_on=datetime.date.today().replace(year=datetime.date.today().year - 2))
    give_points(rich, 700)
    give_points(poor, 999)
    ClubMember.objects.filter(pk__in=[rich.pk, poor.pk]).update(auto_redeem_item=fee10)
    period = datetime.date(2026, 10, 1)
    assert redeeming.auto_redeem(period=period) == 1
    assert redeeming.auto_redeem(period=period) == 0
    assert balance(rich) == 2200 and balance(poor) == 999
    r = Redemption.objects.get(member=rich)
    assert (r.channel_kind, r.period, r.points, r.state) == (ChannelKind.AUTO, period, 1000, RedemptionState.DONE)
    # Earliest expiry first: the 2,500-point lot gave all 1,000.
    spend = PointsEntry.objects.get(redemption=r, kind=PointsKind.SPEND)
    uses = list(spend.lot_uses.select_related("lot").values_list("lot__points", "points"))
    assert uses == [(2500, 1000)]
    assert_reconciles(rich)
    assert_reconciles(poor)


def test_errors_are_translated(club, fee10):
    give_points(club.members["diamond"], 10)
    with translation.override("zh-hans"), pytest.raises(InsufficientPoints) as caught:
        redeeming.redeem(actor=None, card_no=club.card_no("diamond"), item="FEE10", quantity=1,
                         channel_kind=ChannelKind.PORTAL, idempotency_key="z")
    assert "积分" in caught.value.text
    for error in (UnknownCard(card_no="1"), UnknownItem(item="x"), CardNotUsable(card_no="1", state="x")):
        assert error.status in (404, 409)


# --- Concurrency (PostgreSQL: real concurrent sessions) ------------------------------------------------

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sessions need PostgreSQL")


def _fire(n: int, call) -> list:
    results, barrier = [None] * n, threading.Barrier(n)

    def work(i: int) -> None:
        try:
            barrier.wait()
            results[i] = call(i)
        except Exception as exc:  # noqa: BLE001  (collected and asserted below)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_overspend(club, fee10):
    member = club.members["diamond"]
    give_points(member, 5500)
    card = club.card_no("diamond")
    results = _fire(16, lambda i: redeeming.redeem(actor=None, card_no=card, item="FEE10", quantity=1,
                                                   channel_kind=ChannelKind.PORTAL, idempotency_key=f"c-{i}"))
    done = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, InsufficientPoints)]
    assert len(done) == 5 and len(refused) == 11, results
    assert balance(member) == 500
    assert_reconciles(member)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_deduct_once(club, fee10):
    member = club.members["diamond"]
    give_points(member, 5000)
    card = club.card_no("diamond")
    results = _fire(10, lambda i: redeeming.redeem(actor=None, card_no=card, item="FEE10", quantity=1,
                                                   channel_kind=ChannelKind.PORTAL, idempotency_key="same"))
    assert all(isinstance(r, tuple) for r in results), results
    assert len({r[0].pk for r in results}) == 1
    assert sum(1 for r in results if r[1]) == 1
    assert balance(member) == 4000
    assert_reconciles(member)
