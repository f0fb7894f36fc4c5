"""REST API of the mobile terminals under /api/v1/terminals/ (PRD-05). Reads are scoped by
the default ``ScopeFilterBackend``; every write goes through a service."""

import datetime

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from kams.core.errors import InvalidInput
from kams.customers.api import CustomerApiPermissions
from kams.terminals import selectors, services
from kams.terminals.filters import AnomalyFilter, HandsetModelFilter, SaleFilter, SubsidyLevelFilter
from kams.terminals.models import Anomaly, HandsetModel, ObservationImport, SubsidisedSale, SubsidyLevel
from kams.terminals.serializers import (
    AgentFlagCountSerializer,
    AnomalySerializer,
    FlagConfirmSerializer,
    FlagDismissSerializer,
    HandsetModelSerializer,
    ObservationBatchSerializer,
    ObservationImportSerializer,
    SubsidisedSaleSerializer,
    SubsidisedSaleWriteSerializer,
    SubsidyLevelSerializer,
    SubsidyLevelWriteSerializer,
)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class HandsetModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """终端机型."""

    serializer_class = HandsetModelSerializer
    filterset_class = HandsetModelFilter
    permission_classes = [CustomerApiPermissions]
    queryset = HandsetModel.objects.none()

    def get_queryset(self):
        return selectors.models_for(self.request.user)

    def create(self, request):
        data = _valid(HandsetModelSerializer, request)
        obj = services.handset_model_save(actor=request.user, **data)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        current = self.get_object()
        data = {**HandsetModelSerializer(current).data, **request.data}
        serializer = HandsetModelSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        obj = services.handset_model_save(actor=request.user, handset_model=current, **serializer.validated_data)
        return Response(self.get_serializer(obj).data)


class SubsidyLevelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """终端补贴额度: every version; POST sets a new version."""

    serializer_class = SubsidyLevelSerializer
    filterset_class = SubsidyLevelFilter
    permission_classes = [CustomerApiPermissions]
    queryset = SubsidyLevel.objects.none()
    action_perms = {"in_force": ["terminals.view_subsidylevel"]}

    def get_queryset(self):
        return selectors.levels_for(self.request.user)

    @extend_schema(request=SubsidyLevelWriteSerializer, responses={201: SubsidyLevelSerializer})
    def create(self, request):
        obj = services.subsidy_level_set(actor=request.user, **_valid(SubsidyLevelWriteSerializer, request))
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("handset_model", int, required=True),
                               OpenApiParameter("business", str, required=True),
                               OpenApiParameter("package", str, required=False),
                               OpenApiParameter("on", datetime.date, required=False)],
                   responses=SubsidyLevelSerializer)
    @action(detail=False, methods=["get"], url_path="in-force", filter_backends=[], pagination_class=None)
    def in_force(self, request):
        """The level a sale of the model for the business (and package) gets on a date."""
        params = request.query_params
        try:
            model = HandsetModel.objects.get(pk=int(params.get("handset_model", "")))
            on = datetime.date.fromisoformat(params["on"]) if params.get("on") else None
        except (ValueError, HandsetModel.DoesNotExist):
            raise InvalidInput(_("Give an existing handset_model and a date as YYYY-MM-DD.")) from None
        level = services.subsidy_level_for(handset_model=model, business=params.get("business", ""),
                                           package=params.get("package", ""), on=on or timezone.localdate())
        if level is None:
            raise Http404
        return Response(self.get_serializer(level).data)


class SaleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """补贴终端销售: IMEI ↔ number ↔ agent ↔ subsidy; POST binds a handset held by an agent."""

    serializer_class = SubsidisedSaleSerializer
    filterset_class = SaleFilter
    permission_classes = [CustomerApiPermissions]
    queryset = SubsidisedSale.objects.none()

    def get_queryset(self):
        return selectors.sales_for(self.request.user)

    @extend_schema(request=SubsidisedSaleWriteSerializer, responses={201: SubsidisedSaleSerializer})
    def create(self, request):
        sale = services.subsidised_sale_record(actor=request.user, **_valid(SubsidisedSaleWriteSerializer, request))
        return Response(self.get_serializer(self.get_queryset().get(pk=sale.pk)).data, status=status.HTTP_201_CREATED)


class ObservationImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Network observations: POST a list of rows (idempotent per row), or upload a file
    (idempotent per file content); each load flags 窜机窜卡 at once."""

    serializer_class = ObservationImportSerializer
    permission_classes = [CustomerApiPermissions]
    queryset = ObservationImport.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_perms = {"upload": ["terminals.add_observationimport"]}

    def get_queryset(self):
        return selectors.imports_for(self.request.user)

    @extend_schema(request=ObservationBatchSerializer, responses={201: ObservationImportSerializer})
    def create(self, request):
        rows = [services.observation_row(n, r["imei"], r["msisdn"], r["seen_on"])
                for n, r in enumerate(_valid(ObservationBatchSerializer, request)["observations"], start=1)]
        batch = services.observations_import(actor=request.user, rows=rows)
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("ObservationUpload", {"file": serializers.FileField()})},
        responses={201: ObservationImportSerializer},
    )
    @action(detail=False, methods=["post"])
    def upload(self, request):
        """A .csv or .xlsx file with the columns imei, msisdn, seen_on."""
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("file: choose a .csv or .xlsx file."))
        batch = services.observation_file_import(actor=request.user, name=upload.name, content=upload.read())
        return Response(self.get_serializer(batch).data, status=status.HTTP_201_CREATED)


class AnomalyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """窜机窜卡 flags; confirm (subsidy recovered from the agent noted) or dismiss (reason)."""

    serializer_class = AnomalySerializer
    filterset_class = AnomalyFilter
    permission_classes = [CustomerApiPermissions]
    queryset = Anomaly.objects.none()
    action_perms = {"confirm": ["terminals.review_anomaly"], "dismiss": ["terminals.review_anomaly"],
                    "by_agent": ["terminals.view_anomaly"]}

    def get_queryset(self):
        return selectors.anomalies_for(self.request.user)

    @extend_schema(request=FlagConfirmSerializer, responses=AnomalySerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        obj = services.anomaly_confirm(actor=request.user, anomaly=self.get_object(), **_valid(FlagConfirmSerializer, request))
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    @extend_schema(request=FlagDismissSerializer, responses=AnomalySerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        data = _valid(FlagDismissSerializer, request)
        obj = services.anomaly_dismiss(actor=request.user, anomaly=self.get_object(), reason=data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    @extend_schema(parameters=[OpenApiParameter("month", str, required=False, description="YYYY-MM")],
                   responses=AgentFlagCountSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="by-agent", filter_backends=[], pagination_class=None)
    def by_agent(self, request):
        """Flags per agent first seen in a month (default: this month), dismissed left out."""
        month = request.query_params.get("month")
        try:
            day = datetime.date.fromisoformat(f"{month}-01") if month else timezone.localdate()
        except ValueError:
            raise InvalidInput(_("month: give a month as YYYY-MM.")) from None
        rows = selectors.anomalies_by_agent(day, user=request.user)
        return Response(AgentFlagCountSerializer(rows, many=True).data)
