"""REST API of billing data under /api/v1/billing/."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from kams.billing import selectors, services
from kams.billing.models import BillImport, BillSummary


class BillImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = BillImport
        fields = [
            "id", "period", "file_name", "sha256", "state", "superseded", "row_count", "total", "paid",
            "error_count", "errors", "reconciliation", "job", "created_at",
        ]
        read_only_fields = fields


class BillImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """帐务数据导入 (INT-01): POST a .csv/.xlsx file with its period; the job validates every
    row first and loads only a clean file, replacing that period."""

    queryset = BillImport.objects.all()
    serializer_class = BillImportSerializer
    filterset_fields = ["period", "state"]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("BillImportUpload", {"period": serializers.CharField(), "file": serializers.FileField()})},
        responses={201: BillImportSerializer},
    )
    def create(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [serializers.Field.default_error_messages["required"]]})
        batch = services.bill_import_create(actor=request.user, upload=upload, period=str(request.data.get("period", "")))
        return Response(BillImportSerializer(batch).data, status=status.HTTP_201_CREATED)

    def get_parsers(self):
        if getattr(self, "action", None) == "create" or (self.request and self.request.method == "POST"):
            return [MultiPartParser()]
        return super().get_parsers()


class BillSummarySerializer(serializers.ModelSerializer):
    account_no = serializers.CharField(source="account.account_no", read_only=True)

    class Meta:
        model = BillSummary
        fields = [
            "id", "period", "customer", "account", "account_no", "msisdn", "fee_mobile", "fee_data", "fee_voip",
            "fee_long_distance", "fee_local", "fee_leased_line", "fee_internet", "total", "paid", "arrears",
            "due_on", "paid_on",
        ]
        read_only_fields = fields


class BillSummaryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bill summaries of the customers in the caller's scope (CUS-10)."""

    queryset = BillSummary.objects.select_related("account")
    serializer_class = BillSummarySerializer
    filterset_fields = {"customer": ["exact"], "account": ["exact"], "period": ["exact", "gte", "lte"], "arrears": ["gt"]}


class ArrearsSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    customer__code = serializers.CharField()
    customer__name = serializers.CharField()
    arrears = serializers.DecimalField(max_digits=16, decimal_places=2)
    months = serializers.IntegerField()
    oldest = serializers.DateField()


class ArrearsViewSet(viewsets.GenericViewSet):
    """欠费: customers in scope that owe money, largest first."""

    queryset = BillSummary.objects.none()
    serializer_class = ArrearsSerializer
    filter_backends = []

    @extend_schema(responses=ArrearsSerializer(many=True))
    def list(self, request):
        rows = selectors.arrears_by_customer(request.user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ArrearsSerializer(page, many=True).data)
