import pytest

from kams.club import members
from kams.club.enums import CardState
from kams.club.errors import CardTransitionRefused
from kams.core.errors import InvalidInput


def test_card_numbers_carry_the_province_code_and_cards_follow_the_state_graph(province, club):
    user = province.user("js_club")
    card = club.cards["diamond"]
    assert card.card_no.startswith("86") and len(card.card_no) == 10
    assert card.state == CardState.COLLECTED
    lost = members.card_move(actor=user, card=card, action="report_lost")
    assert lost.state == CardState.LOST
    with pytest.raises(CardTransitionRefused):
        members.card_move(actor=user, card=lost, action="collect")
    with pytest.raises(InvalidInput):
        members.card_move(actor=user, card=lost, action="replace")
    new = members.card_move(actor=user, card=lost, action="replace", reason="遗失补办")
    assert new.state == CardState.ISSUED and new.replaces_id == card.pk and new.card_no != card.card_no
    card.refresh_from_db()
    assert card.state == CardState.REPLACED
