"""REST API of collection and merge under /api/v1/collection/ (CUS-03, CUS-04, SVC-05).

Reads are scoped by the default ``ScopeFilterBackend``; every write goes through
``kams.collection.services``.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.collection import services
from kams.collection.models import AdmissionRule, Candidate, DuplicatePair, FirstContactTask, Merge
from kams.customers.api import CustomerApiPermissions
from kams.customers.models import Customer
from kams.org.models import Staff

# --- Serializers ----------------------------------------------------------------------------------


class AdmissionRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdmissionRule
        fields = ["id", "name", "customer_type", "min_monthly_revenue", "months", "min_members", "is_active", "note", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class AdmissionRuleWriteSerializer(AdmissionRuleSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, write_only=True)

    class Meta(AdmissionRuleSerializer.Meta):
        fields = [*AdmissionRuleSerializer.Meta.fields, "reason"]
        # Uniqueness is the service's check (one message on every path).
        extra_kwargs = {"name": {"validators": []}}


class CollectedCustomerSerializer(serializers.ModelSerializer):
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "code", "name", "customer_type", "status", "org_unit", "org_unit_name", "account_manager"]
        read_only_fields = fields


class CandidateSerializer(serializers.ModelSerializer):
    customer = CollectedCustomerSerializer(read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id", "customer", "rule", "rule_name", "state", "period", "months", "revenue", "members", "evidence",
            "manager", "reason", "decided_at", "created_at",
        ]
        read_only_fields = fields


class AdmitSerializer(serializers.Serializer):
    manager = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.filter(is_active=True), allow_null=True, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DecisionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DuplicatePairSerializer(serializers.ModelSerializer):
    a = CollectedCustomerSerializer(read_only=True)
    b = CollectedCustomerSerializer(read_only=True)

    class Meta:
        model = DuplicatePair
        fields = ["id", "a", "b", "org_unit", "score", "reasons", "state", "reason", "decided_at", "created_at"]
        read_only_fields = fields


class MergeRequestSerializer(serializers.Serializer):
    survivor = serializers.IntegerField(help_text="The id of the customer kept: a or b of the pair.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class MergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Merge
        fields = ["id", "pair", "survivor", "duplicate", "moved", "reason", "merged_by", "merged_at"]
        read_only_fields = fields


class FirstContactTaskSerializer(serializers.ModelSerializer):
    customer = CollectedCustomerSerializer(read_only=True)
    manager_name = serializers.CharField(source="manager.name", read_only=True)

    class Meta:
        model = FirstContactTask
        fields = ["id", "customer", "manager", "manager_name", "candidate", "due_on", "done", "done_at", "result", "created_at"]
        read_only_fields = fields


class DoneSerializer(serializers.Serializer):
    result = serializers.CharField(required=False, allow_blank=True, max_length=500)


JOB = inline_serializer("CollectionJobQueued", {"job": serializers.IntegerField()})


# --- Viewsets -------------------------------------------------------------------------------------


class AdmissionRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """大客户定义标准: the rules that turn billing data into key-account candidates."""

    queryset = AdmissionRule.objects.all()
    serializer_class = AdmissionRuleSerializer
    permission_classes = [CustomerApiPermissions]
    filterset_fields = ["customer_type", "is_active"]

    def _save(self, request, rule=None):
        data = AdmissionRuleWriteSerializer(instance=rule, data=request.data, partial=rule is not None)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        rule = services.rule_save(actor=request.user, rule=rule, reason=reason, **values)
        return AdmissionRuleSerializer(rule).data

    @extend_schema(request=AdmissionRuleWriteSerializer, responses={201: AdmissionRuleSerializer})
    def create(self, request):
        return Response(self._save(request), status=status.HTTP_201_CREATED)

    @extend_schema(request=AdmissionRuleWriteSerializer, responses=AdmissionRuleSerializer)
    def partial_update(self, request, pk=None):
        return Response(self._save(request, self.get_object()))


class CandidateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """大客户候选: potential customers whose bills meet an admission rule, to admit or reject."""

    queryset = Candidate.objects.select_related("customer", "customer__org_unit", "rule")
    serializer_class = CandidateSerializer
    permission_classes = [CustomerApiPermissions]
    filterset_fields = ["state", "rule", "customer", "period"]
    action_perms = {
        "admit": ["collection.view_candidate", "collection.review_candidate"],
        "reject": ["collection.view_candidate", "collection.review_candidate"],
        "generate": ["collection.add_candidate"],
    }

    def _fresh(self, candidate):
        return Response(self.get_serializer(self.get_queryset().get(pk=candidate.pk)).data)

    @extend_schema(request=AdmitSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def admit(self, request, pk=None):
        """纳入: the customer becomes current with ``manager``, who gets a first-contact task."""
        candidate = self.get_object()
        data = AdmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.candidate_admit(
            actor=request.user, candidate=candidate, manager=data.validated_data.get("manager"),
            note=data.validated_data.get("note", ""),
        )
        return self._fresh(candidate)

    @extend_schema(request=DecisionReasonSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """不纳入, with a required reason."""
        candidate = self.get_object()
        data = DecisionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.candidate_reject(actor=request.user, candidate=candidate, reason=data.validated_data.get("reason", ""))
        return self._fresh(candidate)

    @extend_schema(request=None, responses={202: JOB})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        """Queue the candidate search; follow it at /api/v1/system/jobs/{job}/."""
        run = services.candidates_generate_request(actor=request.user)
        return Response({"job": run.pk}, status=status.HTTP_202_ACCEPTED)


class DuplicatePairViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """疑似重复客户: the review queue of possible duplicates."""

    queryset = DuplicatePair.objects.select_related("a", "b", "a__org_unit", "b__org_unit")
    serializer_class = DuplicatePairSerializer
    permission_classes = [CustomerApiPermissions]
    filterset_fields = {"state": ["exact"], "score": ["gte"], "a": ["exact"], "b": ["exact"]}
    action_perms = {
        "merge": ["collection.view_duplicatepair", "collection.approve_merge"],
        "dismiss": ["collection.view_duplicatepair", "collection.change_duplicatepair"],
        "find": ["collection.add_duplicatepair"],
    }

    @extend_schema(request=MergeRequestSerializer, responses={201: MergeSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """归并: everything of the other customer moves to ``survivor``; the other becomes historical."""
        pair = self.get_object()
        data = MergeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        survivor_id = data.validated_data["survivor"]
        survivor = pair.a if survivor_id == pair.a_id else pair.b if survivor_id == pair.b_id else Customer(pk=survivor_id)
        merge = services.pair_merge(actor=request.user, pair=pair, survivor=survivor, reason=data.validated_data.get("reason", ""))
        return Response(MergeSerializer(merge).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionReasonSerializer, responses=DuplicatePairSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """非重复, with a required reason."""
        pair = self.get_object()
        data = DecisionReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.pair_dismiss(actor=request.user, pair=pair, reason=data.validated_data.get("reason", ""))
        return Response(self.get_serializer(self.get_queryset().get(pk=pair.pk)).data)

    @extend_schema(request=None, responses={202: JOB})
    @action(detail=False, methods=["post"])
    def find(self, request):
        """Queue the duplicate detection."""
        run = services.duplicates_find_request(actor=request.user)
        return Response({"job": run.pk}, status=status.HTTP_202_ACCEPTED)


class FirstContactTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """首次接触: the first contacts owed to admitted customers; ``?mine=true`` for the caller's own."""

    queryset = FirstContactTask.objects.select_related("customer", "customer__org_unit", "manager")
    serializer_class = FirstContactTaskSerializer
    permission_classes = [CustomerApiPermissions]
    filterset_fields = ["done", "manager", "customer"]
    action_perms = {"done": ["collection.view_firstcontacttask", "collection.change_firstcontacttask"]}

    def get_queryset(self):
        tasks = super().get_queryset()
        if self.request.query_params.get("mine") in ("1", "true"):
            tasks = tasks.filter(manager__user=self.request.user)
        return tasks

    @extend_schema(request=DoneSerializer, responses=FirstContactTaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Record that the first contact took place."""
        task = self.get_object()
        data = DoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.first_contact_done(actor=request.user, task=task, result=data.validated_data.get("result", ""))
        return Response(self.get_serializer(self.get_queryset().get(pk=task.pk)).data)
