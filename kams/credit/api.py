"""REST API of credit management under /api/v1/credit/ (CUS-08).

Reads are scoped by the default ``ScopeFilterBackend``; every write goes through
``kams.credit.services``, which checks permission and scope again, runs the transaction and
writes the audit log and the credit log.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.credit import selectors, services
from kams.credit.filters import AccountCreditFilter, CreditChangeFilter, CreditExportFilter
from kams.credit.models import AccountCredit, CreditChange, CreditStandard, InitialGradeRule
from kams.credit.serializers import (
    AccountCreditSerializer,
    CreditChangeSerializer,
    CreditExportSerializer,
    CreditSetSerializer,
    CreditStandardSerializer,
    CreditStandardWriteSerializer,
    InitialGradeRuleSerializer,
)
from kams.customers.api import CustomerApiPermissions
from kams.customers.models import PayingAccount


class AccountCreditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """帐户信用度: grade and limit of the paying accounts in scope, addressed by account id."""

    queryset = AccountCredit.objects.select_related("account", "account__customer")
    serializer_class = AccountCreditSerializer
    filterset_class = AccountCreditFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"grade": ["credit.view_accountcredit", "credit.change_accountcredit"]}
    lookup_field = "account"
    lookup_value_regex = r"\d+"

    @extend_schema(request=CreditSetSerializer, responses=AccountCreditSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request, account=None):
        """人工设定信用度: set the grade (and optionally a custom limit) with a reason. Works
        for an account without a grade too."""
        target = PayingAccount.objects.get_visible(request.user, pk=account)
        data = CreditSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        credit = services.credit_set(
            actor=request.user, account=target, grade=values["grade"], limit=values.get("limit"), reason=values["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=credit.pk)).data)


class CreditChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """信用度日志: every operation on the credit of accounts in scope, newest first."""

    queryset = CreditChange.objects.select_related("account")
    serializer_class = CreditChangeSerializer
    filterset_class = CreditChangeFilter
    permission_classes = [CustomerApiPermissions]


class CreditStandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """信用评级标准: credit limit and thresholds of each grade."""

    queryset = CreditStandard.objects.all()
    serializer_class = CreditStandardSerializer
    permission_classes = [CustomerApiPermissions]
    lookup_field = "grade"
    filter_backends = []

    @extend_schema(request=CreditStandardWriteSerializer, responses=CreditStandardSerializer)
    def partial_update(self, request, grade=None):
        standard = self.get_object()
        data = CreditStandardWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        standard = services.credit_standard_save(actor=request.user, standard=standard, reason=reason, **values)
        return Response(self.get_serializer(standard).data)


class InitialGradeRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """初始信用等级规则: the rules that grade new accounts before activation."""

    queryset = InitialGradeRule.objects.all()
    serializer_class = InitialGradeRuleSerializer
    permission_classes = [CustomerApiPermissions]
    filter_backends = []
    action_perms = {"create": ["credit.change_initialgraderule"]}

    @extend_schema(request=InitialGradeRuleSerializer, responses={201: InitialGradeRuleSerializer})
    def create(self, request):
        data = InitialGradeRuleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = services.initial_rule_save(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InitialGradeRuleSerializer, responses=InitialGradeRuleSerializer)
    def partial_update(self, request, pk=None):
        rule = self.get_object()
        data = InitialGradeRuleSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rule = services.initial_rule_save(actor=request.user, rule=rule, **data.validated_data)
        return Response(self.get_serializer(rule).data)


class CreditExportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """信用控制接口: grades and limits for the billing system's credit control, oldest change
    first; ``changed_since`` gives only what changed since the last fetch
    (docs/formats/credit-export.md)."""

    queryset = AccountCredit.objects.all()
    serializer_class = CreditExportSerializer
    filterset_class = CreditExportFilter
    permission_classes = [CustomerApiPermissions]

    def get_queryset(self):
        return selectors.credit_export(self.request.user)
