"""Filters of the club service-information pages and API. They narrow querysets that are
already scoped; the unit choices offered are scoped too."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from kams.club.models import ClubLevel
from kams.clubinfo.enums import ActivityKind, ActivityState, Audience, CareOccasion, RegistrationState, ServiceKind
from kams.clubinfo.models import (
    Activity,
    ActivityRegistration,
    Announcement,
    EvaluationIndicator,
    MemberCare,
    MemberConsultation,
    MemberGift,
    ServiceContent,
    ServiceOutlet,
    ServiceStandard,
)
from kams.org.enums import UnitKind
from kams.org.filters import YES_NO_ALL, OrgUnitSubtreeFilter
from kams.org.models import OrgUnit
from kams.support.enums import AnswerSatisfaction, ConsultationChannel

DATE = forms.DateInput(attrs={"type": "date"})


def _member_q(prefix: str, value: str) -> Q:
    value = value.strip()
    return (
        Q(**{f"{prefix}member_no__iexact": value}) | Q(**{f"{prefix}name__icontains": value})
        | Q(**{f"{prefix}cards__card_no": value}) | Q(**{f"{prefix}customer__name__icontains": value})
    )


@extend_schema_field(OpenApiTypes.STR)
class LevelEntitledFilter(django_filters.ModelChoiceFilter):
    """``?level=DIAMOND``: rows for that level, or for every level (none named)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=ClubLevel.objects.all(), to_field_name="code", **kwargs)

    def filter(self, qs, value):
        return qs.filter(Q(levels=value) | Q(levels__isnull=True)).distinct() if value else qs


class MemberSearch(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Member"), method="search")
    member_prefix = "member__"

    def search(self, queryset, name, value):
        return queryset.filter(_member_q(self.member_prefix, value)).distinct() if value.strip() else queryset


class StandardFilter(django_filters.FilterSet):
    level = django_filters.ModelChoiceFilter(label=_("Level"), queryset=ClubLevel.objects.all())
    q = django_filters.CharFilter(label=_("Service item"), method="search")
    is_active = django_filters.BooleanFilter(label=_("In force"), widget=YES_NO_ALL)

    class Meta:
        model = ServiceStandard
        fields = ["level", "q", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(item__icontains=value) | Q(content__icontains=value)) if value.strip() else queryset


class ServiceContentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ServiceKind.choices)
    level = LevelEntitledFilter(label=_("Level entitled"))
    is_active = django_filters.BooleanFilter(label=_("Offered"), widget=YES_NO_ALL)

    class Meta:
        model = ServiceContent
        fields = ["kind", "level", "is_active"]


class OutletFilter(django_filters.FilterSet):
    city = django_filters.ModelChoiceFilter(label=_("City"), queryset=OrgUnit.objects.filter(kind=UnitKind.CITY))
    service = django_filters.ModelChoiceFilter(label=_("Service offered"), queryset=ServiceContent.objects.all(),
                                               field_name="services")
    level = LevelEntitledFilter(label=_("Level served"))
    q = django_filters.CharFilter(label=_("Name or address"), method="search")
    is_active = django_filters.BooleanFilter(label=_("Operating"), widget=YES_NO_ALL)

    class Meta:
        model = ServiceOutlet
        fields = ["city", "service", "level", "q", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value.strip() else queryset


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or place"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=ActivityState.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ActivityKind.choices)
    unit = OrgUnitSubtreeFilter()
    since = django_filters.DateFilter(label=_("From"), field_name="starts_at", lookup_expr="date__gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="starts_at", lookup_expr="date__lte", widget=DATE)
    upcoming = django_filters.BooleanFilter(label=_("Not over yet"), method="filter_upcoming", widget=YES_NO_ALL)

    class Meta:
        model = Activity
        fields = ["q", "state", "kind", "unit", "since", "until", "upcoming"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(place__icontains=value)) if value.strip() else queryset

    def filter_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(ends_at__gte=now) if value else queryset.filter(ends_at__lt=now)


class RegistrationFilter(MemberSearch):
    activity = django_filters.NumberFilter(label=_("Activity"), field_name="activity")
    state = django_filters.ChoiceFilter(label=_("State"), choices=RegistrationState.choices)
    unit = OrgUnitSubtreeFilter(org_path="member__customer__org_unit__path")

    class Meta:
        model = ActivityRegistration
        fields = ["q", "activity", "state", "unit"]


class ConsultationFilter(MemberSearch):
    channel = django_filters.ChoiceFilter(label=_("Channel"), field_name="consultation__channel",
                                          choices=ConsultationChannel.choices)
    satisfaction = django_filters.ChoiceFilter(label=_("Satisfaction"), field_name="consultation__answer_satisfaction",
                                               choices=AnswerSatisfaction.choices)
    answered = django_filters.BooleanFilter(label=_("Answered"), method="filter_answered", widget=YES_NO_ALL)
    since = django_filters.DateFilter(label=_("From"), field_name="consultation__asked_at", lookup_expr="date__gte",
                                      widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="consultation__asked_at", lookup_expr="date__lte",
                                      widget=DATE)
    unit = OrgUnitSubtreeFilter(org_path="member__customer__org_unit__path")

    class Meta:
        model = MemberConsultation
        fields = ["q", "channel", "satisfaction", "answered", "since", "until", "unit"]

    def filter_answered(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(consultation__answer="") if value else queryset.filter(consultation__answer="")


class CareFilter(MemberSearch):
    occasion = django_filters.ChoiceFilter(label=_("Occasion"), choices=CareOccasion.choices)
    since = django_filters.DateFilter(label=_("From"), field_name="happened_on", lookup_expr="gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="happened_on", lookup_expr="lte", widget=DATE)
    unit = OrgUnitSubtreeFilter(org_path="member__customer__org_unit__path")

    class Meta:
        model = MemberCare
        fields = ["q", "occasion", "since", "until", "unit"]


class GiftFilter(MemberSearch):
    gift = django_filters.NumberFilter(label=_("Gift"), field_name="gift")
    since = django_filters.DateFilter(label=_("From"), field_name="issued_on", lookup_expr="gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="issued_on", lookup_expr="lte", widget=DATE)
    unit = OrgUnitSubtreeFilter(org_path="member__customer__org_unit__path")

    class Meta:
        model = MemberGift
        fields = ["q", "gift", "since", "until", "unit"]


class IndicatorFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter(label=_("In use"), widget=YES_NO_ALL)

    class Meta:
        model = EvaluationIndicator
        fields = ["is_active"]


class AnnouncementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or text"), method="search")
    audience = django_filters.ChoiceFilter(label=_("Audience"), choices=Audience.choices)
    unit = OrgUnitSubtreeFilter(label=_("For unit (and below)"))
    status = django_filters.ChoiceFilter(label=_("Status"), method="filter_status", choices=[
        ("current", _("In force")), ("scheduled", _("Scheduled")), ("expired", _("Expired")),
        ("withdrawn", _("Withdrawn")),
    ])

    class Meta:
        model = Announcement
        fields = ["q", "audience", "unit", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(body__icontains=value)) if value.strip() else queryset

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        live = queryset.filter(withdrawn_at__isnull=True)
        if value == "current":
            return live.filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now), publish_at__lte=now)
        if value == "scheduled":
            return live.filter(publish_at__gt=now)
        if value == "expired":
            return live.filter(expire_at__lte=now)
        if value == "withdrawn":
            return queryset.filter(withdrawn_at__isnull=False)
        return queryset
