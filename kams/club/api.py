"""REST API of the points ledger and redemption under /api/v1/club/ (CLUB-09 … CLUB-18).

The channel API (POS terminals, partner systems; a token per channel, ``Authorization:
Bearer <token>``) is ``GET cards/{card_no}/`` and ``POST redemptions/``; staff use the same
endpoints with their own login, within their scope. Every write goes through
``kams.club.redemption`` or ``kams.club.points``.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from kams.club import points as services
from kams.club import redemption as redeeming
from kams.club.channel_auth import ChannelAuthentication, ChannelOrStaffPerm, request_channel
from kams.club.enums import ChannelKind
from kams.club.models import (
    Card,
    ClubMember,
    ExpiryRule,
    PointsAccount,
    PointsAdjustment,
    PointsEntry,
    PointsRule,
    PointsRun,
    Redemption,
    RedemptionChannel,
    RedemptionItem,
    RedemptionRule,
)
from kams.club.selectors import member_summary
from kams.club.serializers import (
    AdjustmentDecisionSerializer,
    CardSummarySerializer,
    ExpiryRuleSerializer,
    PointsAdjustmentSerializer,
    PointsEntrySerializer,
    PointsRuleChangeSerializer,
    PointsRuleRetireSerializer,
    PointsRuleSerializer,
    PointsRunSerializer,
    PointsRunStartSerializer,
    RedeemResultSerializer,
    RedeemSerializer,
    RedemptionChannelSerializer,
    RedemptionChannelTokenSerializer,
    RedemptionItemSerializer,
    RedemptionReasonSerializer,
    RedemptionRuleSerializer,
    RedemptionSerializer,
)
from kams.core.errors import InvalidInput
from kams.customers.api import CustomerApiPermissions

CHANNEL_AUTH = [ChannelAuthentication, TokenAuthentication, SessionAuthentication]


def _valid(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class CardSummaryView(APIView):
    """会员认证/积分查询: the member behind a card, with level and points balance. Channel
    systems see the name masked; staff see cards of their scope only."""

    authentication_classes = CHANNEL_AUTH
    permission_classes = [ChannelOrStaffPerm]

    @extend_schema(responses=CardSummarySerializer, operation_id="club_card_summary")
    def get(self, request, card_no: str):
        channel = request_channel(request)
        cards = Card.objects.select_related("member__level")
        if channel is None:
            card = cards.get_visible(request.user, card_no=card_no)
        else:
            card = cards.filter(card_no=card_no).first()
            if card is None:
                from kams.club.errors import UnknownCard

                raise UnknownCard(card_no=card_no)
        return Response(CardSummarySerializer(member_summary(card, masked=channel is not None)).data)


class RedemptionFilter(django_filters.FilterSet):
    member = django_filters.NumberFilter()
    card_no = django_filters.CharFilter(field_name="card__card_no")
    item = django_filters.CharFilter(field_name="item__code")
    channel_kind = django_filters.ChoiceFilter(choices=ChannelKind.choices)
    state = django_filters.CharFilter()
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Redemption
        fields = ["member", "card_no", "item", "channel_kind", "state", "since", "until"]


class RedemptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """积分消费: redeem (channels and staff), list and reverse (staff)."""

    serializer_class = RedemptionSerializer
    filterset_class = RedemptionFilter
    authentication_classes = CHANNEL_AUTH
    permission_classes = [ChannelOrStaffPerm]

    def get_queryset(self):
        if request_channel(self.request) is not None:
            # A channel sees only what it redeemed itself.
            return Redemption.objects.filter(channel=request_channel(self.request)).select_related("member", "card", "item")
        return Redemption.objects.visible_to(self.request.user).select_related("member", "card", "item")

    def filter_queryset(self, queryset):
        for backend in (django_filters.rest_framework.DjangoFilterBackend,):
            queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    @extend_schema(request=RedeemSerializer, responses={201: RedeemResultSerializer, 200: RedeemResultSerializer})
    def create(self, request):
        data = _valid(RedeemSerializer, request)
        channel = request_channel(request)
        kind = data["channel"]
        if channel is not None:
            if kind not in (channel.code, channel.kind):
                raise InvalidInput(_("channel: this token belongs to channel %(code)s (%(kind)s).")
                                   % {"code": channel.code, "kind": channel.kind})
            kind = channel.kind
        elif kind != ChannelKind.STAFF:
            raise InvalidInput(_("channel: staff redeem through the staff channel; systems use their own token."))
        redemption, created = redeeming.redeem(
            actor=None if channel else request.user, card_no=data["card_no"], item=data["item"],
            quantity=data["quantity"], channel_kind=kind, channel=channel, idempotency_key=data["idempotency_key"],
            location=data["location"],
        )
        balance = PointsAccount.objects.filter(pk=redemption.member_id).values_list("balance", flat=True).first()
        body = {"id": redemption.pk, "points": redemption.points, "points_balance": balance,
                "card_no": redemption.card.card_no if redemption.card else "", "item": redemption.item.code,
                "quantity": redemption.quantity, "created_at": redemption.created_at}
        return Response(RedeemResultSerializer(body).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=RedemptionReasonSerializer, responses=RedemptionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CustomerApiPermissions],
            authentication_classes=[TokenAuthentication, SessionAuthentication])
    def reverse(self, request, pk=None):
        """冲正 (staff only)."""
        redemption = Redemption.objects.get_visible(request.user, pk=pk)
        redemption = redeeming.redemption_reverse(actor=request.user, redemption=redemption,
                                                  **_valid(RedemptionReasonSerializer, request))
        return Response(self.get_serializer(redemption).data)

    action_perms = {"reverse": ["club.reverse_redemption"]}


class EntryFilter(django_filters.FilterSet):
    member = django_filters.NumberFilter(field_name="account_id")
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = PointsEntry
        fields = ["member", "kind", "category", "period", "run", "since", "until"]


class PointsEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """积分流水 (read-only: the ledger is append-only)."""

    serializer_class = PointsEntrySerializer
    filterset_class = EntryFilter
    queryset = PointsEntry.objects.select_related("account__member")
    permission_classes = [CustomerApiPermissions]


class AdjustmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """积分调整: request with a reason; another person approves or rejects."""

    serializer_class = PointsAdjustmentSerializer
    queryset = PointsAdjustment.objects.select_related("member")
    filterset_fields = ["member", "state"]
    permission_classes = [CustomerApiPermissions]
    action_perms = {"decide": ["club.approve_pointsadjustment"]}

    @extend_schema(request=PointsAdjustmentSerializer, responses={201: PointsAdjustmentSerializer})
    def create(self, request):
        data = _valid(PointsAdjustmentSerializer, request)
        member = ClubMember.objects.get_visible(request.user, pk=data["member"].pk)
        adjustment = services.adjustment_request(actor=request.user, member=member, points=data["points"],
                                                 reason=data["reason"])
        return Response(self.get_serializer(adjustment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AdjustmentDecisionSerializer, responses=PointsAdjustmentSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        adjustment = services.adjustment_decide(actor=request.user, adjustment=self.get_object(),
                                                **_valid(AdjustmentDecisionSerializer, request))
        return Response(self.get_serializer(adjustment).data)


class PointsRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """积分标准: every version; create a rule, change it (a new version), retire it."""

    serializer_class = PointsRuleSerializer
    queryset = PointsRule.objects.all()
    filterset_fields = ["code", "category", "state", "issuer"]
    permission_classes = [CustomerApiPermissions]
    action_perms = {"change": ["club.change_pointsrule"], "retire": ["club.change_pointsrule"]}

    @extend_schema(request=PointsRuleSerializer, responses={201: PointsRuleSerializer})
    def create(self, request):
        data = _valid(PointsRuleSerializer, request)
        rule = services.rule_create(actor=request.user, **data)
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PointsRuleChangeSerializer, responses={201: PointsRuleSerializer})
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        rule = services.rule_change(actor=request.user, rule=self.get_object(), **_valid(PointsRuleChangeSerializer, request))
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PointsRuleRetireSerializer, responses=PointsRuleSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        rule = services.rule_retire(actor=request.user, rule=self.get_object(), **_valid(PointsRuleRetireSerializer, request))
        return Response(self.get_serializer(rule).data)


class ExpiryRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ExpiryRuleSerializer
    queryset = ExpiryRule.objects.all()
    permission_classes = [CustomerApiPermissions]

    @extend_schema(request=ExpiryRuleSerializer, responses={201: ExpiryRuleSerializer})
    def create(self, request):
        rule = services.expiry_rule_create(actor=request.user, **_valid(ExpiryRuleSerializer, request))
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)


class RedemptionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """积分消费目录."""

    serializer_class = RedemptionItemSerializer
    queryset = RedemptionItem.objects.all()
    filterset_fields = ["kind", "is_active", "code"]
    permission_classes = [CustomerApiPermissions]

    @extend_schema(request=RedemptionItemSerializer, responses={201: RedemptionItemSerializer})
    def create(self, request):
        data = _valid(RedemptionItemSerializer, request)
        item = services.item_save(actor=request.user, **data)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RedemptionItemSerializer, responses=RedemptionItemSerializer)
    def partial_update(self, request, pk=None):
        item = self.get_object()
        data = _valid(RedemptionItemSerializer, request, partial=True)
        data.pop("code", None)
        data.pop("issuer", None)
        item = services.item_save(actor=request.user, item=item, code=item.code, **data)
        return Response(self.get_serializer(item).data)


class RedemptionRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """积分消费规则: items per level."""

    serializer_class = RedemptionRuleSerializer
    queryset = RedemptionRule.objects.select_related("item", "level")
    filterset_fields = ["item", "level"]
    permission_classes = [CustomerApiPermissions]
    action_perms = {"create": ["club.change_redemptionrule"]}

    @extend_schema(request=RedemptionRuleSerializer, responses={201: RedemptionRuleSerializer})
    def create(self, request):
        rule = services.redemption_rule_save(actor=request.user, **_valid(RedemptionRuleSerializer, request))
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)


class PointsRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """积分计算: runs per period; start one (a background job with progress)."""

    serializer_class = PointsRunSerializer
    queryset = PointsRun.objects.all()
    permission_classes = [CustomerApiPermissions]

    @extend_schema(request=PointsRunStartSerializer, responses={202: PointsRunSerializer})
    def create(self, request):
        from kams.club.jobs import points_run_start
        from kams.club.run import parse_period

        period = parse_period(_valid(PointsRunStartSerializer, request)["period"])
        job = points_run_start(actor=request.user, period=period)
        return Response({"job": job.pk, "period": period}, status=status.HTTP_202_ACCEPTED)


class RedemptionChannelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Channel systems of the channel API; the token is shown once, at creation or rotation."""

    serializer_class = RedemptionChannelSerializer
    queryset = RedemptionChannel.objects.select_related("org_unit")
    permission_classes = [CustomerApiPermissions]
    action_perms = {"rotate": ["club.change_redemptionchannel"], "disable": ["club.change_redemptionchannel"],
                    "enable": ["club.change_redemptionchannel"]}

    @extend_schema(request=RedemptionChannelSerializer, responses={201: RedemptionChannelTokenSerializer})
    def create(self, request):
        data = _valid(RedemptionChannelSerializer, request)
        channel, token = services.channel_create(actor=request.user, code=data["code"], name=data["name"],
                                                 kind=data["kind"], org_unit=data["org_unit"])
        body = {**RedemptionChannelSerializer(channel).data, "token": token}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RedemptionChannelTokenSerializer)
    @action(detail=True, methods=["post"])
    def rotate(self, request, pk=None):
        channel, token = services.channel_rotate(actor=request.user, channel=self.get_object())
        return Response({**RedemptionChannelSerializer(channel).data, "token": token})

    @extend_schema(request=None, responses=RedemptionChannelSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        return Response(self.get_serializer(services.channel_set_active(actor=request.user, channel=self.get_object(),
                                                                        active=False)).data)

    @extend_schema(request=None, responses=RedemptionChannelSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        return Response(self.get_serializer(services.channel_set_active(actor=request.user, channel=self.get_object(),
                                                                        active=True)).data)
