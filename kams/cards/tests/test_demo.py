"""The card demo step: stock in, distribution, moves, a stocktake with a difference, and the
applied cards issued from their city's stock."""

from kams.cards.enums import BlankMoveKind
from kams.cards.models import BlankMove, BlankRange, Stocktake
from kams.club import members
from kams.club.enums import CardState
from kams.club.testing import make_member


def test_demo_builds_the_card_stock_and_issues_applied_cards(province, customers, club):
    from kams.demo import club_cards
    from kams.demo.generator import DemoContext

    user = province.user("js_club")
    applied = [members.card_apply(actor=user, member=make_member(province, customers[key], level=level, name=name, card=False))
               for key, level, name in (("nj_m2", "DIAMOND", "甲"), ("sz", "EMERALD", "乙"), ("zj", "SAPPHIRE", "丙"))]

    created = club_cards.build(DemoContext(size="small"))

    assert created > 0
    kinds = set(BlankMove.objects.values_list("kind", flat=True))
    assert {BlankMoveKind.STOCK_IN, BlankMoveKind.DISTRIBUTE, BlankMoveKind.ISSUE, BlankMoveKind.VOID} <= kinds
    for card in applied:
        card.refresh_from_db()
        assert card.state == CardState.ISSUED and BlankRange.objects.get(card=card).org_unit.kind == "city"
    assert BlankRange.objects.get(card=applied[0]).org_unit == province.units["NJ"]
    nanjing = Stocktake.objects.get(org_unit=province.units["NJ"])
    assert nanjing.difference == -2 and Stocktake.objects.filter(difference=0).count() == 1
    assert {c.code for c in province.units.values() if c.kind == "city"} <= set(
        BlankRange.objects.filter(state="in_stock").values_list("org_unit__code", flat=True))
