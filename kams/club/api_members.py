"""API of members and levels (owned by the members part) under /api/v1/club/:
``register(router)`` adds its viewsets.

Reads are scoped by the default ``ScopeFilterBackend`` and the scoped selectors; every write
goes through ``kams.club.members``, ``kams.club.levels`` or ``kams.club.dunning``, which check
permission and scope again, run the transaction and write the audit log.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.club import dunning, levels, members
from kams.club import member_selectors as selectors
from kams.club.enums import LevelChangeKind
from kams.club.filters_members import ArrearsFilter, DunningFilter, LevelChangeFilter, MemberFilter, RiskFilter
from kams.club.models import ClubLevel, LevelRun
from kams.club.serializers_members import (
    ClubApplicantSerializer,
    ClubApproveSerializer,
    ClubDunningHandleSerializer,
    ClubDunningMarkSerializer,
    ClubDunningSerializer,
    ClubLevelChangeSerializer,
    ClubLevelRunSerializer,
    ClubLevelRunStartSerializer,
    ClubLevelSerializer,
    ClubLevelWriteSerializer,
    ClubManualChangeSerializer,
    ClubMemberArrearsSerializer,
    ClubMemberAtRiskSerializer,
    ClubMemberCreateSerializer,
    ClubMemberSerializer,
    ClubMemberUpdateSerializer,
    ClubRejectSerializer,
)
from kams.customers.api import CustomerApiPermissions

VIEW = "club.view_clubmember"
REVIEW = "club.review_clubmember"


def _valid(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _member_values(values: dict) -> dict:
    if "preferences" in values:
        values["preferences"] = {k: v for k, v in dict(values["preferences"]).items() if v}
    return values


class ClubMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """俱乐部会员: members in scope; admission (create), data changes, the qualification review,
    manual level changes, members in arrears and members at risk."""

    serializer_class = ClubMemberSerializer
    filterset_class = MemberFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {
        "approve": [VIEW, REVIEW], "reject": [VIEW, REVIEW], "change_level": [VIEW, REVIEW], "review": [VIEW, REVIEW],
        "at_risk": [VIEW], "arrears": [VIEW],
    }

    def get_queryset(self):
        return selectors.members_for(self.request.user).select_related("points")

    def _one(self, member, status_code=status.HTTP_200_OK):
        return Response(ClubMemberSerializer(self.get_queryset().get(pk=member.pk), context=self.get_serializer_context()).data,
                        status=status_code)

    def _page(self, queryset, filter_class, serializer_class, **context):
        queryset = filter_class(self.request.query_params or None, queryset=queryset, request=self.request).qs
        page = self.paginate_queryset(queryset)
        serializer = serializer_class(page, many=True, context={**self.get_serializer_context(), **context})
        return self.get_paginated_response(serializer.data)

    @extend_schema(request=ClubMemberCreateSerializer, responses={201: ClubMemberSerializer})
    def create(self, request):
        values = _member_values(_valid(ClubMemberCreateSerializer, request, context={"request": request}))
        member = members.member_create(actor=request.user, customer=values.pop("customer"), name=values.pop("name"),
                                       level=values.pop("level"), admit=values.pop("admit"),
                                       reason=values.pop("reason"), **values)
        return self._one(member, status.HTTP_201_CREATED)

    @extend_schema(request=ClubMemberUpdateSerializer, responses=ClubMemberSerializer)
    def partial_update(self, request, pk=None):
        values = _member_values(_valid(ClubMemberUpdateSerializer, request, partial=True))
        if "preferences" in values:
            member = self.get_object()
            current = member.preferences if isinstance(member.preferences, dict) else {}
            values["preferences"] = {**current, **values["preferences"]}
        member = members.member_update(actor=request.user, member=self.get_object(), reason=values.pop("reason", ""),
                                       **values)
        return self._one(member)

    @extend_schema(request=ClubApproveSerializer, responses=ClubMemberSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """会员资格审核: admit the applicant (at its level, or at ``level``)."""
        values = _valid(ClubApproveSerializer, request)
        return self._one(levels.member_approve(actor=request.user, member=self.get_object(), **values))

    @extend_schema(request=ClubRejectSerializer, responses=ClubMemberSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._one(levels.member_reject(actor=request.user, member=self.get_object(),
                                              **_valid(ClubRejectSerializer, request)))

    @extend_schema(request=ClubManualChangeSerializer, responses=ClubMemberSerializer)
    @action(detail=True, methods=["post"], url_path="change-level")
    def change_level(self, request, pk=None):
        """会员级别修改: a new level (and status: reinstate or suspend) by hand, with a reason."""
        values = _valid(ClubManualChangeSerializer, request)
        return self._one(levels.member_level_change(actor=request.user, member=self.get_object(), level=values["level"],
                                                    reason=values["reason"], status=values["new_status"]))

    @extend_schema(responses=ClubApplicantSerializer(many=True))
    @action(detail=False, methods=["get"])
    def review(self, request):
        """Applicants awaiting the review, with their figures against the level's rules."""
        queryset = MemberFilter(request.query_params or None, queryset=selectors.applicants_for(request.user),
                                request=request).qs
        page = self.paginate_queryset(queryset)
        context = {**self.get_serializer_context(), "figures": levels.review_figures(list(page))}
        return self.get_paginated_response(ClubApplicantSerializer(page, many=True, context=context).data)

    @extend_schema(responses=ClubMemberAtRiskSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="at-risk")
    def at_risk(self, request):
        """会员挽留: members with a reason to fear that they leave."""
        return self._page(selectors.members_at_risk(request.user), RiskFilter, ClubMemberAtRiskSerializer)

    @extend_schema(responses=ClubMemberArrearsSerializer(many=True))
    @action(detail=False, methods=["get"])
    def arrears(self, request):
        """查询欠费催欠会员: members whose customer owes money."""
        return self._page(selectors.members_in_arrears(request.user), ArrearsFilter, ClubMemberArrearsSerializer)


class ClubLevelChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Level changes in scope: admissions, monthly runs, manual changes, inspections."""

    serializer_class = ClubLevelChangeSerializer
    filterset_class = LevelChangeFilter
    permission_classes = [CustomerApiPermissions]

    def get_queryset(self):
        return selectors.level_changes_for(self.request.user).order_by("-created_at", "-id")


class ClubLevelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """会员级别 with their rules; headquarters' club staff change thresholds."""

    serializer_class = ClubLevelSerializer
    permission_classes = [CustomerApiPermissions]
    queryset = ClubLevel.objects.order_by("rank")

    @extend_schema(request=ClubLevelWriteSerializer, responses=ClubLevelSerializer)
    def partial_update(self, request, pk=None):
        values = _valid(ClubLevelWriteSerializer, request, partial=True)
        level = levels.level_update(actor=request.user, level=self.get_object(), reason=values.pop("reason", ""), **values)
        return Response(ClubLevelSerializer(level).data)


class _RunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ClubLevelRunSerializer
    permission_classes = [CustomerApiPermissions]
    kind = ""

    def get_queryset(self):
        return selectors.level_runs(self.kind)


class ClubLevelRunViewSet(_RunViewSet):
    """会员升降级处理: the monthly runs; ``POST`` runs a month (again: nothing changes)."""

    kind = LevelChangeKind.AUTO
    queryset = LevelRun.objects.none()
    action_perms = {"list": [REVIEW], "retrieve": [REVIEW], "create": [REVIEW]}

    @extend_schema(request=ClubLevelRunStartSerializer, responses={201: ClubLevelRunSerializer})
    def create(self, request):
        run = levels.levels_evaluate(actor=request.user, **_valid(ClubLevelRunStartSerializer, request))
        return Response(ClubLevelRunSerializer(run).data, status=status.HTTP_201_CREATED)


class ClubInspectionViewSet(_RunViewSet):
    """会员年检: the inspections; ``POST`` inspects the members that are due."""

    kind = LevelChangeKind.INSPECTION
    queryset = LevelRun.objects.none()
    action_perms = {"list": ["club.inspect_clubmember"], "retrieve": ["club.inspect_clubmember"],
                    "create": ["club.inspect_clubmember"]}

    @extend_schema(request=None, responses={201: ClubLevelRunSerializer})
    def create(self, request):
        run = levels.members_inspect(actor=request.user)
        return Response(ClubLevelRunSerializer(run).data, status=status.HTTP_201_CREATED)


class ClubDunningViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """欠费催欠: ``POST`` marks a member for dunning (review); ``…/handle/`` records the contact
    result; ``…/case/`` opens the arrears process."""

    serializer_class = ClubDunningSerializer
    filterset_class = DunningFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"list": [VIEW], "retrieve": [VIEW], "create": [VIEW, REVIEW],
                    "handle": [VIEW, "club.change_clubmember"], "case": [VIEW, "club.change_clubmember"]}

    def get_queryset(self):
        return selectors.dunnings_for(self.request.user)

    def _one(self, record, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data, status=status_code)

    @extend_schema(request=ClubDunningMarkSerializer, responses={201: ClubDunningSerializer})
    def create(self, request):
        values = _valid(ClubDunningMarkSerializer, request, context={"request": request})
        return self._one(dunning.dunning_mark(actor=request.user, **values), status.HTTP_201_CREATED)

    @extend_schema(request=ClubDunningHandleSerializer, responses=ClubDunningSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        values = _valid(ClubDunningHandleSerializer, request)
        return self._one(dunning.dunning_handle(actor=request.user, dunning=self.get_object(), **values))

    @extend_schema(request=None, responses=ClubDunningSerializer)
    @action(detail=True, methods=["post"])
    def case(self, request, pk=None):
        return self._one(dunning.dunning_open_case(actor=request.user, dunning=self.get_object()))


def register(router) -> None:
    router.register("members", ClubMemberViewSet, basename="clubmember")
    router.register("level-changes", ClubLevelChangeViewSet, basename="clublevelchange")
    router.register("levels", ClubLevelViewSet, basename="clublevel")
    router.register("level-runs", ClubLevelRunViewSet, basename="clublevelrun")
    router.register("inspections", ClubInspectionViewSet, basename="clubinspection")
    router.register("dunnings", ClubDunningViewSet, basename="clubdunning")
