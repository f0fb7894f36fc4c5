"""REST API of resources under /api/v1/resources/ (RES-02, CH-07).

Reads are scoped by the default ``ScopeFilterBackend``; every write goes through a service,
which checks permission and scope again, runs the transaction and writes the audit log.
Agents and units named in a request body outside the caller's scope answer 404.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.channels.models import Agent
from kams.core.errors import InvalidInput
from kams.customers.api import CustomerApiPermissions
from kams.org.models import OrgUnit
from kams.resources import selectors, services
from kams.resources.filters import ItemFilter, MovementFilter, PickupOrderFilter
from kams.resources.models import AgentTransfer, FeeAdjustment, Movement, PickupOrder, ResourceItem
from kams.resources.serializers import (
    AgentTransferCreateSerializer,
    AgentTransferSerializer,
    FeeAdjustmentCreateSerializer,
    FeeAdjustmentSerializer,
    ItemSerializer,
    MovementSerializer,
    PickupCancelSerializer,
    PickupCreateSerializer,
    PickupLineSerializer,
    PickupOrderSerializer,
    ResourceStockInSerializer,
    ResourceStockMoveSerializer,
    ResourceStockResultSerializer,
    ReturnResultSerializer,
    ReturnSerializer,
)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _unit(request, unit) -> OrgUnit:
    return OrgUnit.objects.get_queryset().get_visible(request.user, pk=unit.pk)


def _agent(request, agent) -> Agent:
    return Agent.objects.get_visible(request.user, pk=agent.pk)


def _selection(data) -> services.Selection:
    return services.selection(data["kind"], data.get("first", ""), data.get("last", ""), data.get("serials") or None)


class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """资源: numbers, SIM cards and handsets in scope."""

    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    permission_classes = [CustomerApiPermissions]
    queryset = ResourceItem.objects.none()

    def get_queryset(self):
        return selectors.items_for(self.request.user)


class PickupOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """领用单: list, detail, create (by range or a list of serials), cancel."""

    serializer_class = PickupOrderSerializer
    filterset_class = PickupOrderFilter
    permission_classes = [CustomerApiPermissions]
    queryset = PickupOrder.objects.none()
    action_perms = {
        "create": ["resources.add_pickuporder"],
        "cancel": ["resources.view_pickuporder", "resources.cancel_pickuporder"],
        "lines": ["resources.view_pickuporder"],
    }

    def get_queryset(self):
        return selectors.orders_for(self.request.user)

    @extend_schema(request=PickupCreateSerializer, responses={201: PickupOrderSerializer})
    def create(self, request):
        data = _valid(PickupCreateSerializer, request)
        order = services.pickup_create(actor=request.user, agent=_agent(request, data["agent"]),
                                       unit=_unit(request, data["unit"]), sel=_selection(data), method=data["method"],
                                       note=data["note"])
        return Response(self.get_serializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PickupCancelSerializer, responses=PickupOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """领取取消 of the whole order."""
        data = _valid(PickupCancelSerializer, request)
        order = services.pickup_cancel(actor=request.user, order=self.get_object(), **data)
        return Response(self.get_serializer(order).data)

    @extend_schema(responses=PickupLineSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def lines(self, request, pk=None):
        """The order's items with their fees."""
        order = self.get_object()
        page = self.paginate_queryset(order.lines.select_related("item").order_by("item__serial"))
        return self.get_paginated_response(PickupLineSerializer(page, many=True).data)


class ReturnViewSet(viewsets.GenericViewSet):
    """资源回退: items back from an agent, fees refunded."""

    serializer_class = ReturnSerializer
    permission_classes = [CustomerApiPermissions]
    queryset = ResourceItem.objects.none()
    action_perms = {"create": ["resources.return_resources"]}

    @extend_schema(request=ReturnSerializer, responses={201: ReturnResultSerializer})
    def create(self, request):
        data = _valid(ReturnSerializer, request)
        result = services.resources_return(actor=request.user, agent=_agent(request, data["agent"]),
                                           sel=_selection(data), method=data["method"], reason=data["reason"])
        return Response(ReturnResultSerializer(result).data, status=status.HTTP_201_CREATED)


class AgentTransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """资源调库 between agents."""

    serializer_class = AgentTransferSerializer
    permission_classes = [CustomerApiPermissions]
    queryset = AgentTransfer.objects.none()
    action_perms = {"create": ["resources.transfer_resources"]}

    def get_queryset(self):
        return selectors.transfers_for(self.request.user)

    @extend_schema(request=AgentTransferCreateSerializer, responses={201: AgentTransferSerializer})
    def create(self, request):
        data = _valid(AgentTransferCreateSerializer, request)
        obj = services.resources_transfer(actor=request.user, source=_agent(request, data["source"]),
                                          target=_agent(request, data["target"]), sel=_selection(data),
                                          method=data["method"], note=data["note"])
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


class FeeAdjustmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """领用费用调整."""

    serializer_class = FeeAdjustmentSerializer
    permission_classes = [CustomerApiPermissions]
    queryset = FeeAdjustment.objects.none()
    action_perms = {"create": ["resources.adjust_fees"]}

    def get_queryset(self):
        return selectors.adjustments_for(self.request.user)

    @extend_schema(request=FeeAdjustmentCreateSerializer, responses={201: FeeAdjustmentSerializer})
    def create(self, request):
        data = _valid(FeeAdjustmentCreateSerializer, request)
        order = data.get("order")
        if order is not None:
            order = selectors.orders_for(request.user).get_visible(request.user, pk=order.pk)
            sel = None
        else:
            if not data.get("kind"):
                raise InvalidInput(_("Choose a pickup order or the items whose fee to adjust."))
            sel = _selection(data)
        obj = services.fee_adjust(actor=request.user, agent=_agent(request, data["agent"]), new_fee=data["new_fee"],
                                  method=data["method"], sel=sel, order=order, reason=data["reason"])
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


class StockViewSet(viewsets.GenericViewSet):
    """入库 and the flow between units (出库, 调库, 回退)."""

    serializer_class = ResourceStockResultSerializer
    permission_classes = [CustomerApiPermissions]
    queryset = ResourceItem.objects.none()
    action_perms = {"stock_in": ["resources.stock_in_resources"], "move": ["resources.move_stock"]}

    @extend_schema(request=ResourceStockInSerializer, responses={201: ResourceStockResultSerializer})
    @action(detail=False, methods=["post"], url_path="in")
    def stock_in(self, request):
        data = _valid(ResourceStockInSerializer, request)
        result = services.stock_in(actor=request.user, unit=_unit(request, data["unit"]), sel=_selection(data),
                                   network=data["network"], business=data["business"], model=data["model"],
                                   note=data["note"])
        return Response(ResourceStockResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResourceStockMoveSerializer, responses={201: ResourceStockResultSerializer})
    @action(detail=False, methods=["post"])
    def move(self, request):
        data = _valid(ResourceStockMoveSerializer, request)
        to_unit = data.get("to_unit")
        result = services.stock_move(actor=request.user, operation=data["operation"],
                                     from_unit=_unit(request, data["from_unit"]), to_unit=to_unit,
                                     sel=_selection(data), note=data["note"])
        return Response(ResourceStockResultSerializer(result).data, status=status.HTTP_201_CREATED)


class MovementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """库存流水 (append-only)."""

    serializer_class = MovementSerializer
    filterset_class = MovementFilter
    permission_classes = [CustomerApiPermissions]
    queryset = Movement.objects.none()

    def get_queryset(self):
        return selectors.movements_for(self.request.user)
