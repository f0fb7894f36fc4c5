"""REST API of preferential policies (CUS-12) and training/feedback records (CUS-13)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.customers import selectors, services
from kams.customers.enums import Business, CareKind, PreferenceKind
from kams.customers.models import CareRecord, Customer, PayingAccount, Preference


class PreferenceSerializer(serializers.ModelSerializer):
    accounts = serializers.SlugRelatedField(slug_field="account_no", many=True, read_only=True)

    class Meta:
        model = Preference
        fields = [
            "id", "customer", "title", "business", "kind", "value", "monthly_value", "valid_from", "valid_to",
            "accounts", "state", "approval_level", "requested_by", "decided_by", "decided_at", "decision_note", "created_at",
        ]
        read_only_fields = fields


class PreferenceWriteSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    title = serializers.CharField(max_length=120)
    business = serializers.ChoiceField(choices=Business.choices)
    kind = serializers.ChoiceField(choices=PreferenceKind.choices)
    value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    monthly_value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    accounts = serializers.SlugRelatedField(slug_field="account_no", many=True, queryset=PayingAccount.objects.all(), required=False)


NOTE = inline_serializer("PreferenceDecision", {"note": serializers.CharField(required=False, allow_blank=True)})


class PreferenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """优惠政策: discounts granted to customers, approved at the level their size needs."""

    queryset = Preference.objects.prefetch_related("accounts")
    serializer_class = PreferenceSerializer
    filterset_fields = ["customer", "state", "approval_level"]

    @extend_schema(request=PreferenceWriteSerializer, responses={201: PreferenceSerializer})
    def create(self, request):
        data = PreferenceWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = selectors.customer_get(request.user, values.pop("customer").pk)
        accounts = values.pop("accounts", [])
        preference = services.preference_create(actor=request.user, customer=customer, accounts=accounts, **values)
        return Response(PreferenceSerializer(preference).data, status=status.HTTP_201_CREATED)

    def _act(self, request, call):
        preference = call(self.get_object())
        return Response(PreferenceSerializer(preference).data)

    @extend_schema(request=None, responses=PreferenceSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, lambda p: services.preference_submit(actor=request.user, preference=p))

    @extend_schema(request=NOTE, responses=PreferenceSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        note = str(request.data.get("note", ""))
        return self._act(request, lambda p: services.preference_decide(actor=request.user, preference=p, approve=True, note=note))

    @extend_schema(request=NOTE, responses=PreferenceSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        note = str(request.data.get("note", ""))
        return self._act(request, lambda p: services.preference_decide(actor=request.user, preference=p, approve=False, note=note))

    @extend_schema(request=NOTE, responses=PreferenceSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        note = str(request.data.get("note", ""))
        return self._act(request, lambda p: services.preference_withdraw(actor=request.user, preference=p, reason=note))


class CareRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = CareRecord
        fields = ["id", "customer", "kind", "title", "happened_on", "attendees", "content", "outcome", "satisfaction", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"customer": {"queryset": Customer.objects.all()}, "kind": {"choices": CareKind.choices}}


class CareRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """客户培训与反馈 records."""

    queryset = CareRecord.objects.all()
    serializer_class = CareRecordSerializer
    filterset_fields = ["customer", "kind"]

    def create(self, request):
        data = CareRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = selectors.customer_get(request.user, values.pop("customer").pk)
        record = services.care_record_add(actor=request.user, customer=customer, **values)
        return Response(CareRecordSerializer(record).data, status=status.HTTP_201_CREATED)
