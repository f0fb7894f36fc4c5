"""Filters of the partner pages and API. They narrow querysets that are already scoped; the
partners offered are scoped too, so a filter never widens a list."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from kams.org.filters import OrgUnitSubtreeFilter
from kams.partners.enums import (
    AgreementState,
    CouponState,
    Direction,
    ExchangeSource,
    PartnerIndustry,
    PartnerStatus,
    PeriodKind,
    StatementState,
)
from kams.partners.models import (
    Appraisal,
    Coupon,
    CouponBatch,
    ExchangeImport,
    Partner,
    PartnerActivity,
    PartnerAgreement,
    PartnerExchange,
    PartnerOutlet,
    PartnerService,
    SettlementStatement,
)

DATE = forms.DateInput(attrs={"type": "date"})
MONTH = forms.DateInput(attrs={"type": "month"})


def _partners(request):
    return Partner.objects.visible_to(request.user).order_by("name") if request else Partner.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class PartnerChoiceFilter(django_filters.ModelChoiceFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Partner"))
        kwargs.setdefault("field_name", "partner")
        super().__init__(queryset=_partners, **kwargs)


class MonthFilter(django_filters.DateFilter):
    """``?since=2026-03`` (a month) or a day: compared with the month of the record."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MONTH)
        super().__init__(**kwargs)
        self.extra["input_formats"] = ["%Y-%m", "%Y-%m-%d"]

    def filter(self, qs, value):
        return super().filter(qs, value.replace(day=1) if value else value)


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, code or contact"), method="search")
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=PartnerIndustry.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PartnerStatus.choices)
    unit = OrgUnitSubtreeFilter(label=_("Unit (and below)"))

    class Meta:
        model = Partner
        fields = ["q", "industry", "status", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value) | Q(contact_name__icontains=value)) if value else queryset


class AgreementFilter(django_filters.FilterSet):
    partner = PartnerChoiceFilter()
    state = django_filters.ChoiceFilter(label=_("State"), choices=AgreementState.choices)
    number = django_filters.CharFilter(label=_("Agreement number"), lookup_expr="icontains")
    in_force_on = django_filters.DateFilter(label=_("In force on"), method="filter_day", widget=DATE)

    class Meta:
        model = PartnerAgreement
        fields = ["partner", "state", "number", "in_force_on"]

    def filter_day(self, queryset, name, value):
        return queryset.filter(state__in=[AgreementState.ACTIVE, AgreementState.EXPIRED], valid_from__lte=value,
                               valid_to__gte=value) if value else queryset


class ActivityFilter(django_filters.FilterSet):
    partner = PartnerChoiceFilter()
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains")
    on = django_filters.DateFilter(label=_("Running on"), method="filter_on", widget=DATE)

    class Meta:
        model = PartnerActivity
        fields = ["partner", "q", "on"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value, is_cancelled=False) if value else queryset


class OutletFilter(django_filters.FilterSet):
    partner = PartnerChoiceFilter()
    city = django_filters.CharFilter(label=_("City"), lookup_expr="icontains")
    is_active = django_filters.BooleanFilter(label=_("Open"), widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]))

    class Meta:
        model = PartnerOutlet
        fields = ["partner", "city", "is_active"]


class ServiceFilter(django_filters.FilterSet):
    partner = PartnerChoiceFilter()

    class Meta:
        model = PartnerService
        fields = ["partner"]


class BatchFilter(django_filters.FilterSet):
    partner = PartnerChoiceFilter()
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains")

    class Meta:
        model = CouponBatch
        fields = ["partner", "q"]


class CouponFilter(django_filters.FilterSet):
    batch = django_filters.NumberFilter(label=_("Batch"))
    partner = PartnerChoiceFilter(field_name="batch__partner")
    state = django_filters.ChoiceFilter(label=_("State"), choices=CouponState.choices)
    code = django_filters.CharFilter(label=_("Coupon code"), lookup_expr="iexact")
    member = django_filters.CharFilter(label=_("Member number"), field_name="member__member_no")

    class Meta:
        model = Coupon
        fields = ["batch", "partner", "state", "code", "member"]


class ExchangeFilter(django_filters.FilterSet):
    partner = PartnerChoiceFilter()
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Direction.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=ExchangeSource.choices)
    since = MonthFilter(label=_("From month"), field_name="period", lookup_expr="gte")
    until = MonthFilter(label=_("To month"), field_name="period", lookup_expr="lte")
    card_no = django_filters.CharFilter(label=_("Card number"), field_name="card__card_no")
    transaction_id = django_filters.CharFilter(label=_("Transaction id"), field_name="external_id")

    class Meta:
        model = PartnerExchange
        fields = ["partner", "direction", "source", "since", "until", "card_no", "transaction_id"]


class ImportFilter(django_filters.FilterSet):
    partner = PartnerChoiceFilter()

    class Meta:
        model = ExchangeImport
        fields = ["partner"]


class StatementFilter(django_filters.FilterSet):
    partner = PartnerChoiceFilter()
    state = django_filters.ChoiceFilter(label=_("State"), choices=StatementState.choices)
    since = MonthFilter(label=_("From month"), field_name="period", lookup_expr="gte")
    until = MonthFilter(label=_("To month"), field_name="period", lookup_expr="lte")

    class Meta:
        model = SettlementStatement
        fields = ["partner", "state", "since", "until"]


class AppraisalFilter(django_filters.FilterSet):
    partner = PartnerChoiceFilter()
    period_kind = django_filters.ChoiceFilter(label=_("Period"), choices=PeriodKind.choices)
    since = django_filters.DateFilter(label=_("From"), field_name="period", lookup_expr="gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="period", lookup_expr="lte", widget=DATE)

    class Meta:
        model = Appraisal
        fields = ["partner", "period_kind", "since", "until"]
