"""Member cards (CLUB-07): every move of the state graph, refused moves, and issuing from the
card stock (the blank used, linked and taken out of the city's stock)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation

from kams.audit.models import AuditEntry
from kams.cards import services
from kams.cards.enums import BlankMoveKind, BlankState
from kams.cards.errors import BadSerial, BlanksNotHeld, OutOfBlanks
from kams.cards.models import BlankMove, BlankRange
from kams.club import members
from kams.club.enums import CardState
from kams.club.errors import CardTransitionRefused
from kams.club.models import Card
from kams.club.testing import make_member
from kams.core.errors import Conflict, InvalidInput


def held(unit, level) -> int:
    return services.in_stock_by_level(unit).get(level.pk, 0)


@pytest.fixture
def applied(province, customers, stock):
    """A new diamond member of the Nanjing steel group, card applied for."""
    member = make_member(province, customers["nj_m2"], level="DIAMOND", name="陈刚", card=False)
    return members.card_apply(actor=province.user("js_club"), member=member)


def test_issue_from_stock_uses_the_lowest_blank_of_the_citys_stock(province, stock, applied):
    user, nj, diamond = province.user("js_club"), province.units["NJ"], stock.levels["DIAMOND"]

    card = services.card_issue_from_stock(actor=user, card=applied, unit=nj)

    assert card.state == CardState.ISSUED and card.blank_serial == "JS2026000001" and card.valid_until
    blank = BlankRange.objects.get(card=card)
    assert (blank.first_serial, blank.state, blank.org_unit) == ("JS2026000001", BlankState.USED, nj)
    assert held(nj, diamond) == 999
    line = BlankMove.objects.get(kind=BlankMoveKind.ISSUE)
    assert (line.card, line.quantity, line.org_unit, line.first_serial) == (card, -1, nj, "JS2026000001")
    assert AuditEntry.objects.filter(action="cards.blank_use", target_id=str(card.pk)).exists()


def test_every_card_move_and_the_refused_ones(province, stock, applied):
    user, nj = province.user("js_club"), province.units["NJ"]
    with pytest.raises(CardTransitionRefused):
        members.card_move(actor=user, card=applied, action="collect")
    card = services.card_issue_from_stock(actor=user, card=applied, unit=nj, serial="JS2026000500")
    assert card.blank_serial == "JS2026000500"
    # The blank taken from the middle split the range: 1–499 and 501–1000 are still in stock.
    assert held(nj, stock.levels["DIAMOND"]) == 999

    card = members.card_move(actor=user, card=card, action="collect")
    assert card.state == CardState.COLLECTED and card.collected_at
    card = members.card_move(actor=user, card=card, action="report_lost", reason="钱包丢失")
    assert card.state == CardState.LOST
    with translation.override("en"), pytest.raises(CardTransitionRefused) as refused:
        members.card_move(actor=user, card=card, action="collect")
    assert "Reported lost" in refused.value.text
    card = members.card_move(actor=user, card=card, action="unlock")
    assert card.state == CardState.COLLECTED
    card = members.card_move(actor=user, card=card, action="report_lost")

    with pytest.raises(InvalidInput):  # a replacement needs a reason; nothing is taken from stock
        services.card_issue_from_stock(actor=user, card=card, unit=nj, action="replace")
    assert held(nj, stock.levels["DIAMOND"]) == 999
    new = services.card_issue_from_stock(actor=user, card=card, unit=nj, action="replace", reason="遗失补办")

    card.refresh_from_db()
    assert card.state == CardState.REPLACED and new.replaces == card and new.state == CardState.ISSUED
    assert new.blank_serial == "JS2026000001" and BlankRange.objects.get(card=new).state == BlankState.USED
    assert held(nj, stock.levels["DIAMOND"]) == 998
    with pytest.raises(CardTransitionRefused):
        members.card_move(actor=user, card=card, action="cancel", reason="x")
    with pytest.raises(InvalidInput):
        members.card_move(actor=user, card=new, action="cancel")
    new = members.card_move(actor=user, card=new, action="cancel", reason="会员退会")
    assert new.state == CardState.CANCELLED and new.closed_at
    # The blank of a cancelled card stays used: it was printed on.
    assert BlankRange.objects.get(card=new).state == BlankState.USED


def test_no_blank_in_stock_refuses_and_changes_nothing(province, stock, applied):
    user, sz = province.user("js_club"), province.units["SZ"]
    before = (BlankMove.objects.count(), list(BlankRange.objects.values_list("pk", "first", "last", "state")))

    with translation.override("en"), pytest.raises(OutOfBlanks) as refused:
        services.card_issue_from_stock(actor=user, card=applied, unit=sz)

    with translation.override("en"):
        assert "苏州分公司 holds 0" in refused.value.text
    applied.refresh_from_db()
    assert applied.state == CardState.APPLIED and applied.blank_serial == ""
    assert (BlankMove.objects.count(), list(BlankRange.objects.values_list("pk", "first", "last", "state"))) == before


@pytest.mark.parametrize("serial,error", [
    ("JS2026004000", BlanksNotHeld),  # held by the province, not Nanjing
    ("JE2026000001", BlanksNotHeld),  # an emerald blank
    ("JS2026000001x", BadSerial),
])
def test_a_serial_not_in_the_units_stock_of_the_level_is_refused(province, stock, applied, serial, error):
    with pytest.raises(error):
        services.card_issue_from_stock(actor=province.user("js_club"), card=applied, unit=province.units["NJ"], serial=serial)
    applied.refresh_from_db()
    assert applied.state == CardState.APPLIED and not BlankRange.objects.filter(state=BlankState.USED).exists()


def test_a_card_in_the_wrong_state_takes_no_blank(province, stock):
    card = stock.cards["diamond"]  # collected already
    with pytest.raises(CardTransitionRefused):
        services.card_issue_from_stock(actor=province.user("js_club"), card=card, unit=province.units["NJ"])
    assert held(province.units["NJ"], stock.levels["DIAMOND"]) == 1000
    assert not BlankMove.objects.filter(kind=BlankMoveKind.ISSUE).exists()


def test_issue_from_stock_keeps_permission_and_scope(province, stock, applied):
    with pytest.raises(PermissionDenied):
        services.card_issue_from_stock(actor=province.user("nj_manager2"), card=applied, unit=province.units["NJ"])
    with pytest.raises(PermissionDenied):
        services.card_issue_from_stock(actor=province.user("sz_director"), card=applied, unit=province.units["NJ"])
    applied.refresh_from_db()
    assert applied.state == CardState.APPLIED


def test_apply_refuses_a_second_live_card(province, stock):
    with pytest.raises(Conflict):
        members.card_apply(actor=province.user("js_club"), member=stock.members["diamond"])
    assert Card.objects.filter(member=stock.members["diamond"]).count() == 1


def test_account_manager_applies_for_own_members_only(province, customers, stock):
    own = make_member(province, customers["nj_m1"], level="EMERALD", name="王芳", card=False)
    other = make_member(province, customers["nj_m2"], level="EMERALD", name="李强", card=False)
    card = members.card_apply(actor=province.user("nj_manager1"), member=own)
    assert card.state == CardState.APPLIED
    with pytest.raises(Http404):
        members.card_apply(actor=province.user("nj_manager1"), member=other)


def test_batch_issue_gives_each_applied_card_the_next_blank(province, customers, stock, django_assert_max_num_queries):
    user, nj, diamond = province.user("js_club"), province.units["NJ"], stock.levels["DIAMOND"]
    cards = [members.card_apply(actor=user, member=make_member(province, customers["nj_m2"], level="DIAMOND",
                                                               name=f"会员{i}", card=False)) for i in range(12)]

    with django_assert_max_num_queries(30):
        issued = services.cards_issue_batch(actor=user, unit=nj, cards=cards)

    assert issued == 12 and held(nj, diamond) == 988
    serials = sorted(Card.objects.filter(pk__in=[c.pk for c in cards]).values_list("state", "blank_serial"))
    assert serials == [(CardState.ISSUED, f"JS20260000{n:02d}") for n in range(1, 13)]
    assert BlankRange.objects.filter(card__in=cards, state=BlankState.USED).count() == 12
    assert BlankMove.objects.filter(kind=BlankMoveKind.ISSUE, card__in=cards).count() == 12


def test_batch_issue_refuses_cards_not_applied_or_short_stock(province, customers, stock):
    user, sz = province.user("js_club"), province.units["SZ"]
    applied = members.card_apply(actor=user, member=make_member(province, customers["sz"], level="EMERALD", name="钱多", card=False))
    with pytest.raises(Conflict):
        services.cards_issue_batch(actor=user, unit=province.units["NJ"], cards=[applied, stock.cards["emerald"]])
    with pytest.raises(OutOfBlanks):
        services.cards_issue_batch(actor=user, unit=sz, cards=[applied])
    applied.refresh_from_db()
    assert applied.state == CardState.APPLIED and not BlankMove.objects.filter(kind=BlankMoveKind.ISSUE).exists()
