"""REST API of channel evaluation and statistics under /api/v1/channels/stats/ (CH-10, CH-17).

Lists and details are scoped (``ScopeFilterBackend``; runs through ``selectors.runs_for``) and
guarded by model permissions; writes go through ``kams.channelstats.services``."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from kams.channels.models import Agent
from kams.channelstats import selectors, services
from kams.channelstats.models import EvaluationExport, EvaluationModel, EvaluationRun, ManualScore
from kams.channelstats.reports import REPORTS
from kams.channelstats.serializers import (
    EvaluationModelSerializer,
    EvaluationModelWriteSerializer,
    ExportSerializer,
    ExportWriteSerializer,
    ManualScoreSerializer,
    ManualScoreWriteSerializer,
    NotifyResultSerializer,
    ReportSerializer,
    ResultSerializer,
    RunSerializer,
    RunWriteSerializer,
)
from kams.channelstats.views import report_filters
from kams.org.models import OrgUnit
from kams.org.scoping import KamsModelPermissions


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class EvaluationModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    """Evaluation models; POST saves a new model or the next version of an existing code."""

    queryset = EvaluationModel.objects.prefetch_related("items")
    serializer_class = EvaluationModelSerializer
    permission_classes = [KamsModelPermissions]

    @extend_schema(request=EvaluationModelWriteSerializer, responses={201: EvaluationModelSerializer})
    def create(self, request, *args, **kwargs):
        data = _valid(EvaluationModelWriteSerializer, request)
        model = services.model_save(actor=request.user, code=data["code"], name=data["name"],
                                    description=data["description"], items=[dict(i) for i in data["items"]])
        return Response(EvaluationModelSerializer(model).data, status=status.HTTP_201_CREATED)


class RunPermission(KamsModelPermissions):
    perms_map = {**KamsModelPermissions.perms_map, "POST": ["channelstats.run_evaluation"]}


class RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Evaluation runs. POST computes (or recomputes) a month; ``results/`` lists the results
    the reader may see with the comparison to the month before; ``export/`` writes the
    headquarters file."""

    queryset = EvaluationRun.objects.all()
    serializer_class = RunSerializer
    permission_classes = [RunPermission]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.runs_for(self.request.user)

    @extend_schema(request=RunWriteSerializer, responses={201: RunSerializer})
    def create(self, request, *args, **kwargs):
        data = _valid(RunWriteSerializer, request)
        model = services.model_current(data["model"], data["version"])
        unit = None
        if data["org_unit"]:
            unit = get_object_or_404(OrgUnit.objects.visible_to(request.user), pk=data["org_unit"])
        run = services.evaluation_run(actor=request.user, model=model, period=data["period"], org_unit=unit)
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ResultSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        run = self.get_object()
        return Response(ResultSerializer(selectors.run_results(request.user, run), many=True).data)

    @extend_schema(request=ExportWriteSerializer, responses={201: ExportSerializer})
    @action(detail=True, methods=["post"])
    def export(self, request, pk=None):
        run = self.get_object()
        data = _valid(ExportWriteSerializer, request)
        export = services.export_run(actor=request.user, run=run, fmt=data["format"])
        return Response(ExportSerializer(export).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: NotifyResultSerializer})
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        """Send the best and worst agents of the run to the channel managers."""
        run = self.get_object()
        return Response({"messages": services.evaluation_notify(actor=request.user, run=run)})


class ManualScoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         viewsets.GenericViewSet):
    """Hand-entered satisfaction and other indicator values; POST enters or corrects one."""

    queryset = ManualScore.objects.select_related("agent")
    serializer_class = ManualScoreSerializer
    permission_classes = [KamsModelPermissions]

    @extend_schema(request=ManualScoreWriteSerializer, responses={201: ManualScoreSerializer})
    def create(self, request, *args, **kwargs):
        data = _valid(ManualScoreWriteSerializer, request)
        agent = get_object_or_404(Agent.objects.visible_to(request.user), pk=data["agent"])
        score = services.manual_score_save(actor=request.user, agent=agent, period=data["period"], kind=data["kind"],
                                           value=data["value"], note=data["note"])
        return Response(ManualScoreSerializer(score).data, status=status.HTTP_201_CREATED)


class ExportViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = EvaluationExport.objects.all()
    serializer_class = ExportSerializer
    permission_classes = [KamsModelPermissions]


class StatisticsPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("channelstats.view_channel_statistics"))


class ReportView(APIView):
    """One distribution report (agents, subscribers, revenue, balances) with the page's filters:
    ``since``/``until`` (YYYY-MM), ``unit`` (org unit id), ``group`` (city/unit/level/type)."""

    permission_classes = [StatisticsPermission]

    @extend_schema(responses=ReportSerializer, parameters=[
        OpenApiParameter(name, OpenApiTypes.STR, required=False) for name in ("since", "until", "unit", "group")])
    def get(self, request, slug):
        report = REPORTS.get(slug)
        if report is None:
            raise Http404
        data = report.build(request.user, report_filters(request))
        return Response({
            "columns": [{"key": key, "label": str(label)} for key, label in data["columns"]],
            "rows": [{k: (str(v) if not isinstance(v, (int, str)) else v) for k, v in row.items()}
                     for row in data["rows"]],
            "chart": data["chart"],
        })
