"""REST API of the channels under /api/v1/channels/: agents (with their actions register,
deregister, authorise, revoke, level), accounts (balances), account transactions (payments
and withdrawals) and statements.

Lists and details are scoped by the default ``ScopeFilterBackend`` (another city's agent
answers 404) and guarded by model permissions; every write goes through
``kams.channels.services``, whose translated errors become ``{code, reason, message, status}``.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.channels import selectors, services
from kams.channels.filters import AgentFilter, TransactionFilter
from kams.channels.serializers import (
    AgentAccountSerializer,
    AgentAuthorisationSerializer,
    AgentAuthoriseSerializer,
    AgentLevelChangeSerializer,
    AgentLevelSerializer,
    AgentNoteSerializer,
    AgentReasonSerializer,
    AgentRevokeSerializer,
    AgentSerializer,
    AgentStatementSerializer,
    AgentTransactionSerializer,
    AgentTransactionWriteSerializer,
    AgentWriteSerializer,
)
from kams.customers.api import CustomerApiPermissions


def _valid(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class AgentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """代理商/分销商 (CH-01, CH-04, CH-05)."""

    serializer_class = AgentSerializer
    filterset_class = AgentFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {
        "register": ["channels.register_agent"], "deregister": ["channels.register_agent"],
        "authorise": ["channels.add_agentauthorisation"], "revoke": ["channels.delete_agentauthorisation"],
        "level": ["channels.grade_agent"], "accounts": ["channels.view_ledgeraccount"],
        "statement": ["channels.view_ledgerentry"], "level_history": ["channels.view_agentlevelchange"],
    }

    def get_queryset(self):
        return selectors.agents_for(self.request.user).prefetch_related("authorisations")

    def _fresh(self, agent, code=status.HTTP_200_OK):
        return Response(AgentSerializer(self.get_queryset().get(pk=agent.pk)).data, status=code)

    @extend_schema(request=AgentWriteSerializer, responses={201: AgentSerializer})
    def create(self, request):
        agent = services.agent_create(actor=request.user, **_valid(AgentWriteSerializer, request))
        return self._fresh(agent, status.HTTP_201_CREATED)

    @extend_schema(request=AgentWriteSerializer, responses=AgentSerializer)
    def partial_update(self, request, pk=None):
        data = _valid(AgentWriteSerializer, request, partial=True)
        data.pop("business_scope", None)
        return self._fresh(services.agent_update(actor=request.user, agent=self.get_object(), **data))

    @extend_schema(request=AgentNoteSerializer, responses=AgentSerializer)
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        agent = services.agent_register(actor=request.user, agent=self.get_object(),
                                        note=_valid(AgentNoteSerializer, request)["note"])
        return self._fresh(agent)

    @extend_schema(request=AgentReasonSerializer, responses=AgentSerializer)
    @action(detail=True, methods=["post"])
    def deregister(self, request, pk=None):
        agent = services.agent_deregister(actor=request.user, agent=self.get_object(),
                                          reason=_valid(AgentReasonSerializer, request)["reason"])
        return self._fresh(agent)

    @extend_schema(request=AgentAuthoriseSerializer, responses=AgentAuthorisationSerializer)
    @action(detail=True, methods=["post"])
    def authorise(self, request, pk=None):
        auth = services.authorisation_set(actor=request.user, agent=self.get_object(),
                                          **_valid(AgentAuthoriseSerializer, request))
        return Response(AgentAuthorisationSerializer(auth).data)

    @extend_schema(request=AgentRevokeSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        services.authorisation_revoke(actor=request.user, agent=self.get_object(), **_valid(AgentRevokeSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AgentLevelSerializer, responses=AgentLevelChangeSerializer)
    @action(detail=True, methods=["post"])
    def level(self, request, pk=None):
        change = services.level_change(actor=request.user, agent=self.get_object(), **_valid(AgentLevelSerializer, request))
        return Response(AgentLevelChangeSerializer(change).data)

    @extend_schema(responses=AgentLevelChangeSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="level-history")
    def level_history(self, request, pk=None):
        return Response(AgentLevelChangeSerializer(selectors.level_changes_of(self.get_object()), many=True).data)

    @extend_schema(responses=AgentAccountSerializer(many=True))
    @action(detail=True, methods=["get"])
    def accounts(self, request, pk=None):
        return Response(AgentAccountSerializer(selectors.accounts_of(self.get_object()), many=True).data)

    @extend_schema(parameters=[OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE)],
                   responses=AgentStatementSerializer)
    @action(detail=True, methods=["get"])
    def statement(self, request, pk=None):
        today = timezone.localdate()
        start = parse_date(request.query_params.get("start") or "") or today.replace(day=1)
        end = parse_date(request.query_params.get("end") or "") or today
        return Response(AgentStatementSerializer(selectors.statement(self.get_object(), start, end)).data)


class TransactionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """代理商帐户交易: every posting; POST a payment (交费) or a cash withdrawal (提现)."""

    serializer_class = AgentTransactionSerializer
    filterset_class = TransactionFilter
    permission_classes = [CustomerApiPermissions]

    def get_queryset(self):
        return selectors.transactions_for(self.request.user).prefetch_related("entries__account")

    @extend_schema(request=AgentTransactionWriteSerializer, responses={201: AgentTransactionSerializer})
    def create(self, request):
        data = _valid(AgentTransactionWriteSerializer, request)
        agent = selectors.agents_for(request.user).get_visible(request.user, pk=data.pop("agent"))
        service = services.account_payment if data.pop("kind") == "payment" else services.account_withdrawal
        txn = service(actor=request.user, agent=agent, **data)
        return Response(AgentTransactionSerializer(self.get_queryset().get(pk=txn.pk)).data, status=status.HTTP_201_CREATED)
