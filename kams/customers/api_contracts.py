"""REST API of contracts (CUS-09) under /api/v1/customers/contracts/."""

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from kams.customers import selectors, services
from kams.customers.enums import ContractState, ContractType
from kams.customers.models import Contract, Customer, PayingAccount


class ContractSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    accounts = serializers.SlugRelatedField(slug_field="account_no", many=True, read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id", "contract_no", "title", "contract_type", "state", "value", "signed_on", "valid_from", "valid_to",
            "terms", "customer", "customer_name", "accounts", "attachments", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_attachments(self, obj) -> list[dict]:
        return [{"id": a.pk, "name": a.name, "size": a.size, "sha256": a.sha256} for a in obj.attachments.all()]


class ContractWriteSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    contract_no = serializers.RegexField(r"^[A-Za-z0-9-]{3,40}$", required=False)
    title = serializers.CharField(max_length=200)
    contract_type = serializers.ChoiceField(choices=ContractType.choices)
    value = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    signed_on = serializers.DateField(required=False, allow_null=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    terms = serializers.CharField(required=False, allow_blank=True)
    accounts = serializers.SlugRelatedField(
        slug_field="account_no", many=True, queryset=PayingAccount.objects.all(), required=False
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ContractFilter(django_filters.FilterSet):
    expiring = django_filters.BooleanFilter(method="filter_expiring")

    class Meta:
        model = Contract
        fields = ["customer", "state", "contract_type", "expiring"]

    def filter_expiring(self, queryset, name, value) -> object:
        if not value:
            return queryset
        return queryset.filter(pk__in=selectors.contracts_expiring(self.request.user).values("pk"))


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """客户合同: contracts of the customers in the caller's scope."""

    queryset = Contract.objects.select_related("customer").prefetch_related("accounts", "attachments")
    serializer_class = ContractSerializer
    filterset_class = ContractFilter

    @extend_schema(request=ContractWriteSerializer, responses={201: ContractSerializer})
    def create(self, request):
        data = ContractWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        missing = [f for f in ("customer", "contract_no") if f not in values]
        if missing:
            raise serializers.ValidationError({f: [serializers.Field.default_error_messages["required"]] for f in missing})
        customer = selectors.customer_get(request.user, values.pop("customer").pk)
        values.pop("reason", None)
        accounts = values.pop("accounts", [])
        contract = services.contract_create(actor=request.user, customer=customer, accounts=accounts, **values)
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ContractWriteSerializer, responses=ContractSerializer)
    def partial_update(self, request, pk=None):
        contract = self.get_object()
        data = ContractWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("customer", None)
        values.pop("contract_no", None)
        reason = values.pop("reason", "")
        accounts = values.pop("accounts", None)
        contract = services.contract_update(actor=request.user, contract=contract, accounts=accounts, reason=reason, **values)
        return Response(ContractSerializer(contract).data)

    @extend_schema(
        request=inline_serializer("ContractMove", {"to": serializers.ChoiceField(choices=ContractState.choices), "reason": serializers.CharField(required=False)}),
        responses=ContractSerializer,
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        contract = self.get_object()
        to = request.data.get("to")
        if to not in ContractState.values:
            raise serializers.ValidationError({"to": [serializers.ChoiceField.default_error_messages["invalid_choice"].format(input=to)]})
        contract = services.contract_move(actor=request.user, contract=contract, to=to, reason=str(request.data.get("reason", "")))
        return Response(ContractSerializer(contract).data)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("ContractUpload", {"file": serializers.FileField()})},
        responses={201: ContractSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        contract = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [serializers.Field.default_error_messages["required"]]})
        services.contract_attach(actor=request.user, contract=contract, upload=upload)
        return Response(ContractSerializer(self.get_object()).data, status=status.HTTP_201_CREATED)
