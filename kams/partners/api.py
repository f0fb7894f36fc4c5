"""REST API of the club's partners under /api/v1/club/partners/ (CLUB-19).

Staff endpoints are scoped by the default ``ScopeFilterBackend`` and guarded by model
permissions; every write goes through ``kams.partners.services``. Partner systems call two
endpoints with their channel token (``Authorization: Bearer <token>``, the club's
``ChannelAuthentication``): ``POST exchanges/inbound/`` (a member's spend at the partner
becomes our points; idempotent by the partner's transaction id: 201 the first time, 200
with the first result after) and ``POST coupons/redeem/``.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kams.club.channel_auth import ChannelAuthentication, request_channel
from kams.club.enums import ChannelKind
from kams.core.errors import InvalidInput
from kams.customers.api import CustomerApiPermissions
from kams.partners import selectors, services
from kams.partners.errors import NotAPartnerChannel
from kams.partners.filters import (
    ActivityFilter,
    AgreementFilter,
    AppraisalFilter,
    BatchFilter,
    CouponFilter,
    ExchangeFilter,
    ImportFilter,
    OutletFilter,
    PartnerFilter,
    ServiceFilter,
    StatementFilter,
)
from kams.partners.models import AppraisalIndicator, Coupon, Partner
from kams.partners.serializers import (
    ActivitySerializer,
    ActivityWriteSerializer,
    AgreementEndSerializer,
    AgreementSerializer,
    AgreementWriteSerializer,
    AppraisalSerializer,
    AppraisalWriteSerializer,
    CouponBatchSerializer,
    CouponBatchWriteSerializer,
    CouponIssueResultSerializer,
    CouponIssueSerializer,
    CouponRedeemSerializer,
    CouponSerializer,
    ExchangeImportSerializer,
    ExchangeImportWriteSerializer,
    ExchangeSerializer,
    InboundResultSerializer,
    InboundSerializer,
    IndicatorSerializer,
    OutletSerializer,
    OutletWriteSerializer,
    PartnerReasonSerializer,
    PartnerSerializer,
    PartnerServiceSerializer,
    PartnerServiceWriteSerializer,
    PartnerWriteSerializer,
    SettlementComputeSerializer,
    SettlementPaySerializer,
    SettlementSerializer,
    StaffInboundSerializer,
    StatisticsRowSerializer,
)


def _valid(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class _Viewset(viewsets.GenericViewSet):
    permission_classes = [CustomerApiPermissions]

    def _fresh(self, obj, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=code)


class _Editable(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Viewset):
    """List, read, create and change a record of one partner through ``save(actor, obj|partner, **fields)``."""

    write_serializer: type
    save = staticmethod(lambda **kw: None)
    obj_name = ""

    def create(self, request):
        data = _valid(self.write_serializer, request)
        partner = data.pop("partner", None)
        if partner is None:
            raise InvalidInput(_("partner: choose the partner."))
        obj = type(self).save(actor=request.user, partner=partner, **data)
        return self._fresh(obj, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        data = _valid(self.write_serializer, request, partial=True)
        data.pop("partner", None)
        obj = type(self).save(actor=request.user, **{self.obj_name: self.get_object()}, **data)
        return self._fresh(obj)


class PartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Viewset):
    """合作伙伴基本资料."""

    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter

    def get_queryset(self):
        return selectors.partners_for(self.request.user)

    @extend_schema(request=PartnerWriteSerializer, responses={201: PartnerSerializer})
    def create(self, request):
        return self._fresh(services.partner_save(actor=request.user, **_valid(PartnerWriteSerializer, request)),
                           status.HTTP_201_CREATED)

    @extend_schema(request=PartnerWriteSerializer, responses=PartnerSerializer)
    def partial_update(self, request, pk=None):
        data = _valid(PartnerWriteSerializer, request, partial=True)
        return self._fresh(services.partner_save(actor=request.user, partner=self.get_object(), **data))


class AgreementViewSet(_Editable):
    """合同/协议: drafts are entered and changed, approved by the province director, ended."""

    serializer_class = AgreementSerializer
    write_serializer = AgreementWriteSerializer
    filterset_class = AgreementFilter
    save = staticmethod(services.agreement_save)
    obj_name = "agreement"
    action_perms = {
        "approve": ["partners.view_partneragreement", "partners.approve_partneragreement"],
        "end": ["partners.view_partneragreement", "partners.change_partneragreement"],
    }

    def get_queryset(self):
        return selectors.agreements_for(self.request.user)

    @extend_schema(request=AgreementWriteSerializer, responses={201: AgreementSerializer})
    def create(self, request):
        return super().create(request)

    @extend_schema(request=AgreementWriteSerializer, responses=AgreementSerializer)
    def partial_update(self, request, pk=None):
        return super().partial_update(request, pk)

    @extend_schema(request=None, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._fresh(services.agreement_approve(actor=request.user, agreement=self.get_object()))

    @extend_schema(request=AgreementEndSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self._fresh(services.agreement_end(actor=request.user, agreement=self.get_object(),
                                                  **_valid(AgreementEndSerializer, request)))


class ActivityViewSet(_Editable):
    """合作伙伴活动."""

    serializer_class = ActivitySerializer
    write_serializer = ActivityWriteSerializer
    filterset_class = ActivityFilter
    save = staticmethod(services.activity_save)
    obj_name = "activity"

    def get_queryset(self):
        return selectors.activities_for(self.request.user)

    @extend_schema(request=ActivityWriteSerializer, responses={201: ActivitySerializer})
    def create(self, request):
        return super().create(request)

    @extend_schema(request=ActivityWriteSerializer, responses=ActivitySerializer)
    def partial_update(self, request, pk=None):
        return super().partial_update(request, pk)


class OutletViewSet(_Editable):
    """合作伙伴网点."""

    serializer_class = OutletSerializer
    write_serializer = OutletWriteSerializer
    filterset_class = OutletFilter
    save = staticmethod(services.outlet_save)
    obj_name = "outlet"

    def get_queryset(self):
        return selectors.outlets_for(self.request.user)

    @extend_schema(request=OutletWriteSerializer, responses={201: OutletSerializer})
    def create(self, request):
        return super().create(request)

    @extend_schema(request=OutletWriteSerializer, responses=OutletSerializer)
    def partial_update(self, request, pk=None):
        return super().partial_update(request, pk)


class PartnerServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Viewset):
    """The catalogue items through which our points are spent at a partner."""

    serializer_class = PartnerServiceSerializer
    filterset_class = ServiceFilter

    def get_queryset(self):
        return selectors.services_for(self.request.user)

    @extend_schema(request=PartnerServiceWriteSerializer, responses={201: PartnerServiceSerializer})
    def create(self, request):
        return self._fresh(services.partner_service_link(actor=request.user, **_valid(PartnerServiceWriteSerializer, request)),
                           status.HTTP_201_CREATED)


class CouponBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Viewset):
    """优惠券批次: generate codes, issue them to members."""

    serializer_class = CouponBatchSerializer
    filterset_class = BatchFilter
    action_perms = {"issue": ["partners.view_couponbatch", "partners.change_coupon"]}

    def get_queryset(self):
        return selectors.batches_for(self.request.user)

    @extend_schema(request=CouponBatchWriteSerializer, responses={201: CouponBatchSerializer})
    def create(self, request):
        return self._fresh(services.coupon_batch_create(actor=request.user, **_valid(CouponBatchWriteSerializer, request)),
                           status.HTTP_201_CREATED)

    @extend_schema(request=CouponIssueSerializer, responses=CouponIssueResultSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        numbers = _valid(CouponIssueSerializer, request)["members"]
        members, missing = selectors.members_by_numbers(request.user, numbers)
        if missing:
            raise InvalidInput(_("members: no active member or card %(numbers)s in your scope.") % {"numbers": ", ".join(missing[:10])})
        coupons = services.coupons_issue(actor=request.user, batch=self.get_object(), members=members)
        numbers_by_id = {m.pk: m.member_no for m in members}
        return Response({"issued": len(coupons), "codes": {numbers_by_id[c.member_id]: c.code for c in coupons}})


class CouponViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Viewset):
    """优惠券: find a coupon, void it."""

    serializer_class = CouponSerializer
    filterset_class = CouponFilter
    action_perms = {"void": ["partners.view_coupon", "partners.change_coupon"]}

    def get_queryset(self):
        return selectors.coupons_for(self.request.user)

    @extend_schema(request=PartnerReasonSerializer, responses=CouponSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        return self._fresh(services.coupon_void(actor=request.user, coupon=self.get_object(),
                                                **_valid(PartnerReasonSerializer, request)))


class IsPartnerChannel(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        channel = request_channel(request)
        return channel is not None and channel.kind == ChannelKind.PARTNER


def _channel_partner(request) -> Partner:
    partner = Partner.objects.select_related("org_unit").filter(channel=request_channel(request)).first()
    if partner is None:
        raise NotAPartnerChannel()
    return partner


class CouponRedeemView(APIView):
    """核销: a partner system (channel token) or staff with ``redeem_coupon`` takes a coupon, once."""

    authentication_classes = [ChannelAuthentication, TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=CouponRedeemSerializer, responses=CouponSerializer, operation_id="partners_coupon_redeem")
    def post(self, request):
        data = _valid(CouponRedeemSerializer, request)
        channel = request_channel(request)
        if channel is not None:
            if channel.kind != ChannelKind.PARTNER:
                raise NotAPartnerChannel()
            partner = _channel_partner(request)
            coupon = services.coupon_redeem(partner=partner, code=data["code"], channel=channel, outlet=data.get("outlet"))
        else:
            partner = data.get("partner")
            if partner is None:
                raise InvalidInput(_("partner: choose the partner."))
            coupon = services.coupon_redeem(partner=partner, code=data["code"], actor=request.user, outlet=data.get("outlet"))
        return Response(CouponSerializer(Coupon.objects.select_related("member", "batch").get(pk=coupon.pk)).data)


def _inbound_body(exchange) -> dict:
    return {"transaction_id": exchange.external_id, "points": exchange.points, "points_balance": exchange.balance_after,
            "agreement": exchange.agreement.number if exchange.agreement else "", "exchange": exchange.pk}


class InboundExchangeView(APIView):
    """合作伙伴处的消费积分换取联通积分: the partner system reports a member's spend. 201 with
    the points credited and the balance after; the same transaction id again: 200 with the
    first result, nothing credited."""

    authentication_classes = [ChannelAuthentication]
    permission_classes = [IsPartnerChannel]

    @extend_schema(request=InboundSerializer, responses={201: InboundResultSerializer, 200: InboundResultSerializer},
                   operation_id="partners_exchange_inbound")
    def post(self, request):
        data = _valid(InboundSerializer, request)
        partner = _channel_partner(request)
        exchange, created = services.exchange_inbound(partner=partner, channel=request_channel(request), **data)
        return Response(_inbound_body(exchange), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ExchangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Viewset):
    """积分互换记录 in both directions; staff record a single inbound spend or load a monthly file."""

    serializer_class = ExchangeSerializer
    filterset_class = ExchangeFilter
    action_perms = {"upload": ["partners.view_partnerexchange", "partners.add_exchangeimport"]}

    def get_queryset(self):
        return selectors.exchanges_for(self.request.user)

    @extend_schema(request=StaffInboundSerializer, responses={201: InboundResultSerializer, 200: InboundResultSerializer})
    def create(self, request):
        data = _valid(StaffInboundSerializer, request)
        exchange, created = services.exchange_inbound(actor=request.user, **data)
        return Response(_inbound_body(exchange), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request={"multipart/form-data": ExchangeImportWriteSerializer}, responses={201: ExchangeImportSerializer})
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser], url_path="import")
    def upload(self, request):
        data = _valid(ExchangeImportWriteSerializer, request)
        upload = data["file"]
        record = services.exchanges_import(actor=request.user, partner=data["partner"], content=upload.read(),
                                           file_name=upload.name)
        return Response(ExchangeImportSerializer(record).data, status=status.HTTP_201_CREATED)


class ExchangeImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Viewset):
    """Monthly files loaded, with their errors per line."""

    serializer_class = ExchangeImportSerializer
    filterset_class = ImportFilter

    def get_queryset(self):
        return selectors.imports_for(self.request.user)


class SettlementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Viewset):
    """合作伙伴结算: compute (create, or recompute: adjustment lines once confirmed), confirm, pay."""

    serializer_class = SettlementSerializer
    filterset_class = StatementFilter
    action_perms = {
        "confirm": ["partners.view_settlementstatement", "partners.confirm_settlementstatement"],
        "pay": ["partners.view_settlementstatement", "partners.pay_settlementstatement"],
    }

    def get_queryset(self):
        return selectors.statements_for(self.request.user).prefetch_related("lines__agreement")

    @extend_schema(request=SettlementComputeSerializer, responses={201: SettlementSerializer})
    def create(self, request):
        statement = services.settlement_compute(actor=request.user, **_valid(SettlementComputeSerializer, request))
        return self._fresh(statement, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SettlementSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._fresh(services.settlement_confirm(actor=request.user, statement=self.get_object()))

    @extend_schema(request=SettlementPaySerializer, responses=SettlementSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self._fresh(services.settlement_pay(actor=request.user, statement=self.get_object(),
                                                   **_valid(SettlementPaySerializer, request)))


class IndicatorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Viewset):
    """考核指标."""

    serializer_class = IndicatorSerializer
    queryset = AppraisalIndicator.objects.all()

    @extend_schema(request=IndicatorSerializer, responses={201: IndicatorSerializer})
    def create(self, request):
        return self._fresh(services.indicator_save(actor=request.user, **_valid(IndicatorSerializer, request)),
                           status.HTTP_201_CREATED)

    @extend_schema(request=IndicatorSerializer, responses=IndicatorSerializer)
    def partial_update(self, request, pk=None):
        data = _valid(IndicatorSerializer, request, partial=True)
        return self._fresh(services.indicator_save(actor=request.user, indicator=self.get_object(), **data))


class AppraisalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Viewset):
    """俱乐部合作伙伴考核: scores per indicator, total and rank."""

    serializer_class = AppraisalSerializer
    filterset_class = AppraisalFilter

    def get_queryset(self):
        return selectors.appraisals_for(self.request.user).prefetch_related("scores__indicator")

    @extend_schema(request=AppraisalWriteSerializer, responses={201: AppraisalSerializer})
    def create(self, request):
        return self._fresh(services.appraisal_save(actor=request.user, **_valid(AppraisalWriteSerializer, request)),
                           status.HTTP_201_CREATED)


class StatisticsView(APIView):
    """外部合作伙伴积分消费与积分互换统计 (13.9): by month, partner and direction."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("since", OpenApiTypes.DATE), OpenApiParameter("until", OpenApiTypes.DATE),
                    OpenApiParameter("partner", OpenApiTypes.INT), OpenApiParameter("direction", OpenApiTypes.STR)],
        responses=StatisticsRowSerializer(many=True), operation_id="partners_exchange_statistics",
    )
    def get(self, request):
        if not request.user.has_perm("partners.view_partnerexchange"):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied()
        since, until = (parse_date(request.query_params.get(k, "") or "") for k in ("since", "until"))
        partner = None
        if (request.query_params.get("partner") or "").isdigit():
            partner = get_object_or_404(Partner.objects.visible_to(request.user), pk=request.query_params["partner"])
        stats = selectors.exchange_statistics(request.user, since=since, until=until, partner=partner,
                                              direction=request.query_params.get("direction", ""))
        return Response(StatisticsRowSerializer(stats["rows"], many=True).data)

