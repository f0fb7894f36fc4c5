"""REST API of the club's service information under /api/v1/club/info/ (CLUB-05, CLUB-06,
CLUB-20, CLUB-23).

Reads are scoped: by the default ``ScopeFilterBackend``, or — for activities and
announcements, which are read down the tree from the province — by the selectors, which then
replace that backend. Every write goes through ``kams.clubinfo.services``, which checks
permission and scope again, runs the transaction and writes the audit log.
"""

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.clubinfo import selectors, services
from kams.clubinfo.filters import (
    ActivityFilter,
    AnnouncementFilter,
    CareFilter,
    ConsultationFilter,
    GiftFilter,
    IndicatorFilter,
    OutletFilter,
    RegistrationFilter,
    ServiceContentFilter,
    StandardFilter,
)
from kams.clubinfo.models import (
    Activity,
    ActivityRegistration,
    Announcement,
    Evaluation,
    EvaluationIndicator,
    MemberCare,
    MemberConsultation,
    MemberGift,
    ServiceContent,
    ServiceOutlet,
    ServiceStandard,
)
from kams.clubinfo.serializers import (
    ClubInfoActivityFiguresSerializer,
    ClubInfoActivitySerializer,
    ClubInfoAnnouncementSerializer,
    ClubInfoAnswerSerializer,
    ClubInfoAttendanceResultSerializer,
    ClubInfoAttendanceSerializer,
    ClubInfoCareSerializer,
    ClubInfoCareWriteSerializer,
    ClubInfoCloseSerializer,
    ClubInfoConsultationSerializer,
    ClubInfoConsultationWriteSerializer,
    ClubInfoEvaluationRunSerializer,
    ClubInfoEvaluationSerializer,
    ClubInfoEvaluationValueWriteSerializer,
    ClubInfoFeedbackSerializer,
    ClubInfoGiftSerializer,
    ClubInfoGiftWriteSerializer,
    ClubInfoIndicatorSerializer,
    ClubInfoOutletSerializer,
    ClubInfoRankingRowSerializer,
    ClubInfoReasonSerializer,
    ClubInfoRegisterSerializer,
    ClubInfoRegistrationSerializer,
    ClubInfoServiceContentSerializer,
    ClubInfoStandardSerializer,
)
from kams.core.errors import InvalidInput
from kams.customers.api import CustomerApiPermissions


def _valid(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class _ReadWriteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [CustomerApiPermissions]


class StandardViewSet(_ReadWriteViewSet):
    """服务标准 per level."""

    queryset = ServiceStandard.objects.select_related("level")
    serializer_class = ClubInfoStandardSerializer
    filterset_class = StandardFilter

    @extend_schema(request=ClubInfoStandardSerializer, responses={201: ClubInfoStandardSerializer})
    def create(self, request):
        standard = services.standard_save(actor=request.user, **_valid(ClubInfoStandardSerializer, request))
        return Response(self.get_serializer(standard).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClubInfoStandardSerializer, responses=ClubInfoStandardSerializer)
    def partial_update(self, request, pk=None):
        standard = self.get_object()
        values = _valid(ClubInfoStandardSerializer, request, partial=True, instance=standard)
        return Response(self.get_serializer(services.standard_save(actor=request.user, standard=standard, **values)).data)


class ServiceContentViewSet(_ReadWriteViewSet):
    """服务内容: the catalogue of member services and the levels entitled."""

    queryset = ServiceContent.objects.prefetch_related("levels")
    serializer_class = ClubInfoServiceContentSerializer
    filterset_class = ServiceContentFilter

    @extend_schema(request=ClubInfoServiceContentSerializer, responses={201: ClubInfoServiceContentSerializer})
    def create(self, request):
        values = _valid(ClubInfoServiceContentSerializer, request)
        content = services.service_content_save(actor=request.user, levels=values.pop("levels", None), **values)
        return Response(self.get_serializer(content).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClubInfoServiceContentSerializer, responses=ClubInfoServiceContentSerializer)
    def partial_update(self, request, pk=None):
        content = self.get_object()
        values = _valid(ClubInfoServiceContentSerializer, request, partial=True, instance=content)
        content = services.service_content_save(actor=request.user, content=content, levels=values.pop("levels", None),
                                                **values)
        return Response(self.get_serializer(content).data)


class OutletViewSet(_ReadWriteViewSet):
    """服务网点 of every city."""

    queryset = ServiceOutlet.objects.select_related("city").prefetch_related("services", "levels")
    serializer_class = ClubInfoOutletSerializer
    filterset_class = OutletFilter

    @extend_schema(request=ClubInfoOutletSerializer, responses={201: ClubInfoOutletSerializer})
    def create(self, request):
        values = _valid(ClubInfoOutletSerializer, request)
        outlet = services.outlet_save(actor=request.user, services=values.pop("services", None),
                                      levels=values.pop("levels", None), **values)
        return Response(self.get_serializer(outlet).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClubInfoOutletSerializer, responses=ClubInfoOutletSerializer)
    def partial_update(self, request, pk=None):
        outlet = self.get_object()
        values = _valid(ClubInfoOutletSerializer, request, partial=True, instance=outlet)
        outlet = services.outlet_save(actor=request.user, outlet=outlet, services=values.pop("services", None),
                                      levels=values.pop("levels", None), **values)
        return Response(self.get_serializer(outlet).data)


class ActivityViewSet(_ReadWriteViewSet):
    """俱乐部会员活动: plan, open, register members, confirm attendance (credits the points),
    close with the cost and a summary, or cancel."""

    serializer_class = ClubInfoActivitySerializer
    filterset_class = ActivityFilter
    filter_backends = [DjangoFilterBackend]  # activities_for scopes (and reads province activities down the tree)
    queryset = Activity.objects.none()
    action_perms = {
        "open": ["clubinfo.change_activity"], "cancel": ["clubinfo.change_activity"],
        "attendance": ["clubinfo.change_activity"], "close": ["clubinfo.change_activity"],
        "register": ["clubinfo.add_activityregistration"],
        "registrations": ["clubinfo.view_activityregistration"], "figures": ["clubinfo.view_activity"],
    }

    def get_queryset(self):
        return selectors.activities_for(self.request.user).prefetch_related("levels")

    def _done(self, activity):
        return Response(self.get_serializer(self.get_queryset().get(pk=activity.pk)).data)

    @extend_schema(request=ClubInfoActivitySerializer, responses={201: ClubInfoActivitySerializer})
    def create(self, request):
        values = _valid(ClubInfoActivitySerializer, request)
        activity = services.activity_save(actor=request.user, levels=values.pop("levels", None), **values)
        return Response(self.get_serializer(self.get_queryset().get(pk=activity.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClubInfoActivitySerializer, responses=ClubInfoActivitySerializer)
    def partial_update(self, request, pk=None):
        activity = self.get_object()
        values = _valid(ClubInfoActivitySerializer, request, partial=True, instance=activity)
        return self._done(services.activity_save(actor=request.user, activity=activity, levels=values.pop("levels", None),
                                                 **values))

    @extend_schema(request=None, responses=ClubInfoActivitySerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._done(services.activity_open(actor=request.user, activity=self.get_object()))

    @extend_schema(request=ClubInfoReasonSerializer, responses=ClubInfoActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._done(services.activity_cancel(actor=request.user, activity=self.get_object(),
                                                   **_valid(ClubInfoReasonSerializer, request)))

    @extend_schema(request=ClubInfoRegisterSerializer, responses={201: ClubInfoRegistrationSerializer})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        registration = services.activity_register(actor=request.user, activity=self.get_object(),
                                                  **_valid(ClubInfoRegisterSerializer, request))
        return Response(ClubInfoRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClubInfoAttendanceSerializer, responses=ClubInfoAttendanceResultSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        members = _valid(ClubInfoAttendanceSerializer, request)["members"]
        attended = services.activity_attendance_confirm(actor=request.user, activity=self.get_object(), members=members)
        return Response({"attended": attended})

    @extend_schema(request=ClubInfoCloseSerializer, responses=ClubInfoActivitySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._done(services.activity_close(actor=request.user, activity=self.get_object(),
                                                  **_valid(ClubInfoCloseSerializer, request)))

    @extend_schema(responses=ClubInfoRegistrationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def registrations(self, request, pk=None):
        rows = selectors.activity_registrations(request.user, self.get_object())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ClubInfoRegistrationSerializer(page, many=True).data)

    @extend_schema(responses=ClubInfoActivityFiguresSerializer)
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        return Response(ClubInfoActivityFiguresSerializer(selectors.activity_figures(self.get_object())).data)


class RegistrationViewSet(_ReadWriteViewSet):
    """活动报名 of the members in scope: cancel, record feedback."""

    serializer_class = ClubInfoRegistrationSerializer
    filterset_class = RegistrationFilter
    queryset = ActivityRegistration.objects.select_related("activity", "member")
    action_perms = {
        "cancel": ["clubinfo.change_activityregistration"], "feedback": ["clubinfo.change_activityregistration"],
    }

    @extend_schema(request=ClubInfoReasonSerializer, responses=ClubInfoRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        registration = services.activity_unregister(actor=request.user, registration=self.get_object(),
                                                    **_valid(ClubInfoReasonSerializer, request))
        return Response(self.get_serializer(registration).data)

    @extend_schema(request=ClubInfoFeedbackSerializer, responses=ClubInfoRegistrationSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        registration = services.activity_feedback_record(actor=request.user, registration=self.get_object(),
                                                         **_valid(ClubInfoFeedbackSerializer, request))
        return Response(self.get_serializer(registration).data)


class ConsultationViewSet(_ReadWriteViewSet):
    """会员咨询 (a support consultation linked to the member)."""

    serializer_class = ClubInfoConsultationSerializer
    filterset_class = ConsultationFilter
    queryset = MemberConsultation.objects.select_related("member", "consultation__answered_by")
    action_perms = {"answer": ["clubinfo.change_memberconsultation"]}

    @extend_schema(request=ClubInfoConsultationWriteSerializer, responses={201: ClubInfoConsultationSerializer})
    def create(self, request):
        link = services.member_consultation_record(actor=request.user,
                                                   **_valid(ClubInfoConsultationWriteSerializer, request))
        return Response(self.get_serializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClubInfoAnswerSerializer, responses=ClubInfoConsultationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        link = services.member_consultation_answer(actor=request.user, link=self.get_object(),
                                                   **_valid(ClubInfoAnswerSerializer, request))
        return Response(self.get_serializer(link).data)


class CareViewSet(_ReadWriteViewSet):
    """会员人情服务."""

    serializer_class = ClubInfoCareSerializer
    filterset_class = CareFilter
    queryset = MemberCare.objects.select_related("member", "gift")

    @extend_schema(request=ClubInfoCareWriteSerializer, responses={201: ClubInfoCareSerializer})
    def create(self, request):
        care = services.member_care_record(actor=request.user, **_valid(ClubInfoCareWriteSerializer, request))
        return Response(self.get_serializer(care).data, status=status.HTTP_201_CREATED)


class GiftViewSet(_ReadWriteViewSet):
    """礼物赠送: gifts issued to members from the care stock."""

    serializer_class = ClubInfoGiftSerializer
    filterset_class = GiftFilter
    queryset = MemberGift.objects.select_related("member", "gift")

    @extend_schema(request=ClubInfoGiftWriteSerializer, responses={201: ClubInfoGiftSerializer})
    def create(self, request):
        gift = services.member_gift_issue(actor=request.user, **_valid(ClubInfoGiftWriteSerializer, request))
        return Response(self.get_serializer(gift).data, status=status.HTTP_201_CREATED)


class IndicatorViewSet(_ReadWriteViewSet):
    """俱乐部服务效果评估指标."""

    queryset = EvaluationIndicator.objects.all()
    serializer_class = ClubInfoIndicatorSerializer
    filterset_class = IndicatorFilter

    @extend_schema(request=ClubInfoIndicatorSerializer, responses={201: ClubInfoIndicatorSerializer})
    def create(self, request):
        indicator = services.indicator_save(actor=request.user, **_valid(ClubInfoIndicatorSerializer, request))
        return Response(self.get_serializer(indicator).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClubInfoIndicatorSerializer, responses=ClubInfoIndicatorSerializer)
    def partial_update(self, request, pk=None):
        indicator = self.get_object()
        values = _valid(ClubInfoIndicatorSerializer, request, partial=True, instance=indicator)
        return Response(self.get_serializer(services.indicator_save(actor=request.user, indicator=indicator, **values)).data)


class EvaluationViewSet(_ReadWriteViewSet):
    """俱乐部服务效果评估: evaluations per city and period; run a period, enter values measured
    by hand, read one period's ranking with the previous scores."""

    serializer_class = ClubInfoEvaluationSerializer
    queryset = Evaluation.objects.select_related("org_unit").prefetch_related("values__indicator")
    action_perms = {
        "run": ["clubinfo.add_evaluation"], "value": ["clubinfo.change_evaluation"],
        "ranking": ["clubinfo.view_evaluation"],
    }

    def get_queryset(self):
        queryset = super().get_queryset()
        start, end = parse_date(self.request.query_params.get("start", "") or ""), parse_date(
            self.request.query_params.get("end", "") or "")
        if start and end:
            queryset = queryset.filter(period_start=start, period_end=end)
        return queryset

    @extend_schema(request=ClubInfoEvaluationRunSerializer, responses={201: ClubInfoEvaluationSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def run(self, request):
        values = _valid(ClubInfoEvaluationRunSerializer, request)
        evaluations = services.evaluation_run(actor=request.user, period_start=values["period_start"],
                                              period_end=values["period_end"], units=values.get("units") or None)
        rows = self.get_queryset().filter(pk__in=[e.pk for e in evaluations]).order_by("rank", "org_unit__path")
        return Response(self.get_serializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClubInfoEvaluationValueWriteSerializer, responses=ClubInfoEvaluationSerializer)
    @action(detail=True, methods=["post"])
    def value(self, request, pk=None):
        evaluation = self.get_object()
        services.evaluation_value_set(actor=request.user, evaluation=evaluation,
                                      **_valid(ClubInfoEvaluationValueWriteSerializer, request))
        return Response(self.get_serializer(self.get_queryset().get(pk=evaluation.pk)).data)

    @extend_schema(
        parameters=[OpenApiParameter("start", OpenApiTypes.DATE, required=True),
                    OpenApiParameter("end", OpenApiTypes.DATE, required=True)],
        responses=ClubInfoRankingRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def ranking(self, request):
        """One period's cities by rank, with each indicator's value and the previous score."""
        start, end = parse_date(request.query_params.get("start", "") or ""), parse_date(request.query_params.get("end", "") or "")
        if not (start and end):
            raise InvalidInput(_("start, end: give the first and last day of the period."))
        table = selectors.evaluation_table(request.user, start, end)
        rows = [{
            "evaluation": r["evaluation"].pk, "org_unit": r["evaluation"].org_unit_id,
            "org_unit_name": r["evaluation"].org_unit.name, "rank": r["evaluation"].rank, "score": r["evaluation"].score,
            "previous_score": r["previous"].score if r["previous"] else None, "change": r["change"],
            "values": {i.code: (c.value if c else None) for i, c in zip(table["indicators"], r["cells"])},
        } for r in table["rows"]]
        return Response(ClubInfoRankingRowSerializer(rows, many=True).data)


class AnnouncementViewSet(_ReadWriteViewSet):
    """会员服务公告 and 内部信息发布: publish, change, withdraw; ``board`` lists the internal
    notices in force for the user's units."""

    serializer_class = ClubInfoAnnouncementSerializer
    filterset_class = AnnouncementFilter
    filter_backends = [DjangoFilterBackend]  # announcements_for scopes (province-wide ones are read by all)
    queryset = Announcement.objects.none()
    action_perms = {"withdraw": ["clubinfo.change_announcement"], "board": ["clubinfo.view_announcement"]}

    def get_queryset(self):
        return selectors.announcements_for(self.request.user).prefetch_related("levels")

    @extend_schema(request=ClubInfoAnnouncementSerializer, responses={201: ClubInfoAnnouncementSerializer})
    def create(self, request):
        values = _valid(ClubInfoAnnouncementSerializer, request)
        announcement = services.announcement_save(actor=request.user, levels=values.pop("levels", None), **values)
        return Response(self.get_serializer(announcement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClubInfoAnnouncementSerializer, responses=ClubInfoAnnouncementSerializer)
    def partial_update(self, request, pk=None):
        announcement = self.get_object()
        values = _valid(ClubInfoAnnouncementSerializer, request, partial=True, instance=announcement)
        announcement = services.announcement_save(actor=request.user, announcement=announcement,
                                                  levels=values.pop("levels", None), **values)
        return Response(self.get_serializer(announcement).data)

    @extend_schema(request=ClubInfoReasonSerializer, responses=ClubInfoAnnouncementSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        announcement = services.announcement_withdraw(actor=request.user, announcement=self.get_object(),
                                                      **_valid(ClubInfoReasonSerializer, request))
        return Response(self.get_serializer(announcement).data)

    @extend_schema(responses=ClubInfoAnnouncementSerializer(many=True))
    @action(detail=False, methods=["get"])
    def board(self, request):
        page = self.paginate_queryset(selectors.notice_board(request.user).prefetch_related("levels"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
