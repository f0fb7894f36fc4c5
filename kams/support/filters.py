"""Filters of the service-support pages and API. They narrow querysets that are already
scoped; the unit choices offered are scoped too, so a filter never widens a list."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.customers.enums import CustomerType
from kams.customers.models import Industry
from kams.org.filters import OrgUnitSubtreeFilter
from kams.support.enums import (
    AnswerSatisfaction,
    ConsultationChannel,
    ConsultationTopic,
    Feasibility,
    LineStatus,
    LineType,
    NoticeKind,
    NoticeState,
    ResourceKind,
    ServiceClassCode,
    SolutionState,
    SubjectKind,
)
from kams.support.models import (
    Consultation,
    CustomerLine,
    CutoverNotice,
    LineFault,
    ProjectRecord,
    QualityAssessment,
    SolutionTemplate,
    TechnicalSolution,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
YES_NO = forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))])


def customer_q(prefix: str, value: str) -> Q:
    value = value.strip()
    return (
        Q(**{f"{prefix}code__iexact": value})
        | Q(**{f"{prefix}name__icontains": value})
        | Q(**{f"{prefix}name_initials__startswith": value.lower()})
    )


def _industry_choices():
    return list(Industry.objects.values_list("code", "name"))


class TemplateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number or name"), method="search")
    customer_type = django_filters.ChoiceFilter(label=_("Customer type"), choices=CustomerType.choices, method="by_type")
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=_industry_choices, method="by_industry")
    is_current = django_filters.BooleanFilter(label=_("Current version"), widget=YES_NO)

    class Meta:
        model = SolutionTemplate
        fields = ["q", "customer_type", "industry", "is_current"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number__icontains=value) | Q(name__icontains=value)) if value else queryset

    def by_type(self, queryset, name, value: str):
        # Templates for the type and those for every type (JSON lists are filtered in Python:
        # "contains" on JSON is not available on SQLite, and the template table is small).
        ids = [pk for pk, types in queryset.values_list("pk", "customer_types") if not types or value in types]
        return queryset.filter(pk__in=ids)

    def by_industry(self, queryset, name, value: str):
        return queryset.filter(Q(industries__code=value) | Q(industries__isnull=True)).distinct()


class SolutionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number, title or customer"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=SolutionState.choices)
    feasibility = django_filters.ChoiceFilter(label=_("Feasibility"), choices=Feasibility.choices)
    unit = OrgUnitSubtreeFilter(org_path="customer__org_unit__path")

    class Meta:
        model = TechnicalSolution
        fields = ["q", "state", "feasibility", "unit"]

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(Q(number__iexact=value.strip()) | Q(title__icontains=value.strip()) | customer_q("customer__", value))


class RecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Customer or resource"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Resource kind"), choices=ResourceKind.choices)
    is_active = django_filters.BooleanFilter(label=_("In use"), widget=YES_NO)
    unit = OrgUnitSubtreeFilter(org_path="customer__org_unit__path")

    class Meta:
        model = ProjectRecord
        fields = ["q", "kind", "is_active", "unit"]

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(Q(name__icontains=value.strip()) | customer_q("customer__", value))


class AssessmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Subject"), field_name="subject_name", lookup_expr="icontains")
    subject_kind = django_filters.ChoiceFilter(label=_("Subject kind"), choices=SubjectKind.choices)
    since = django_filters.DateFilter(label=_("From month"), field_name="period", lookup_expr="gte", widget=DATE_INPUT)
    until = django_filters.DateFilter(label=_("To month"), field_name="period", lookup_expr="lte", widget=DATE_INPUT)
    unit = OrgUnitSubtreeFilter()

    class Meta:
        model = QualityAssessment
        fields = ["q", "subject_kind", "since", "until", "unit"]


class ConsultationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Customer, caller or question"), method="search")
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=ConsultationChannel.choices)
    topic = django_filters.ChoiceFilter(label=_("Topic"), choices=ConsultationTopic.choices)
    answer_satisfaction = django_filters.ChoiceFilter(label=_("Satisfaction"), choices=AnswerSatisfaction.choices)
    since = django_filters.DateFilter(label=_("From"), field_name="asked_at", lookup_expr="date__gte", widget=DATE_INPUT)
    until = django_filters.DateFilter(label=_("To"), field_name="asked_at", lookup_expr="date__lte", widget=DATE_INPUT)
    unit = OrgUnitSubtreeFilter()

    class Meta:
        model = Consultation
        fields = ["q", "channel", "topic", "answer_satisfaction", "since", "until", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            customer_q("customer__", value) | Q(caller_name__icontains=value) | Q(caller_phone=value) | Q(content__icontains=value)
        )


class LineFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Line or customer"), method="search")
    line_type = django_filters.ChoiceFilter(label=_("Line type"), choices=LineType.choices)
    service_class = django_filters.ChoiceFilter(label=_("Class"), field_name="service_class__code", choices=ServiceClassCode.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LineStatus.choices)
    network_element = django_filters.CharFilter(label=_("Network element"), lookup_expr="icontains")
    unit = OrgUnitSubtreeFilter(org_path="customer__org_unit__path")

    class Meta:
        model = CustomerLine
        fields = ["q", "line_type", "service_class", "status", "network_element", "unit"]

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(Q(line_no__icontains=value.strip()) | customer_q("customer__", value))


class FaultFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Line, case or customer"), method="search")
    service_class = django_filters.ChoiceFilter(label=_("Class"), field_name="line__service_class__code", choices=ServiceClassCode.choices)
    line_type = django_filters.ChoiceFilter(label=_("Line type"), field_name="line__line_type", choices=LineType.choices)
    since = django_filters.DateFilter(label=_("From"), field_name="reported_at", lookup_expr="date__gte", widget=DATE_INPUT)
    until = django_filters.DateFilter(label=_("To"), field_name="reported_at", lookup_expr="date__lte", widget=DATE_INPUT)
    unit = OrgUnitSubtreeFilter(org_path="line__customer__org_unit__path")

    class Meta:
        model = LineFault
        fields = ["q", "service_class", "line_type", "since", "until", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(line__line_no__icontains=value) | Q(case__number__iexact=value) | customer_q("line__customer__", value))


class NoticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number, title or element"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=NoticeKind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=NoticeState.choices)
    since = django_filters.DateFilter(label=_("From"), field_name="starts_at", lookup_expr="date__gte", widget=DATE_INPUT)
    until = django_filters.DateFilter(label=_("To"), field_name="starts_at", lookup_expr="date__lte", widget=DATE_INPUT)
    unit = OrgUnitSubtreeFilter()

    class Meta:
        model = CutoverNotice
        fields = ["q", "kind", "state", "since", "until", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(title__icontains=value) | Q(network_element__icontains=value))
