"""REST API of visits and customer care under /api/v1/care/ (SVC-07, SVC-08).

Reads are scoped by the default ``ScopeFilterBackend``; every write goes through
``kams.care.services``, which checks permission and scope again, runs the transaction and
writes the audit log.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from kams.care import selectors, services
from kams.care.filters import ActionFilter, MoveFilter, PlanFilter, ProposalFilter, StockFilter, VisitFilter
from kams.care.models import CareAction, CareProposal, CareRule, Gift, GiftMove, GiftStock, Visit
from kams.care.serializers import (
    AcceptSerializer,
    CareActionSerializer,
    CareActionWriteSerializer,
    CareProposalSerializer,
    CareReasonSerializer,
    CareRuleSerializer,
    GiftMoveSerializer,
    GiftSerializer,
    GiftStockSerializer,
    QuickItemSerializer,
    QuickResultSerializer,
    StockInSerializer,
    SurveySerializer,
    TransferSerializer,
    VisitCandidateSerializer,
    VisitPlanSerializer,
    VisitPlanWriteSerializer,
    VisitPostponeSerializer,
    VisitReassignSerializer,
    VisitSerializer,
)
from kams.customers.api import CustomerApiPermissions
from kams.customers.models import Customer
from kams.service.models import WorkItem


def _valid(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class VisitPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """回访计划: plans in scope; create and change drafts, preview the customers, approve."""

    serializer_class = VisitPlanSerializer
    filterset_class = PlanFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {
        "candidates": ["care.view_visitplan"],
        "approve": ["care.view_visitplan", "care.approve_visitplan"],
        "cancel": ["care.view_visitplan", "care.change_visitplan"],
    }

    def get_queryset(self):
        return selectors.plans_for(self.request.user)

    @extend_schema(request=VisitPlanWriteSerializer, responses={201: VisitPlanSerializer})
    def create(self, request):
        plan = services.visit_plan_save(actor=request.user, **_valid(VisitPlanWriteSerializer, request))
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VisitPlanWriteSerializer, responses=VisitPlanSerializer)
    def partial_update(self, request, pk=None):
        plan = services.visit_plan_save(
            actor=request.user, plan=self.get_object(), **_valid(VisitPlanWriteSerializer, request, partial=True)
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)

    @extend_schema(responses=VisitCandidateSerializer(many=True))
    @action(detail=True, methods=["get"])
    def candidates(self, request, pk=None):
        """预览: the customers the plan's conditions find now, with their last visit."""
        queryset = selectors.plan_candidates(self.get_object(), request.user)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(VisitCandidateSerializer(page, many=True).data)

    @extend_schema(request=None, responses=VisitPlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = services.visit_plan_approve(actor=request.user, plan=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)

    @extend_schema(request=CareReasonSerializer, responses=VisitPlanSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        plan = services.visit_plan_cancel(actor=request.user, plan=self.get_object(), **_valid(CareReasonSerializer, request))
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)


class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """回访任务: visits in scope; stop, reassign, postpone."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {name: ["care.view_visit", "care.change_visit"] for name in ("stop", "reassign", "postpone")}

    def get_queryset(self):
        return selectors.visits_for(self.request.user)

    def _done(self, visit):
        return Response(self.get_serializer(self.get_queryset().get(pk=visit.pk)).data)

    @extend_schema(request=CareReasonSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        return self._done(services.visit_stop(actor=request.user, visit=self.get_object(), **_valid(CareReasonSerializer, request)))

    @extend_schema(request=VisitReassignSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        return self._done(services.visit_reassign(actor=request.user, visit=self.get_object(), **_valid(VisitReassignSerializer, request)))

    @extend_schema(request=VisitPostponeSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def postpone(self, request, pk=None):
        return self._done(services.visit_postpone(actor=request.user, visit=self.get_object(), **_valid(VisitPostponeSerializer, request)))


class QuickStepViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """回访结果快速录入: my open visit steps; ``POST …/{id}/result/`` completes one."""

    serializer_class = QuickItemSerializer
    permission_classes = [CustomerApiPermissions]
    action_perms = {"list": ["care.change_visit"], "result": ["care.change_visit"]}
    filter_backends: list = []  # quick_items_for reads the person's own steps
    queryset = WorkItem.objects.none()

    def get_queryset(self):
        return selectors.quick_items_for(self.request.user)

    @extend_schema(request=QuickResultSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        from django.shortcuts import get_object_or_404

        item = get_object_or_404(self.get_queryset(), pk=pk)
        values = _valid(QuickResultSerializer, request)
        case = services.visit_result_quick(actor=request.user, item=item, **values)
        return Response({"case": case.pk, "number": case.number, "status": case.status, "data": case.data})


class VisitStatisticsView(APIView):
    """回访统计: planned / done / late by month, unit and manager; satisfaction; plan execution."""

    permission_classes = [CustomerApiPermissions]
    queryset = Visit.objects.none()

    @extend_schema(responses={200: dict})
    def get(self, request):
        from django.utils.dateparse import parse_date

        from kams.org.models import OrgUnit

        unit = request.query_params.get("unit", "")
        stats = selectors.visit_statistics(
            request.user, since=parse_date(request.query_params.get("since", "") or ""),
            until=parse_date(request.query_params.get("until", "") or ""),
            unit=OrgUnit.objects.visible_to(request.user).filter(pk=unit).first() if unit.isdigit() else None,
        )
        for row in stats["by_month"]:
            row["key"] = row["label"]
        return Response(stats)


class CareRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """关怀规则 (关怀模式库)."""

    queryset = CareRule.objects.all()
    serializer_class = CareRuleSerializer
    permission_classes = [CustomerApiPermissions]

    @extend_schema(request=CareRuleSerializer, responses={201: CareRuleSerializer})
    def create(self, request):
        rule = services.care_rule_save(actor=request.user, **_valid(CareRuleSerializer, request))
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CareRuleSerializer, responses=CareRuleSerializer)
    def partial_update(self, request, pk=None):
        rule = services.care_rule_save(actor=request.user, rule=self.get_object(), **_valid(CareRuleSerializer, request, partial=True))
        return Response(self.get_serializer(rule).data)

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"])
    def effect(self, request):
        """The effect of each rule and gift in scope: proposals, accepted, gifts, survey scores."""
        rules = selectors.care_effect_by_rule(request.user)
        gifts = selectors.care_effect_by_gift(request.user)
        return Response({
            "rules": [{**{k: v for k, v in r.items() if k != "rule"}, "rule": r["rule"].pk, "name": r["rule"].name} for r in rules],
            "gifts": [{**{k: v for k, v in g.items() if k != "gift"}, "gift": g["gift"].pk, "name": g["gift"].name} for g in gifts],
        })


class GiftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """礼品目录."""

    queryset = Gift.objects.all()
    serializer_class = GiftSerializer
    permission_classes = [CustomerApiPermissions]

    @extend_schema(request=GiftSerializer, responses={201: GiftSerializer})
    def create(self, request):
        gift = services.gift_save(actor=request.user, **_valid(GiftSerializer, request))
        return Response(self.get_serializer(gift).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GiftSerializer, responses=GiftSerializer)
    def partial_update(self, request, pk=None):
        gift = self.get_object()
        gift = services.gift_save(actor=request.user, gift=gift, **_valid(GiftSerializer, request, partial=True, instance=gift))
        return Response(self.get_serializer(gift).data)


class GiftStockViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """礼品库存 per unit in scope; stock in and transfers."""

    queryset = GiftStock.objects.select_related("gift")
    serializer_class = GiftStockSerializer
    filterset_class = StockFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"stock_in": ["care.add_giftstock"], "transfer": ["care.transfer_giftstock"]}

    @extend_schema(request=StockInSerializer, responses={201: GiftMoveSerializer})
    @action(detail=False, methods=["post"], url_path="in")
    def stock_in(self, request):
        move = services.stock_in(actor=request.user, **_valid(StockInSerializer, request))
        return Response(GiftMoveSerializer(move).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransferSerializer, responses={201: GiftMoveSerializer})
    @action(detail=False, methods=["post"])
    def transfer(self, request):
        move = services.stock_transfer(actor=request.user, **_valid(TransferSerializer, request))
        return Response(GiftMoveSerializer(move).data, status=status.HTTP_201_CREATED)


class GiftMoveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """礼品库存流水 (append-only)."""

    queryset = GiftMove.objects.all()
    serializer_class = GiftMoveSerializer
    filterset_class = MoveFilter
    permission_classes = [CustomerApiPermissions]


class CareProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """关怀建议: accept (a care record, the gift issued) or dismiss (with a reason)."""

    queryset = CareProposal.objects.select_related("customer")
    serializer_class = CareProposalSerializer
    filterset_class = ProposalFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {
        "accept": ["care.view_careproposal", "care.change_careproposal"],
        "dismiss": ["care.view_careproposal", "care.change_careproposal"],
    }

    @extend_schema(request=AcceptSerializer, responses={201: CareActionSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        values = _valid(AcceptSerializer, request)
        care = services.care_proposal_accept(actor=request.user, proposal=self.get_object(), use_proposed_gift="gift" not in values,
                                             **values)
        return Response(CareActionSerializer(care).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CareReasonSerializer, responses=CareProposalSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        proposal = services.care_proposal_dismiss(actor=request.user, proposal=self.get_object(), **_valid(CareReasonSerializer, request))
        return Response(self.get_serializer(proposal).data)


class CareActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """关怀记录: care given; record one, and its effect survey."""

    queryset = CareAction.objects.select_related("customer", "survey")
    serializer_class = CareActionSerializer
    filterset_class = ActionFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"survey": ["care.view_careaction", "care.add_caresurvey"]}

    @extend_schema(request=CareActionWriteSerializer, responses={201: CareActionSerializer})
    def create(self, request):
        values = _valid(CareActionWriteSerializer, request)
        values["customer"] = Customer.objects.get_visible(request.user, pk=values["customer"])
        care = services.care_action_record(actor=request.user, **values)
        return Response(self.get_serializer(care).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SurveySerializer, responses=CareActionSerializer)
    @action(detail=True, methods=["post"])
    def survey(self, request, pk=None):
        care = self.get_object()
        services.care_survey_record(actor=request.user, action=care, **_valid(SurveySerializer, request))
        return Response(self.get_serializer(self.get_queryset().get(pk=care.pk)).data)
