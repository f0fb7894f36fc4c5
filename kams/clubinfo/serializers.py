"""Serializers of the club service-information API. Names carry the ``ClubInfo`` prefix so
that their OpenAPI components never clash with other domains'."""

from rest_framework import serializers

from kams.care.models import Gift
from kams.club.models import ClubLevel, ClubMember
from kams.clubinfo.enums import ActivityKind, Audience, CareOccasion, Direction, IndicatorSource, ServiceKind
from kams.clubinfo.models import (
    Activity,
    ActivityRegistration,
    Announcement,
    Evaluation,
    EvaluationIndicator,
    EvaluationValue,
    MemberCare,
    MemberConsultation,
    MemberGift,
    ServiceContent,
    ServiceOutlet,
    ServiceStandard,
)
from kams.org.models import OrgUnit
from kams.support.enums import AnswerSatisfaction, ConsultationChannel


def _levels():
    return serializers.SlugRelatedField(slug_field="code", queryset=ClubLevel.objects.all(), many=True, required=False)


class ClubInfoStandardSerializer(serializers.ModelSerializer):
    level = serializers.SlugRelatedField(slug_field="code", queryset=ClubLevel.objects.all())
    level_name = serializers.CharField(source="level.name", read_only=True)

    class Meta:
        model = ServiceStandard
        fields = ["id", "level", "level_name", "item", "content", "commitment", "response_hours", "sort_order",
                  "is_active", "updated_at"]
        read_only_fields = ["id", "level_name", "updated_at"]
        validators: list = []  # the service checks uniqueness and answers with a translated error


class ClubInfoServiceContentSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    levels = _levels()

    class Meta:
        model = ServiceContent
        fields = ["id", "code", "name", "kind", "description", "levels", "times_per_year", "provider", "is_active",
                  "updated_at"]
        read_only_fields = ["id", "updated_at"]
        extra_kwargs = {"code": {"validators": []}}


class ClubInfoOutletSerializer(serializers.ModelSerializer):
    city = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    city_name = serializers.CharField(source="city.name", read_only=True)
    services = serializers.PrimaryKeyRelatedField(queryset=ServiceContent.objects.all(), many=True, required=False)
    levels = _levels()

    class Meta:
        model = ServiceOutlet
        fields = ["id", "name", "city", "city_name", "address", "phone", "hours", "services", "levels", "is_active",
                  "updated_at"]
        read_only_fields = ["id", "city_name", "updated_at"]


class ClubInfoActivitySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    levels = _levels()
    places_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "name", "kind", "description", "org_unit", "org_unit_name", "place", "starts_at", "ends_at",
                  "registration_deadline", "levels", "capacity", "registered", "places_left", "points_reward", "budget",
                  "cost", "state", "summary", "cancel_reason", "closed_at", "created_at"]
        read_only_fields = ["id", "org_unit_name", "registered", "places_left", "cost", "state", "summary",
                            "cancel_reason", "closed_at", "created_at"]


class ClubInfoActivityFiguresSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    attended = serializers.IntegerField()
    absent = serializers.IntegerField()
    feedback = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    participation = serializers.FloatField(allow_null=True)
    points = serializers.IntegerField()
    cost_per_participant = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class ClubInfoRegistrationSerializer(serializers.ModelSerializer):
    activity_name = serializers.CharField(source="activity.name", read_only=True)
    member_no = serializers.CharField(source="member.member_no", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = ActivityRegistration
        fields = ["id", "activity", "activity_name", "member", "member_no", "member_name", "state", "channel",
                  "registered_at", "cancelled_at", "attended_at", "points", "feedback_score", "feedback_comment",
                  "feedback_at"]
        read_only_fields = fields


class ClubInfoRegisterSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=ClubMember.objects.all())


class ClubInfoAttendanceSerializer(serializers.Serializer):
    members = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)


class ClubInfoAttendanceResultSerializer(serializers.Serializer):
    attended = serializers.IntegerField()


class ClubInfoCloseSerializer(serializers.Serializer):
    cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    summary = serializers.CharField()


class ClubInfoReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, default="")


class ClubInfoFeedbackSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField(max_length=500, allow_blank=True, default="")


class ClubInfoConsultationSerializer(serializers.ModelSerializer):
    member_no = serializers.CharField(source="member.member_no", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    channel = serializers.CharField(source="consultation.channel", read_only=True)
    asked_at = serializers.DateTimeField(source="consultation.asked_at", read_only=True)
    question = serializers.CharField(source="consultation.content", read_only=True)
    answer = serializers.CharField(source="consultation.answer", read_only=True)
    answered_by = serializers.SerializerMethodField()
    satisfaction = serializers.CharField(source="consultation.answer_satisfaction", read_only=True)

    class Meta:
        model = MemberConsultation
        fields = ["id", "consultation", "member", "member_no", "member_name", "channel", "asked_at", "question",
                  "answer", "answered_by", "satisfaction", "created_at"]
        read_only_fields = fields

    def get_answered_by(self, link) -> str:
        return link.consultation.answered_by.name if link.consultation.answered_by else ""


class ClubInfoConsultationWriteSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=ClubMember.objects.all())
    channel = serializers.ChoiceField(choices=ConsultationChannel.choices)
    question = serializers.CharField()
    answer = serializers.CharField(required=False, allow_blank=True, default="")
    satisfaction = serializers.ChoiceField(choices=AnswerSatisfaction.choices, required=False, allow_blank=True, default="")
    asked_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ClubInfoAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    satisfaction = serializers.ChoiceField(choices=AnswerSatisfaction.choices, required=False, allow_blank=True, default="")


class ClubInfoGiftSerializer(serializers.ModelSerializer):
    member_no = serializers.CharField(source="member.member_no", read_only=True)
    gift_name = serializers.CharField(source="gift.name", read_only=True)

    class Meta:
        model = MemberGift
        fields = ["id", "member", "member_no", "gift", "gift_name", "quantity", "occasion", "care_action", "stock_unit",
                  "issued_on", "issued_by", "created_at"]
        read_only_fields = fields


class ClubInfoGiftWriteSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=ClubMember.objects.all())
    gift = serializers.PrimaryKeyRelatedField(queryset=Gift.objects.all())
    quantity = serializers.IntegerField()
    occasion = serializers.CharField(max_length=200)
    stock_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True,
                                                    default=None)
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)


class ClubInfoCareSerializer(serializers.ModelSerializer):
    member_no = serializers.CharField(source="member.member_no", read_only=True)
    gift = ClubInfoGiftSerializer(read_only=True)

    class Meta:
        model = MemberCare
        fields = ["id", "member", "member_no", "occasion", "happened_on", "content", "gift", "handler", "created_at"]
        read_only_fields = fields


class ClubInfoCareWriteSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=ClubMember.objects.all())
    occasion = serializers.ChoiceField(choices=CareOccasion.choices)
    content = serializers.CharField(max_length=500)
    happened_on = serializers.DateField(required=False, allow_null=True, default=None)
    gift = serializers.PrimaryKeyRelatedField(queryset=Gift.objects.all(), required=False, allow_null=True, default=None)
    gift_quantity = serializers.IntegerField(required=False, default=1)
    stock_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True,
                                                    default=None)


class ClubInfoIndicatorSerializer(serializers.ModelSerializer):
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    source = serializers.ChoiceField(choices=IndicatorSource.choices, required=False)

    class Meta:
        model = EvaluationIndicator
        fields = ["id", "code", "name", "unit_label", "weight", "target", "direction", "source", "description",
                  "sort_order", "is_active", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        extra_kwargs = {"code": {"validators": []}}


class ClubInfoEvaluationValueSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = EvaluationValue
        fields = ["indicator", "indicator_code", "value", "achievement", "note", "updated_at"]
        read_only_fields = fields


class ClubInfoEvaluationSerializer(serializers.ModelSerializer):
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    values = ClubInfoEvaluationValueSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = ["id", "org_unit", "org_unit_name", "period_start", "period_end", "score", "rank", "computed_at",
                  "values"]
        read_only_fields = fields


class ClubInfoEvaluationRunSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    units = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), many=True, required=False)


class ClubInfoEvaluationValueWriteSerializer(serializers.Serializer):
    indicator = serializers.PrimaryKeyRelatedField(queryset=EvaluationIndicator.objects.all())
    value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    note = serializers.CharField(max_length=200, allow_blank=True, default="")


class ClubInfoRankingRowSerializer(serializers.Serializer):
    evaluation = serializers.IntegerField()
    org_unit = serializers.IntegerField()
    org_unit_name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    previous_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    change = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    values = serializers.DictField(child=serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))


class ClubInfoAnnouncementSerializer(serializers.ModelSerializer):
    audience = serializers.ChoiceField(choices=Audience.choices)
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)
    levels = _levels()
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "audience", "org_unit", "levels", "publish_at", "expire_at", "pinned",
                  "author_name", "withdrawn_at", "withdraw_reason", "created_at", "updated_at"]
        read_only_fields = ["id", "author_name", "withdrawn_at", "withdraw_reason", "created_at", "updated_at"]
        extra_kwargs = {"publish_at": {"required": False}}

    def get_author_name(self, announcement) -> str:
        return announcement.author.name if announcement.author else ""
