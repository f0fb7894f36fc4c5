"""REST API of service processes under /api/v1/service/ (SVC, OTH, SVC-13).

Reads are scoped by the default ``ScopeFilterBackend``; every write goes through
``kams.service.services``: opening a case, completing, claiming and handing over steps,
bulk reassignment, notes, cancelling, uploading process versions.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kams.customers.api import CustomerApiPermissions
from kams.customers.models import Customer
from kams.org.models import Staff
from kams.service import selectors, services
from kams.service.enums import CaseSource
from kams.service.models import Case, CaseEvent, ProcessDefinition, WorkItem

# --- Serializers -----------------------------------------------------------------------------


class DefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessDefinition
        fields = ["id", "key", "version", "name", "name_en", "channel", "calendar", "resolution_limit", "customer_required",
                  "start_form", "steps", "sha256", "is_active", "source", "note", "created_at"]
        read_only_fields = fields


class WorkItemSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    assignee_name = serializers.CharField(source="assignee.name", read_only=True, default="")
    sla = serializers.SerializerMethodField()

    class Meta:
        model = WorkItem
        fields = ["id", "case", "case_number", "process_key", "step", "step_name", "role", "assignee", "assignee_name",
                  "org_unit", "status", "calendar", "time_limit", "started_at", "warn_at", "deadline", "warned_at",
                  "escalation_level", "escalated_at", "completed_at", "completed_by", "late", "result", "sla"]
        read_only_fields = fields

    def get_sla(self, item) -> str:
        return selectors.sla_state(item)


class EventSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.name", read_only=True, default="")

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "kind", "step", "step_name", "actor", "actor_name", "text", "detail"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    process = serializers.CharField(source="process_key", read_only=True)
    process_version = serializers.IntegerField(source="definition.version", read_only=True)
    open_steps = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "number", "process", "process_version", "channel", "title", "source", "customer", "org_unit",
                  "owner", "parent", "status", "data", "external_id", "opened_at", "due_at", "closed_at", "open_steps"]
        read_only_fields = fields

    def get_open_steps(self, case) -> list[dict]:
        return WorkItemSerializer([i for i in case.work_items.all() if i.status == "open"], many=True).data


class CaseOpenSerializer(serializers.Serializer):
    process = serializers.SlugRelatedField(slug_field="key", queryset=ProcessDefinition.objects.filter(is_active=True))
    title = serializers.CharField(max_length=200)
    customer = serializers.IntegerField(required=False, allow_null=True)
    source = serializers.ChoiceField(choices=CaseSource.choices, default=CaseSource.SYSTEM)
    data = serializers.DictField(required=False, default=dict)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class ValuesSerializer(serializers.Serializer):
    values = serializers.DictField(required=False, default=dict, help_text="The step's form fields.")


class HandoverSerializer(serializers.Serializer):
    to = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.filter(is_active=True))
    reason = serializers.CharField(max_length=300)


class ReassignSerializer(serializers.Serializer):
    source = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.filter(is_active=True))
    target = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.filter(is_active=True))
    reason = serializers.CharField(max_length=300)


class CaseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


# --- Viewsets ---------------------------------------------------------------------------------


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """受理单: cases of every process. ``Idempotency-Key`` on POST makes a retry return the first case."""

    queryset = Case.objects.select_related("definition").prefetch_related("work_items")
    serializer_class = CaseSerializer
    permission_classes = [CustomerApiPermissions]
    lookup_field = "number"
    filterset_fields = ["process_key", "channel", "status", "source", "customer", "org_unit"]
    action_perms = {"cancel": ["service.cancel_case"], "note": ["service.view_case"], "events": ["service.view_case"]}

    def get_object(self):
        return selectors.case_visible(self.request.user, number=self.kwargs["number"])

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer})
    def create(self, request):
        data = CaseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = None
        if values.get("customer"):
            customer = Customer.objects.filter(pk=values["customer"]).first()
            if customer is None:
                raise serializers.ValidationError({"customer": ["No such customer."]})
        case = services.case_open(
            actor=request.user, process=values["process"].key, title=values["title"], customer=customer,
            source=values["source"], data=values["data"], external_id=values["external_id"],
            idempotency_key=request.headers.get("Idempotency-Key") or None,
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        data = CaseReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_cancel(actor=request.user, case=self.get_object(), reason=data.validated_data["reason"])
        return Response(CaseSerializer(case).data)

    @extend_schema(request=NoteSerializer, responses={201: EventSerializer})
    @action(detail=True, methods=["post"])
    def note(self, request, number=None):
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.case_note(actor=request.user, case=self.get_object(), text=data.validated_data["text"])
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, number=None):
        return Response(EventSerializer(self.get_object().events.select_related("actor"), many=True).data)


class WorkItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """待办: steps of cases. ``mine`` is the caller's queue; steps are completed with their form."""

    queryset = WorkItem.objects.select_related("case", "assignee")
    serializer_class = WorkItemSerializer
    permission_classes = [CustomerApiPermissions]
    filterset_fields = ["process_key", "status", "role", "assignee", "org_unit", "escalation_level"]
    action_perms = {
        "mine": ["service.view_workitem"], "complete": ["service.view_workitem"], "claim": ["service.view_workitem"],
        "handover": ["service.view_workitem"], "reassign": ["service.reassign_workitem"],
    }

    def get_object(self):
        # A step is reachable by whoever may see its case (scope) or holds it.
        item = WorkItem.objects.select_related("case").filter(pk=self.kwargs["pk"]).first()
        if item is None:
            from django.http import Http404

            raise Http404
        selectors.case_visible(self.request.user, pk=item.case_id)
        return item

    @extend_schema(responses=WorkItemSerializer(many=True))
    @action(detail=False, methods=["get"])
    def mine(self, request):
        page = self.paginate_queryset(selectors.my_work(request.user))
        return self.get_paginated_response(WorkItemSerializer(page, many=True).data)

    @extend_schema(request=ValuesSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        data = ValuesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.workitem_complete(actor=request.user, item=self.get_object(), values=data.validated_data["values"])
        return Response(CaseSerializer(Case.objects.prefetch_related("work_items").get(pk=case.pk)).data)

    @extend_schema(request=None, responses=WorkItemSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        return Response(WorkItemSerializer(services.workitem_claim(actor=request.user, item=self.get_object())).data)

    @extend_schema(request=HandoverSerializer, responses=WorkItemSerializer)
    @action(detail=True, methods=["post"])
    def handover(self, request, pk=None):
        data = HandoverSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.workitem_handover(actor=request.user, item=self.get_object(), **data.validated_data)
        return Response(WorkItemSerializer(item).data)

    @extend_schema(request=ReassignSerializer, responses=inline_serializer("Reassigned", {"moved": serializers.IntegerField()}))
    @action(detail=False, methods=["post"])
    def reassign(self, request):
        data = ReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"moved": services.workitems_reassign(actor=request.user, **data.validated_data)})


class DefinitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """流程定义: every version of every process; upload a new one (multipart ``file``)."""

    queryset = ProcessDefinition.objects.all()
    serializer_class = DefinitionSerializer
    permission_classes = [CustomerApiPermissions]
    filterset_fields = ["key", "is_active", "channel"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    action_perms = {"upload": ["service.upload_processdefinition"], "activate": ["service.upload_processdefinition"]}

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: DefinitionSerializer})
    @action(detail=False, methods=["post"])
    def upload(self, request):
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        definition = services.definition_upload(actor=request.user, xml=data.validated_data["file"].read(),
                                                note=data.validated_data["note"])
        return Response(DefinitionSerializer(definition).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseReasonSerializer, responses=DefinitionSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        data = CaseReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        definition = services.definition_activate(actor=request.user, definition=self.get_object(), reason=data.validated_data["reason"])
        return Response(DefinitionSerializer(definition).data)


COUNTS = {"open": serializers.IntegerField(), "due_soon": serializers.IntegerField(), "late": serializers.IntegerField(),
          "escalated": serializers.IntegerField()}


class BoardView(APIView):
    """时限看板: open steps by unit and by person (open, due soon, late, escalated)."""

    permission_classes = [CustomerApiPermissions]
    queryset = WorkItem.objects.none()

    @extend_schema(responses=inline_serializer("Board", {
        "totals": inline_serializer("BoardTotals", COUNTS),
        "by_unit": inline_serializer("BoardUnit", {"org_unit_id": serializers.IntegerField(), "org_unit__name": serializers.CharField(), **COUNTS}, many=True),
        "by_person": inline_serializer("BoardPerson", {"assignee_id": serializers.IntegerField(allow_null=True), "assignee__name": serializers.CharField(allow_null=True), **COUNTS}, many=True),
    }))
    def get(self, request):
        data = selectors.board(request.user)
        data.pop("now")
        for row in data["by_unit"]:
            row.pop("org_unit__path", None)
        return Response(data)


RATE = {"done": serializers.IntegerField(), "on_time": serializers.IntegerField(), "rate": serializers.FloatField(allow_null=True)}


class StatsView(APIView):
    """准时率: completed steps and the share on time per month, process, unit and person."""

    permission_classes = [CustomerApiPermissions]
    queryset = WorkItem.objects.none()

    @extend_schema(responses=inline_serializer("OnTimeStats", {
        "totals": inline_serializer("OnTimeTotals", RATE),
        "by_month": inline_serializer("OnTimeMonth", {"month": serializers.DateTimeField(), **RATE}, many=True),
        "by_process": inline_serializer("OnTimeProcess", {"process_key": serializers.CharField(), **RATE}, many=True),
        "by_unit": inline_serializer("OnTimeUnit", {"org_unit__name": serializers.CharField(), **RATE}, many=True),
        "by_person": inline_serializer("OnTimePerson", {"completed_by__name": serializers.CharField(allow_null=True), **RATE}, many=True),
    }))
    def get(self, request):
        data = selectors.on_time_stats(request.user, process=request.query_params.get("process", ""))
        for row in data["by_unit"]:
            row.pop("org_unit__path", None)
        return Response(data)
