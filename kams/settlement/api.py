"""Settlement API under /api/v1/channels/settlement/ (CH-13 … CH-16): schemes (a new version
per POST, expressions validated), runs (POST starts one), agent bills with their lines
(adjust, pay out). Scoped by ``ScopeFilterBackend``; writes go through the services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.customers.api import CustomerApiPermissions
from kams.settlement import services
from kams.settlement.enums import AdjustmentKind
from kams.settlement.jobs import settlement_run_start
from kams.settlement.models import AgentBill, BusinessScheme, SettlementRun
from kams.settlement.run import parse_period
from kams.settlement.serializers import (
    SettlementAdjustSerializer,
    SettlementAgentBillSerializer,
    SettlementBusinessSchemeSerializer,
    SettlementRunQueuedSerializer,
    SettlementRunSerializer,
    SettlementRunStartSerializer,
    SettlementSchemeWriteSerializer,
)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class SchemeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SettlementBusinessSchemeSerializer
    permission_classes = [CustomerApiPermissions]
    filter_backends: list = []  # configuration, not scoped data
    queryset = BusinessScheme.objects.prefetch_related("versions__units", "versions__agent_types")

    @extend_schema(request=SettlementSchemeWriteSerializer, responses=SettlementBusinessSchemeSerializer)
    def create(self, request):
        data = _valid(SettlementSchemeWriteSerializer, request)
        data["steps"] = [{"from": s["start"], "amount": s["amount"]} for s in data["steps"]]
        version = services.save_scheme(actor=request.user, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=version.scheme_id)).data,
                        status=status.HTTP_201_CREATED)


class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SettlementRunSerializer
    permission_classes = [CustomerApiPermissions]
    queryset = SettlementRun.objects.all()

    @extend_schema(request=SettlementRunStartSerializer, responses={202: SettlementRunQueuedSerializer})
    def create(self, request):
        """Check and queue a run (a background job); follow it at /api/v1/system/jobs/{job}/,
        whose result names the settlement run when it is done. Bad input is refused at once."""
        data = _valid(SettlementRunStartSerializer, request)
        period = parse_period(data.pop("period"))
        job = settlement_run_start(actor=request.user, period=period, **data)
        return Response({"job": job.pk, "period": f"{period:%Y-%m}"}, status=status.HTTP_202_ACCEPTED)


class BillViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SettlementAgentBillSerializer
    permission_classes = [CustomerApiPermissions]
    queryset = AgentBill.objects.select_related("agent").prefetch_related("lines__scheme")
    action_perms = {"adjust": ["settlement.change_agentbill"], "pay": ["settlement.pay_agentbill"]}

    @extend_schema(request=SettlementAdjustSerializer, responses=SettlementAgentBillSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        """Reward or fine before the payout; supplementary payment or recovery after it."""
        bill = self.get_object()
        data = _valid(SettlementAdjustSerializer, request)
        if data["kind"] in (AdjustmentKind.REWARD, AdjustmentKind.FINE):
            services.adjust_bill(actor=request.user, bill=bill, **data)
        else:
            services.supplement_or_recover(actor=request.user, bill=bill, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=bill.pk)).data)

    @extend_schema(request=None, responses=SettlementAgentBillSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        bill = self.get_object()
        services.pay_bill(actor=request.user, bill=bill)
        return Response(self.get_serializer(self.get_queryset().get(pk=bill.pk)).data)
