"""REST API of service support under /api/v1/support/.

Reads are scoped by the default ``ScopeFilterBackend``; every write goes through
``kams.support.services``, which checks permission and scope again, runs the transaction and
writes the audit log.
"""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.customers.api import CustomerApiPermissions
from kams.customers.models import Customer, Industry
from kams.org.models import OrgUnit, Staff
from kams.support import selectors, services
from kams.support import serializers as s
from kams.support.filters import (
    AssessmentFilter,
    ConsultationFilter,
    FaultFilter,
    LineFilter,
    NoticeFilter,
    RecordFilter,
    SolutionFilter,
    TemplateFilter,
)
from kams.support.models import (
    Consultation,
    CustomerLine,
    CutoverImpact,
    CutoverNotice,
    EmergencyStep,
    LineCheck,
    LineFault,
    ProjectRecord,
    QualityAssessment,
    QualityIndicator,
    ServiceClass,
    SolutionTemplate,
    TechnicalSolution,
)

READ = (mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet)


def _case(user, number: str):
    from kams.service.models import Case

    if not number:
        return None
    return Case.objects.get_visible(user, number=number.strip())


def _industries(codes):
    found = list(Industry.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        from kams.support.errors import SupportInvalid

        missing = sorted(set(codes) - {i.code for i in found})
        raise SupportInvalid(field="industries", problem=", ".join(missing))
    return found


class SolutionTemplateViewSet(*READ):
    """客户服务方案模型: current versions by default (``is_current=false`` for old ones)."""

    queryset = SolutionTemplate.objects.prefetch_related("industries")
    serializer_class = s.SolutionTemplateSerializer
    filterset_class = TemplateFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"create": ["support.add_solutiontemplate"], "revise": ["support.change_solutiontemplate"]}

    @extend_schema(request=s.TemplateWriteSerializer, responses={201: s.SolutionTemplateSerializer})
    def create(self, request):
        data = s.TemplateWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        industries = _industries(values.pop("industries"))
        number = values.pop("number")
        template = services.template_create(actor=request.user, number=number, industries=industries, **values)
        return Response(self.get_serializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TemplateReviseSerializer, responses={201: s.SolutionTemplateSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new version of the template (the old one is kept)."""
        template = self.get_object()
        data = s.TemplateReviseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        note = values.pop("change_note")
        industries = _industries(values.pop("industries")) if "industries" in values else None
        revised = services.template_revise(actor=request.user, template=template, change_note=note, industries=industries, **values)
        return Response(self.get_serializer(revised).data, status=status.HTTP_201_CREATED)


class TechnicalSolutionViewSet(*READ):
    """技术方案: made from templates, with survey, investment analysis and feasibility."""

    queryset = TechnicalSolution.objects.select_related("customer", "case", "template")
    serializer_class = s.TechnicalSolutionSerializer
    filterset_class = SolutionFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {
        "create": ["support.add_technicalsolution"],
        "survey": ["support.change_technicalsolution"],
        "analysis": ["support.change_technicalsolution"],
        "conclude": ["support.change_technicalsolution"],
        "archive": ["support.archive_technicalsolution"],
    }

    @extend_schema(request=s.SolutionCreateSerializer, responses={201: s.TechnicalSolutionSerializer})
    def create(self, request):
        data = s.SolutionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        customer = Customer.objects.get_visible(request.user, pk=v["customer"])
        template = SolutionTemplate.objects.filter(pk=v["template"]).first()
        if template is None:
            raise Http404
        solution = services.solution_create(actor=request.user, customer=customer, template=template,
                                            case=_case(request.user, v["case"]), title=v["title"])
        return Response(self.get_serializer(solution).data, status=status.HTTP_201_CREATED)

    def _step(self, request, serializer_class, fn, **extra):
        solution = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        solution = fn(actor=request.user, solution=solution, **data.validated_data, **extra)
        return Response(self.get_serializer(solution).data)

    @extend_schema(request=s.SolutionSurveySerializer, responses=s.TechnicalSolutionSerializer)
    @action(detail=True, methods=["post"])
    def survey(self, request, pk=None):
        """资源调查."""
        return self._step(request, s.SolutionSurveySerializer, services.solution_survey)

    @extend_schema(request=s.AnalysisSerializer, responses=s.TechnicalSolutionSerializer)
    @action(detail=True, methods=["post"])
    def analysis(self, request, pk=None):
        """投资分析: the payback period is computed."""
        return self._step(request, s.AnalysisSerializer, services.solution_analyse)

    @extend_schema(request=s.ConcludeSerializer, responses=s.TechnicalSolutionSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        """可行性结论."""
        return self._step(request, s.ConcludeSerializer, services.solution_conclude)

    @extend_schema(request=s.ArchiveSerializer, responses=s.TechnicalSolutionSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """分类归档."""
        return self._step(request, s.ArchiveSerializer, services.solution_archive)


class ProjectRecordViewSet(*READ):
    """项目资料: resources per customer and case, each change kept as history."""

    queryset = ProjectRecord.objects.select_related("customer").prefetch_related("changes")
    serializer_class = s.ProjectRecordSerializer
    filterset_class = RecordFilter
    permission_classes = [CustomerApiPermissions]

    @extend_schema(request=s.RecordCreateSerializer, responses={201: s.ProjectRecordSerializer})
    def create(self, request):
        data = s.RecordCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        customer = Customer.objects.get_visible(request.user, pk=v.pop("customer"))
        case = _case(request.user, v.pop("case"))
        solution_id = v.pop("solution")
        solution = TechnicalSolution.objects.get_visible(request.user, pk=solution_id) if solution_id else None
        record = services.record_add(actor=request.user, customer=customer, case=case, solution=solution, **v)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RecordChangeSerializer, responses=s.ProjectRecordSerializer)
    def partial_update(self, request, pk=None):
        record = self.get_object()
        data = s.RecordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        record = services.record_change(actor=request.user, record=record, reason=v.pop("reason"), **v)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)


class QualityIndicatorViewSet(*READ):
    """服务质量考核指标 and their weights."""

    queryset = QualityIndicator.objects.all()
    serializer_class = s.QualityIndicatorSerializer
    permission_classes = [CustomerApiPermissions]
    filter_backends = []
    action_perms = {"create": ["support.change_qualityindicator"]}

    @extend_schema(request=s.QualityIndicatorSerializer, responses={201: s.QualityIndicatorSerializer})
    def create(self, request):
        data = s.QualityIndicatorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        indicator = services.indicator_save(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(indicator).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.QualityIndicatorSerializer, responses=s.QualityIndicatorSerializer)
    def partial_update(self, request, pk=None):
        indicator = self.get_object()
        data = s.QualityIndicatorSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        indicator = services.indicator_save(actor=request.user, indicator=indicator, **data.validated_data)
        return Response(self.get_serializer(indicator).data)


STATS = inline_serializer("SupportStatistics", fields={"labels": serializers.ListField(child=serializers.CharField())})


class QualityAssessmentViewSet(*READ):
    """服务质量考核 of account managers, customer representatives, partners, channels, agents."""

    queryset = QualityAssessment.objects.select_related("org_unit").prefetch_related("scores__indicator")
    serializer_class = s.QualityAssessmentSerializer
    filterset_class = AssessmentFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"statistics": ["support.view_qualityassessment"]}

    @extend_schema(request=s.AssessmentCreateSerializer, responses={201: s.QualityAssessmentSerializer})
    def create(self, request):
        data = s.AssessmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        staff = Staff.objects.get_visible(request.user, pk=v.pop("staff")) if v.get("staff") else None
        v.pop("staff", None)
        unit_id = v.pop("org_unit")
        unit = OrgUnit.objects.visible_to(request.user).filter(pk=unit_id).first() if unit_id else None
        if unit_id and unit is None:
            raise Http404
        assessment = services.assessment_record(actor=request.user, staff=staff, org_unit=unit, **v)
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=STATS)
    @action(detail=False, methods=["get"])
    def statistics(self, request):
        """Average totals by month and subject kind, and the ranking (of the filtered list)."""
        stats = selectors.quality_stats(self.filter_queryset(self.get_queryset()))
        return Response(stats)


class ConsultationViewSet(*READ):
    """咨询记录 (SVC-10)."""

    queryset = Consultation.objects.all()
    serializer_class = s.ConsultationSerializer
    filterset_class = ConsultationFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"answer": ["support.change_consultation"], "statistics": ["support.view_consultation"]}

    @extend_schema(request=s.ConsultationCreateSerializer, responses={201: s.ConsultationSerializer})
    def create(self, request):
        data = s.ConsultationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        customer_id = v.pop("customer")
        customer = Customer.objects.get_visible(request.user, pk=customer_id) if customer_id else None
        consultation = services.consultation_record(actor=request.user, customer=customer, **v)
        return Response(self.get_serializer(consultation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ConsultationAnswerSerializer, responses=s.ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        consultation = self.get_object()
        data = s.ConsultationAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultation = services.consultation_answer(actor=request.user, consultation=consultation, **data.validated_data)
        return Response(self.get_serializer(consultation).data)

    @extend_schema(responses=STATS)
    @action(detail=False, methods=["get"])
    def statistics(self, request):
        """Volume by topic and channel, satisfaction with the answers (of the filtered list)."""
        return Response(selectors.consultation_stats(self.filter_queryset(self.get_queryset())))


class ServiceClassViewSet(*READ):
    """专线服务等级: SLA figures per line type and class."""

    queryset = ServiceClass.objects.all()
    serializer_class = s.ServiceClassSerializer
    permission_classes = [CustomerApiPermissions]
    filter_backends = []

    @extend_schema(request=s.ServiceClassWriteSerializer, responses=s.ServiceClassSerializer)
    def partial_update(self, request, pk=None):
        service_class = self.get_object()
        data = s.ServiceClassWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        service_class = services.service_class_save(actor=request.user, service_class=service_class, **data.validated_data)
        return Response(self.get_serializer(service_class).data)


class CustomerLineViewSet(*READ):
    """Customers' private lines, WLAN and broadband with their class."""

    queryset = CustomerLine.objects.select_related("service_class")
    serializer_class = s.CustomerLineSerializer
    filterset_class = LineFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"checks": ["support.add_linecheck"], "faults": ["support.add_linefault"]}

    @extend_schema(request=s.LineCreateSerializer, responses={201: s.CustomerLineSerializer})
    def create(self, request):
        data = s.LineCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        customer = Customer.objects.get_visible(request.user, pk=v.pop("customer"))
        service_class = ServiceClass.objects.filter(pk=v.pop("service_class")).first()
        if service_class is None:
            raise Http404
        line = services.line_add(actor=request.user, customer=customer, line_no=v.pop("line_no"), service_class=service_class, **v)
        return Response(self.get_serializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.LineCheckCreateSerializer, responses={201: s.LineCheckSerializer})
    @action(detail=True, methods=["post"])
    def checks(self, request, pk=None):
        """开通测试 / 监控 record."""
        line = self.get_object()
        data = s.LineCheckCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.line_check_record(actor=request.user, line=line, **data.validated_data)
        return Response(s.LineCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FaultLinkSerializer, responses={201: s.LineFaultSerializer})
    @action(detail=True, methods=["post"])
    def faults(self, request, pk=None):
        """Link a level-1/level-2 fault case to the line."""
        line = self.get_object()
        data = s.FaultLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        fault = services.line_fault_link(actor=request.user, line=line, case=_case(request.user, v.pop("case")), **v)
        fault = selectors.faults_with_times(LineFault.objects.filter(pk=fault.pk)).get()
        return Response(s.LineFaultSerializer(fault).data, status=status.HTTP_201_CREATED)


class LineCheckViewSet(*READ):
    queryset = LineCheck.objects.all()
    serializer_class = s.LineCheckSerializer
    permission_classes = [CustomerApiPermissions]


class LineFaultViewSet(*READ):
    """Line faults with response and repair measured against the class SLA; ``breaches`` lists
    those beyond it."""

    queryset = LineFault.objects.all()
    serializer_class = s.LineFaultSerializer
    filterset_class = FaultFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"breaches": ["support.view_linefault"]}

    def get_queryset(self):
        return selectors.faults_with_times(LineFault.objects.all())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(request=s.FaultTimesSerializer, responses=s.LineFaultSerializer)
    def partial_update(self, request, pk=None):
        fault = self.get_object()
        data = s.FaultTimesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.line_fault_times(actor=request.user, fault=fault, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=fault.pk)).data)

    @extend_schema(responses=s.LineFaultSerializer(many=True))
    @action(detail=False, methods=["get"])
    def breaches(self, request):
        rows = selectors.sla_breaches(request.user, queryset=self.filter_queryset(LineFault.objects.all()))
        page = self.paginate_queryset([r.fault for r in rows])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CutoverNoticeViewSet(*READ):
    """网络割接通知 and their emergency process."""

    queryset = CutoverNotice.objects.prefetch_related("areas", "steps")
    serializer_class = s.CutoverNoticeSerializer
    filterset_class = NoticeFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {
        "create": ["support.add_cutovernotice"],
        "find_affected": ["support.change_cutovernotice"],
        "send": ["support.send_cutovernotice"],
        "steps": ["support.change_cutovernotice"],
        "close": ["support.change_cutovernotice"],
        "cancel": ["support.change_cutovernotice"],
    }

    @extend_schema(request=s.NoticeCreateSerializer, responses={201: s.CutoverNoticeSerializer})
    def create(self, request):
        data = s.NoticeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        area_ids = v.pop("areas")
        areas = list(OrgUnit.objects.visible_to(request.user).filter(pk__in=area_ids))
        if len(areas) != len(set(area_ids)):
            raise Http404
        steps = [{**step, "responsible": Staff.objects.get_visible(request.user, pk=step["responsible"])} for step in v.pop("steps")]
        notice = services.notice_create(actor=request.user, areas=areas, steps=steps, **v)
        return Response(self.get_serializer(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.CountSerializer)
    @action(detail=True, methods=["post"], url_path="find-affected")
    def find_affected(self, request, pk=None):
        return Response({"added": services.notice_find_affected(actor=request.user, notice=self.get_object())})

    @extend_schema(request=None, responses=s.SendResultSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Notify the affected customers' primary contacts and managers (once per customer)."""
        return Response(services.notice_send(actor=request.user, notice=self.get_object()))

    @extend_schema(request=s.StepWriteSerializer, responses={201: s.EmergencyStepSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        notice = self.get_object()
        data = s.StepWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        responsible = Staff.objects.get_visible(request.user, pk=v.pop("responsible"))
        step = services.step_add(actor=request.user, notice=notice, responsible=responsible, **v)
        return Response(s.EmergencyStepSerializer(step).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TextSerializer, responses=s.CutoverNoticeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = s.TextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.notice_close(actor=request.user, notice=self.get_object(), summary=data.validated_data["text"])
        return Response(self.get_serializer(notice).data)

    @extend_schema(request=s.TextSerializer, responses=s.CutoverNoticeSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = s.TextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.notice_cancel(actor=request.user, notice=self.get_object(), reason=data.validated_data["text"])
        return Response(self.get_serializer(notice).data)


class CutoverImpactViewSet(*READ):
    """Affected customers of the notices, with notification and acknowledgement."""

    queryset = CutoverImpact.objects.select_related("notice")
    serializer_class = s.CutoverImpactSerializer
    permission_classes = [CustomerApiPermissions]
    filterset_fields = ["notice"]
    action_perms = {"acknowledge": ["support.change_cutoverimpact"]}

    @extend_schema(request=s.AckSerializer, responses=s.CutoverImpactSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        data = s.AckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        impact = services.impact_acknowledge(actor=request.user, impact=self.get_object(), **data.validated_data)
        return Response(self.get_serializer(impact).data)


class EmergencyStepViewSet(*READ):
    """应急流程 steps: who is responsible, who did what when."""

    queryset = EmergencyStep.objects.select_related("notice")
    serializer_class = s.EmergencyStepSerializer
    permission_classes = [CustomerApiPermissions]
    filterset_fields = ["notice"]
    action_perms = {"done": ["support.change_emergencystep"]}

    @extend_schema(request=s.StepDoneSerializer, responses=s.EmergencyStepSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        data = s.StepDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        step = services.step_done(actor=request.user, step=self.get_object(), result=data.validated_data["result"])
        return Response(self.get_serializer(step).data)
