"""REST API of member cards and the card stock under /api/v1/club/cards-admin/ (CLUB-07, CLUB-08).

Reads are scoped by the default ``ScopeFilterBackend``; every write goes through a service
(``kams.club.members`` for card moves, ``kams.cards.services`` for the stock and for issuing
from it), which checks permission and scope again, runs the transaction and writes the audit
log. Cards are addressed by id here; the channel API of the club addresses them by number.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.cards import selectors, services
from kams.cards.filters import BlankMoveFilter, CardFilter, RangeFilter, StocktakeFilter
from kams.cards.models import BlankMove, BlankRange, Stocktake
from kams.cards.serializers import (
    BlankCorrectSerializer,
    BlankMoveSerializer,
    BlankRangeSerializer,
    BlankReturnSerializer,
    BlankStatusSerializer,
    BlankStockInSerializer,
    BlankTransferSerializer,
    BlankVoidSerializer,
    CardAdminSerializer,
    CardApplySerializer,
    CardIssueSerializer,
    CardReasonSerializer,
    StockCountSerializer,
    StocktakeSerializer,
    StocktakeWriteSerializer,
)
from kams.club import members
from kams.club.models import Card, ClubMember
from kams.core.errors import InvalidInput
from kams.customers.api import CustomerApiPermissions
from kams.org.models import OrgUnit


def _valid(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _visible_unit(request, unit) -> OrgUnit:
    """A unit named in a request body: out of scope looks like missing (404)."""
    return OrgUnit.objects.get_queryset().get_visible(request.user, pk=unit.pk)


MOVE = ["club.view_card", "club.change_card"]


class CardAdminViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """会员卡: the cards of the members in scope; apply, and every move of the state graph."""

    serializer_class = CardAdminSerializer
    filterset_class = CardFilter
    permission_classes = [CustomerApiPermissions]
    queryset = Card.objects.none()
    action_perms = {"apply": ["club.add_card"], **{name: MOVE for name in members.TRANSITIONS}}

    def get_queryset(self):
        return selectors.cards_for(self.request.user)

    def _done(self, card, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=card.pk)).data, status=code)

    @extend_schema(request=CardApplySerializer, responses={201: CardAdminSerializer})
    @action(detail=False, methods=["post"])
    def apply(self, request):
        """会员卡申请 for an active member without a card (by member id or member number)."""
        data = _valid(CardApplySerializer, request)
        members_in_scope = ClubMember.objects.visible_to(request.user)
        if data.get("member"):
            member = members_in_scope.get_visible(request.user, pk=data["member"].pk)
        else:
            member = members_in_scope.filter(member_no__iexact=data["member_no"].strip()).first()
            if member is None:
                raise InvalidInput(_("member_no: no club member with this number in your scope."))
        return self._done(members.card_apply(actor=request.user, member=member, note=data["note"]), status.HTTP_201_CREATED)

    def _issue(self, request, name):
        card = self.get_object()
        data = _valid(CardIssueSerializer, request)
        unit = _visible_unit(request, data["unit"]) if data.get("unit") else selectors.default_issue_unit(request.user, card)
        if unit is None:
            raise InvalidInput(_("unit: choose the unit whose stock gives the blank."))
        return self._done(services.card_issue_from_stock(actor=request.user, card=card, unit=unit, serial=data["serial"],
                                                         action=name, reason=data["reason"]))

    def _move(self, request, name):
        data = _valid(CardReasonSerializer, request)
        return self._done(members.card_move(actor=request.user, card=self.get_object(), action=name, reason=data["reason"]))

    @extend_schema(request=CardIssueSerializer, responses=CardAdminSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """发卡: a blank of the card's level from the unit's stock (default: your city)."""
        return self._issue(request, "issue")

    @extend_schema(request=CardIssueSerializer, responses=CardAdminSerializer)
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        """补发/换发 (reason required): answers the new card, issued on a blank from stock."""
        return self._issue(request, "replace")

    @extend_schema(request=None, responses=CardAdminSerializer)
    @action(detail=True, methods=["post"])
    def collect(self, request, pk=None):
        """领取."""
        return self._move(request, "collect")

    @extend_schema(request=CardReasonSerializer, responses=CardAdminSerializer)
    @action(detail=True, methods=["post"])
    def report_lost(self, request, pk=None):
        """挂失."""
        return self._move(request, "report_lost")

    @extend_schema(request=CardReasonSerializer, responses=CardAdminSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        """解挂."""
        return self._move(request, "unlock")

    @extend_schema(request=CardReasonSerializer, responses=CardAdminSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """注销 (reason required)."""
        return self._move(request, "cancel")


def _lines(lines, code=status.HTTP_201_CREATED) -> Response:
    return Response(BlankMoveSerializer(lines, many=True).data, status=code)


class BlankRangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """会员卡资源: serial ranges of blanks in scope, and every stock operation."""

    serializer_class = BlankRangeSerializer
    filterset_class = RangeFilter
    permission_classes = [CustomerApiPermissions]
    queryset = BlankRange.objects.none()
    action_perms = {
        "stock_in": ["cards.stock_in_blankrange"],
        "distribute": ["cards.distribute_blankrange"],
        "transfer": ["cards.distribute_blankrange"],
        "return_blanks": ["cards.distribute_blankrange"],
        "void": ["cards.void_blankrange"],
        "correct": ["cards.correct_blankrange"],
        "blank_status": ["cards.view_blankrange"],
        "summary": ["cards.view_blankrange"],
    }

    def get_queryset(self):
        return selectors.ranges_for(self.request.user).order_by("prefix", "width", "first")

    @extend_schema(request=BlankStockInSerializer, responses={201: BlankMoveSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="stock-in")
    def stock_in(self, request):
        """会员卡入库 at the province, by range."""
        data = _valid(BlankStockInSerializer, request)
        if data.get("unit"):
            data["unit"] = _visible_unit(request, data["unit"])
        return _lines(services.blanks_stock_in(actor=request.user, **data))

    def _units(self, request, data, *names):
        for name in names:
            data[name] = _visible_unit(request, data[name])
        return data

    @extend_schema(request=BlankTransferSerializer, responses={201: BlankMoveSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def distribute(self, request):
        """会员卡发放 to a unit below, by range or by count of one level."""
        data = self._units(request, _valid(BlankTransferSerializer, request), "from_unit")
        return _lines(services.blanks_distribute(actor=request.user, **data))

    @extend_schema(request=BlankTransferSerializer, responses={201: BlankMoveSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def transfer(self, request):
        """会员卡调节 between two units in scope."""
        data = self._units(request, _valid(BlankTransferSerializer, request), "from_unit", "to_unit")
        return _lines(services.blanks_transfer(actor=request.user, **data))

    @extend_schema(request=BlankReturnSerializer, responses={201: BlankMoveSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="return")
    def return_blanks(self, request):
        """会员卡退回 to the unit above."""
        data = self._units(request, _valid(BlankReturnSerializer, request), "from_unit")
        return _lines(services.blanks_return(actor=request.user, **data))

    @extend_schema(request=BlankVoidSerializer, responses={201: BlankMoveSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def void(self, request):
        """会员卡作废 (reason required)."""
        data = self._units(request, _valid(BlankVoidSerializer, request), "unit")
        return _lines(services.blanks_void(actor=request.user, **data))

    @extend_schema(request=BlankCorrectSerializer, responses={201: BlankMoveSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def correct(self, request):
        """会员卡状态修改 (reason required)."""
        return _lines(services.blanks_correct(actor=request.user, **_valid(BlankCorrectSerializer, request)))

    @extend_schema(
        parameters=[OpenApiParameter("serial", str, required=True), OpenApiParameter("last", str, required=False)],
        responses=BlankStatusSerializer,
    )
    @action(detail=False, methods=["get"], url_path="status", filter_backends=[], pagination_class=None)
    def blank_status(self, request):
        """会员卡状态查询: where a serial (or the range ``serial``…``last``) is and in what state."""
        serials = services.parse_range(request.query_params.get("serial", ""), request.query_params.get("last", ""))
        segments, unknown = selectors.blank_status(request.user, serials)
        return Response(BlankStatusSerializer({"serials": serials.text, "asked": serials.count, "not_found": unknown,
                                               "ranges": segments}).data)

    @extend_schema(responses=StockCountSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def summary(self, request):
        """Blanks per unit, level and state in scope."""
        return Response(StockCountSerializer(selectors.stock_counts(request.user), many=True).data)


class BlankMoveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """会员卡资源流水 (append-only)."""

    serializer_class = BlankMoveSerializer
    filterset_class = BlankMoveFilter
    permission_classes = [CustomerApiPermissions]
    queryset = BlankMove.objects.none()

    def get_queryset(self):
        return selectors.moves_for(self.request.user)


class StocktakeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """会员卡盘存: counts per unit and level with their differences against the book."""

    serializer_class = StocktakeSerializer
    filterset_class = StocktakeFilter
    permission_classes = [CustomerApiPermissions]
    queryset = Stocktake.objects.none()

    def get_queryset(self):
        return selectors.stocktakes_for(self.request.user).prefetch_related("lines__level")

    @extend_schema(request=StocktakeWriteSerializer, responses={201: StocktakeSerializer})
    def create(self, request):
        data = _valid(StocktakeWriteSerializer, request)
        unit = _visible_unit(request, data["unit"])
        counts = {row["level"]: row["counted"] for row in data["counts"]}
        stocktake = services.stocktake_record(actor=request.user, unit=unit, counts=counts, note=data["note"],
                                              counted_on=data["counted_on"])
        return Response(self.get_serializer(self.get_queryset().get(pk=stocktake.pk)).data, status=status.HTTP_201_CREATED)
