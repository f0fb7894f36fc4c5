"""REST API of the club statistics and points cost under /api/v1/club/stats/ (CLUB-17, CLUB-22).

``<name>/?from=YYYY-MM&to=YYYY-MM&city=&level=`` returns the tables of a statistic, computed
by the same selectors as the pages, scoped to the caller. Schemes and forecasts are written
through ``kams.clubstats.services``.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from kams.clubstats import catalogue, selectors, services
from kams.clubstats.enums import ForecastState
from kams.clubstats.models import PointsScheme, PointsSchemeForecast
from kams.clubstats.serializers import (
    ClubForecastStartSerializer,
    ClubPointsSchemeForecastSerializer,
    ClubPointsSchemeSerializer,
    ClubPointsSchemeWriteSerializer,
    ClubStatisticSerializer,
)
from kams.customers.api import CustomerApiPermissions


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _valid(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class StatisticView(APIView):
    """统计分析: the tables of one statistic (points, redemption, consumption, distribution, cards,
    members, cost, cost_analysis) for the months, city and level asked."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(catalogue.STATISTICS)),
            OpenApiParameter("from", OpenApiTypes.STR, description="First month, YYYY-MM (default: 11 months before 'to')."),
            OpenApiParameter("to", OpenApiTypes.STR, description="Last month, YYYY-MM (default: this month)."),
            OpenApiParameter("city", OpenApiTypes.STR, description="Code (or id) of a city: its districts included."),
            OpenApiParameter("level", OpenApiTypes.STR, description="Level code, e.g. DIAMOND."),
        ],
        responses=ClubStatisticSerializer,
    )
    def get(self, request, name: str):
        statistic = catalogue.statistic(name)
        if not request.user.has_perm(statistic.perm):
            raise PermissionDenied(statistic.perm)
        filters = selectors.parse_filters(request.query_params)
        tables = statistic.compute(request.user, filters)
        return Response({"name": statistic.name, "filters": filters.query(), "tables": _plain(tables)})


class PointsSchemeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """积分方案: list, read, create, change; ``forecast`` starts a forecast on the last N months."""

    queryset = PointsScheme.objects.all()
    serializer_class = ClubPointsSchemeSerializer
    permission_classes = [CustomerApiPermissions]
    action_perms = {"forecast": ["clubstats.view_pointsscheme", "clubstats.add_pointsschemeforecast"]}

    @extend_schema(request=ClubPointsSchemeWriteSerializer, responses={201: ClubPointsSchemeSerializer})
    def create(self, request):
        scheme = services.scheme_save(actor=request.user, **_valid(ClubPointsSchemeWriteSerializer, request))
        return Response(self.get_serializer(scheme).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClubPointsSchemeWriteSerializer, responses=ClubPointsSchemeSerializer)
    def partial_update(self, request, pk=None):
        scheme = services.scheme_save(actor=request.user, scheme=self.get_object(),
                                      **_valid(ClubPointsSchemeWriteSerializer, request, partial=True))
        return Response(self.get_serializer(scheme).data)

    @extend_schema(request=ClubForecastStartSerializer,
                   responses={201: ClubPointsSchemeForecastSerializer, 202: ClubPointsSchemeForecastSerializer})
    @action(detail=True, methods=["post"])
    def forecast(self, request, pk=None):
        months = _valid(ClubForecastStartSerializer, request)["months"]
        forecast = services.forecast_start(actor=request.user, scheme=self.get_object(), months=months)
        code = status.HTTP_201_CREATED if forecast.state == ForecastState.DONE else status.HTTP_202_ACCEPTED
        return Response(ClubPointsSchemeForecastSerializer(forecast).data, status=code)


class PointsSchemeForecastViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """积分成本预测: the stored forecasts, newest first (``?scheme=`` one scheme's)."""

    serializer_class = ClubPointsSchemeForecastSerializer
    permission_classes = [CustomerApiPermissions]
    filterset_fields = ["scheme", "state"]

    def get_queryset(self):
        return PointsSchemeForecast.objects.select_related("scheme", "job")
